import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { basename } from "node:path";
import { z } from "zod";
import { columnsLeadsNeverSupply, settingProblem } from "../agents/triage/column-checks.js";
import { stratifiedSplit, TRIAGE_SETTINGS } from "../agents/triage/dataset.js";
import { TriageError } from "../agents/triage/errors.js";
import { evaluateTriageModel, type TriageModel, trainTriageModel } from "../agents/triage/model.js";
import { storeTrainedModel } from "../agents/triage/registry.js";
import { CliError } from "./read-input.js";
import { readLabelledCsv } from "./triage-data.js";
import { calibrationTable, metricsTable } from "./triage-format.js";
import { databaseUrlFrom, processIo, type TriageCliIo, withDatabase } from "./triage-io.js";
import { trainingProgress } from "./triage-progress.js";

/**
 * `marketing-agents triage train`: a seeded, stratified 80/20 split; the recipe is trained on the 80%
 * and scored on the 20%, and those held-out metrics are printed and stored with the model. The stored
 * model is that 80% model, so its metrics describe exactly it; `--refit` trains the same recipe again on
 * every row and stores that one instead (its held-out figures then describe the recipe, not the model).
 */

export const TEST_FRACTION = 0.2;

export const TrainCliOptions = z.object({
  data: z.string().min(1),
  features: z.enum(TRIAGE_SETTINGS).default("pre-contact"),
  kind: z.enum(["blend", "gbt", "logistic"]).default("blend"),
  seed: z.coerce.number().int().default(42),
  out: z.string().min(1).optional(),
  /** Commander's `--no-db`: false skips the database. */
  db: z.boolean().default(true),
  activate: z.boolean().default(false),
  refit: z.boolean().default(false),
  database: z.string().optional(),
  dataDir: z.string().optional(),
});
export type TrainCliOptions = z.input<typeof TrainCliOptions>;

function parseOptions(raw: TrainCliOptions): z.output<typeof TrainCliOptions> {
  const parsed = TrainCliOptions.safeParse(raw);
  if (!parsed.success) throw new CliError(`invalid options:\n${z.prettifyError(parsed.error)}`, 2);
  const o = parsed.data;
  if (!o.db && !o.out) throw new CliError("--no-db without --out would keep the model nowhere", 2);
  if (!o.db && o.activate) throw new CliError("--activate needs the database: drop --no-db", 2);
  if (o.activate && o.features !== "lead-input") {
    // Product leads carry only the lead-input fields: every other column would always read as missing.
    throw new CliError(
      `--activate makes triage score product leads with this model, and those only carry the lead-input ` +
        `fields: train with --features lead-input to activate (a ${o.features} model can still be stored and evaluated)`,
      2,
    );
  }
  return o;
}

export async function trainCommand(raw: TrainCliOptions, io: TriageCliIo = processIo): Promise<void> {
  const o = parseOptions(raw);
  const data = await readLabelledCsv(o.data);
  const problem = settingProblem(o.features, data.columns);
  if (problem) throw new CliError(`${o.data}: ${problem}`, 2);

  const split = stratifiedSplit(data.target, TEST_FRACTION, o.seed);
  const heldOutPositives = split.test.filter((i) => data.target[i] === 1).length;
  if (heldOutPositives === 0 || heldOutPositives === split.test.length) {
    const positives = data.target.filter((y) => y === 1).length;
    throw new CliError(
      `${o.data}: too few rows to hold out ${TEST_FRACTION * 100}% with both outcomes ` +
        `(${positives} converted, ${data.target.length - positives} not); a few dozen of each are the least`,
    );
  }
  const pick = <T>(items: readonly T[], indices: readonly number[]) => indices.map((i) => items[i]!);
  const recipe = { kind: o.kind, setting: o.features, seed: o.seed } as const;
  const progress = trainingProgress(io.stderr);
  const source = `${basename(o.data)} sha256:${createHash("sha256").update(data.text).digest("hex").slice(0, 16)}`;
  io.stderr.write(
    `training a ${o.kind} model (${o.features} columns, seed ${o.seed}) on ${split.train.length} of ` +
      `${data.rows.length} rows from ${o.data}; ${split.test.length} held out\n`,
  );

  let model: TriageModel;
  let holdout: ReturnType<typeof evaluateTriageModel>;
  try {
    const trained = trainTriageModel(pick(data.rows, split.train), pick(data.target, split.train), recipe, {
      onProgress: progress.track("held-out fit"),
    });
    holdout = evaluateTriageModel(trained, pick(data.rows, split.test), pick(data.target, split.test));
    model = o.refit
      ? trainTriageModel(data.rows, data.target, recipe, { onProgress: progress.track("refit on all rows") })
      : trained;
  } catch (error) {
    if (error instanceof TriageError) throw new CliError(`cannot train on ${o.data}: ${error.message}`);
    throw error;
  } finally {
    progress.stop();
  }
  model.metrics.holdout = { ...holdout, testFraction: TEST_FRACTION, seed: o.seed };

  io.stdout.write(
    `${metricsTable([
      { title: `held-out (${split.test.length} rows)`, evaluation: holdout },
      { title: `cross-validated (${model.trainedOn.rows} rows)`, evaluation: model.metrics.crossValidated },
    ])}\n\ncalibration on the held-out rows:\n${calibrationTable(holdout)}\n\n`,
  );

  if (o.out) {
    await writeFile(o.out, `${JSON.stringify(model)}\n`);
    io.stdout.write(`wrote ${o.out}\n`);
  }
  const unsupplied = columnsLeadsNeverSupply(model);
  if (o.db) {
    const url = databaseUrlFrom(o);
    const stored = await withDatabase(io, url, (database) =>
      storeTrainedModel(database.db, model, { activate: o.activate, source }),
    );
    const next = stored.active
      ? "active: triage uses it from the next start"
      : unsupplied.length === 0
        ? `activate it with: marketing-agents triage models activate ${stored.version}`
        : "not for live triage (see the note below)";
    io.stdout.write(`stored as version ${stored.version} (db:${stored.version}) in ${url}; ${next}\n`);
  }
  if (unsupplied.length > 0) {
    io.stderr.write(
      `note: product leads never carry ${unsupplied.length} of this model's ${model.featureSpec.columns.length} ` +
        "columns, so use it for evaluation; the model triage uses is trained with --features lead-input\n",
    );
  }
}
