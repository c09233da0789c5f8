import type { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import { defaultTriagePolicy } from "../agents/triage/classify.js";
import { runTriage } from "../agents/triage/node.js";
import { loadConfig } from "../config.js";
import { LeadInput } from "../db/lead-input.js";
import { chatModelFromConfig } from "../llm/provider.js";
import { CliError, readTextInput } from "./read-input.js";
import { processIo, type TriageCliIo } from "./triage-io.js";
import { resolveTriageModel } from "./triage-model-ref.js";

export interface ScoreCliOptions {
  /** A model file, `db:<version>` or `db:active`; default the shipped model. */
  model?: string;
  /** Skip the LLM analysis even when an endpoint is configured. */
  offline?: boolean;
  database?: string;
  dataDir?: string;
}

/**
 * Scores one lead or an array of leads with the triage agent; prints JSON. With an OpenAI-compatible
 * endpoint configured (OPENAI_API_KEY / OPENAI_BASE_URL) and no `--offline`, each lead also gets the LLM
 * analysis. No database is touched unless `--model db:…` asks for a stored model.
 */
export async function triageCommand(
  file: string,
  options: ScoreCliOptions,
  io: TriageCliIo = processIo,
  llm: ChatOpenAI | null = options.offline ? null : chatModelFromConfig(loadConfig()),
): Promise<void> {
  const text = await readTextInput(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `${file === "-" ? "standard input" : file} is not valid JSON: ${(error as Error).message}`,
    );
  }
  const parsed = z.union([LeadInput, z.array(LeadInput).min(1)]).safeParse(json);
  if (!parsed.success) {
    throw new CliError(`not a lead (or an array of leads):\n${z.prettifyError(parsed.error)}`);
  }
  const { model } = await resolveTriageModel(options.model, io, options);
  const leads = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const results = [];
  // One at a time: an LLM endpoint gets one request per lead, not a burst.
  for (const lead of leads) {
    const { result, handoff } = await runTriage({ lead }, { model, policy: defaultTriagePolicy, llm });
    results.push({ lead: lead.name ?? lead.email, ...result, route: handoff });
  }
  io.stdout.write(`${JSON.stringify(Array.isArray(parsed.data) ? results : results[0], null, 2)}\n`);
}
