import { z } from "zod";
import { defaultTriagePolicy } from "../agents/triage/classify.js";
import { loadDefaultTriageModel, loadTriageModelFile } from "../agents/triage/model.js";
import { runTriage } from "../agents/triage/node.js";
import { LeadInput } from "../db/lead-input.js";
import { CliError, readTextInput } from "./read-input.js";

/** Scores one lead or an array of leads with the triage agent; prints JSON. No database is touched. */
export async function triageCommand(file: string, options: { model?: string }): Promise<void> {
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
  const model = options.model ? await loadTriageModelFile(options.model) : loadDefaultTriageModel();
  const leads = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const results = [];
  for (const lead of leads) {
    const { result, handoff } = await runTriage({ lead }, { model, policy: defaultTriagePolicy });
    results.push({ lead: lead.name ?? lead.email, ...result, route: handoff });
  }
  process.stdout.write(`${JSON.stringify(Array.isArray(parsed.data) ? results : results[0], null, 2)}\n`);
}
