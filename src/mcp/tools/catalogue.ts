import type { ToolSpec } from "../tool.js";
import { campaignMetrics, knowledgeQuery, memorySearch, outcomeRecord, triageRun } from "./data.js";
import { leadGet, leadsSearch, leadUpdateStage } from "./leads.js";

/** Every tool the MCP server offers, in the order `tools/list` shows them. */
export const TOOLS: readonly ToolSpec[] = [
  leadsSearch,
  leadGet,
  leadUpdateStage,
  campaignMetrics,
  outcomeRecord,
  memorySearch,
  knowledgeQuery,
  triageRun,
];

export type ToolName =
  | "leads_search"
  | "lead_get"
  | "lead_update_stage"
  | "campaign_metrics"
  | "outcome_record"
  | "memory_search"
  | "knowledge_query"
  | "triage_run";

export const toolByName = new Map(TOOLS.map((tool) => [tool.name, tool]));
