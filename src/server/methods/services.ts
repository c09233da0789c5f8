import type { ChatOpenAI } from "@langchain/openai";
import type { Recalibration } from "../../agents/triage/recalibration.js";
import type { RefitReport } from "../../agents/triage/recalibration-store.js";
import type { Database } from "../../db/client.js";
import type { ThreadRunner } from "../../graph/runner.js";
import type { Memory } from "../../memory/service.js";

/** What the JSON-RPC methods work with. Built by the entry point; the server never creates these itself. */
export interface Services {
  database: Database;
  runner: ThreadRunner;
  version: string;
  /** "offline" or the chat model's name. */
  model: string;
  /** The chat model for methods with an LLM path (campaigns.strategy's narrative); null or absent offline. */
  llm?: ChatOpenAI | null;
  startedAt: Date;
  /** Adaptive memory (store, knowledge, outcomes); default: one on `database` with the offline embedder. */
  memory?: Memory;
  /** The scoring model's name and its per-tenant outcome recalibration (null when turned off). */
  triage?: {
    scoringModel: string;
    recalibration: {
      current(tenantId: string): Promise<Recalibration | null>;
      refit(tenantId: string, options?: { force?: boolean }): Promise<RefitReport>;
    } | null;
  };
}
