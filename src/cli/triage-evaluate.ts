import { z } from "zod";
import { missingModelColumns } from "../agents/triage/column-checks.js";
import { evaluateTriageModel } from "../agents/triage/model.js";
import { CliError } from "./read-input.js";
import { readLabelledCsv } from "./triage-data.js";
import { processIo, type TriageCliIo } from "./triage-io.js";
import { resolveTriageModel } from "./triage-model-ref.js";

/** `marketing-agents triage evaluate`: a model's metrics on a labelled CSV, as one JSON object on stdout. */

export const EvaluateCliOptions = z.object({
  model: z.string().min(1),
  data: z.string().min(1),
  database: z.string().optional(),
  dataDir: z.string().optional(),
});
export type EvaluateCliOptions = z.input<typeof EvaluateCliOptions>;

/** What `evaluate` prints; the reliability bins stay out of it (`train` prints them as a table). */
export interface EvaluateOutput {
  auc: number;
  prAuc: number;
  brier: number;
  logLoss: number;
  ece: number;
  liftTopDecile: number;
  n: number;
}

export async function evaluateCommand(raw: EvaluateCliOptions, io: TriageCliIo = processIo): Promise<void> {
  const parsed = EvaluateCliOptions.safeParse(raw);
  if (!parsed.success) throw new CliError(`invalid options:\n${z.prettifyError(parsed.error)}`, 2);
  const o = parsed.data;
  const { model, label } = await resolveTriageModel(o.model, io, o);
  const data = await readLabelledCsv(o.data);
  const missing = missingModelColumns(model, data.columns);
  if (missing.length > 0) {
    throw new CliError(
      `${o.data} lacks ${missing.length} column(s) the model (${label}, ${model.trainedOn.setting} setting) ` +
        `was trained on: ${missing.map((c) => `"${c}"`).join(", ")}`,
      2,
    );
  }
  if (data.target.every((y) => y === data.target[0])) {
    throw new CliError(`${o.data}: every row has ${data.target[0]} as its outcome; AUC needs both classes`);
  }
  const e = evaluateTriageModel(model, data.rows, data.target);
  const output: EvaluateOutput = {
    auc: e.auc,
    prAuc: e.prAuc,
    brier: e.brier,
    logLoss: e.logLoss,
    ece: e.ece,
    liftTopDecile: e.liftTopDecile,
    n: e.n,
  };
  io.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
}
