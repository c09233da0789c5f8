import type { z } from "zod";
import type { ToolSpec } from "../tool.js";
import { campaignMetrics, campaignsList, variantStats } from "./campaigns.js";
import { episodesSimilar, knowledgeQuery, memorySearch, outcomeRecord, triageRun } from "./data.js";
import { leadGet, leadsSearch, leadUpdateStage } from "./leads.js";

/** Every tool the MCP server offers, in the order `tools/list` shows them. */
const CATALOGUE = [
  leadsSearch,
  leadGet,
  leadUpdateStage,
  campaignsList,
  campaignMetrics,
  variantStats,
  outcomeRecord,
  memorySearch,
  episodesSimilar,
  knowledgeQuery,
  triageRun,
] as const;

export const TOOLS: readonly ToolSpec[] = CATALOGUE;

type Catalogue = (typeof CATALOGUE)[number];
export type ToolName = Catalogue["name"];
type ToolOf<N extends ToolName> = Extract<Catalogue, { name: N }>;
/** What a tool takes (before its defaults apply). */
export type ToolInput<N extends ToolName> = z.input<ToolOf<N>["input"]>;
/** A tool's structured result. */
export type ToolOutput<N extends ToolName> = z.output<ToolOf<N>["output"]>;

export const toolByName: ReadonlyMap<string, ToolSpec> = new Map(TOOLS.map((tool) => [tool.name, tool]));
