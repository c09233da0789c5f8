import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { basename } from "node:path";
import { z } from "zod";
import { columnsLeadsNeverSupply, settingProblem } from "../agents/triage/column-checks.js";
import { stratifiedSplit, TRIAGE_SETTINGS, type TriageSetting } from "../agents/triage/dataset.js";
import { TriageError } from "../agents/triage/errors.js";
import { evaluateTriageModel, type TriageModel, trainTriageModel } from "../agents/triage/model.js";
import { DEFAULT_OUTCOME_WINDOW_DAYS, outcomeDataset } from "../agents/triage/outcome-dataset.js";
import { storeTrainedModel } from "../agents/triage/registry.js";
import { redactUrl } from "../db/client.js";
import { DEFAULT_TENANT } from "../db/schema.js";
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
 *
 * The labelled leads come from a CSV (`--data`) or from the database (`--from-db`): the outcomes recorded
 * in `outcome_events` label the tenant's stored leads (see `outcome-dataset.ts` for the rule).
 */

export const TEST_FRACTION = 0.2;
/** Fewest converted and fewest unconverted leads `--from-db` trains on: 20% of 20 is 4 held out of each. */
export const MIN_LABELLED_PER_CLASS = 20;

export const TrainCliOptions = z.object({
  data: z.string().min(1).optional(),
  /** Train on the outcomes recorded in the database instead of a CSV. */
  fromDb: z.boolean().default(false),
  /** The tenant whose leads and outcomes `--from-db` reads. */
  tenant: z.string().min(1).default(DEFAULT_TENANT),
  /** `--from-db`: days after its latest outcome that an unconverted lead counts as not converted. */
  windowDays: z.coerce.number().int().min(0).default(DEFAULT_OUTCOME_WINDOW_DAYS),
  /** Default pre-contact for a CSV, lead-input for the database. */
  features: z.enum(TRIAGE_SETTINGS).optional(),
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
type ParsedOptions = Omit<z.output<typeof TrainCliOptions>, "features"> & { features: TriageSetting };

function parseOptions(raw: TrainCliOptions): ParsedOptions {
  const parsed = TrainCliOptions.safeParse(raw);
  if (!parsed.success) throw new CliError(`invalid options:\n${z.prettifyError(parsed.error)}`, 2);
  const o = {
    ...parsed.data,
    features: parsed.data.features ?? (parsed.data.fromDb ? "lead-input" : "pre-contact"),
  };
  if (o.data && o.fromDb)
    throw new CliError("--data and --from-db are two sources of labelled leads: give one", 2);
  if (!o.data && !o.fromDb) {
    throw new CliError(
      "no labelled leads: give --data <file.csv>, or --from-db for the recorded outcomes",
      2,
    );
  }
  if (o.fromDb && o.features !== "lead-input") {
    throw new CliError(
      `--from-db trains on stored leads, which carry only the lead-input fields: use --features lead-input ` +
        `(the default with --from-db), not ${o.features}`,
      2,
    );
  }
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

/** Labelled rows from wherever the options say, named for messages (`from`) and for the stored model (`source`). */
interface TrainingData {
  rows: Record<string, unknown>[];
  target: number[];
  from: string;
  source: string;
}

async function csvData(path: string, o: ParsedOptions): Promise<TrainingData> {
  const data = await readLabelledCsv(path);
  const problem = settingProblem(o.features, data.columns);
  if (problem) throw new CliError(`${path}: ${problem}`, 2);
  const split = stratifiedSplit(data.target, TEST_FRACTION, o.seed);
  const heldOutPositives = split.test.filter((i) => data.target[i] === 1).length;
  if (heldOutPositives === 0 || heldOutPositives === split.test.length) {
    const positives = data.target.filter((y) => y === 1).length;
    throw new CliError(
      `${path}: too few rows to hold out ${TEST_FRACTION * 100}% with both outcomes ` +
        `(${positives} converted, ${data.target.length - positives} not); a few dozen of each are the least`,
    );
  }
  return {
    rows: data.rows,
    target: data.target,
    from: path,
    source: `${basename(path)} sha256:${createHash("sha256").update(data.text).digest("hex").slice(0, 16)}`,
  };
}

async function databaseData(o: ParsedOptions, io: TriageCliIo): Promise<TrainingData> {
  const url = databaseUrlFrom(o);
  const data = await withDatabase(io, url, (database) =>
    outcomeDataset(database.db, { tenantId: o.tenant, windowDays: o.windowDays }),
  );
  const { converted, notConverted, open, missing } = data.counts;
  const from = `the outcomes recorded in ${redactUrl(url)} (tenant "${o.tenant}")`;
  const leftOut =
    `${open} still open (outcomes in the last ${o.windowDays} days, no conversion yet)` +
    (missing > 0 ? `, ${missing} no longer stored` : "");
  io.stderr.write(
    `labelled ${converted + notConverted} leads from ${from}: ${converted} converted, ${notConverted} not; left out: ${leftOut}\n`,
  );
  if (converted < MIN_LABELLED_PER_CLASS || notConverted < MIN_LABELLED_PER_CLASS) {
    throw new CliError(
      `too few labelled leads in the database to train: ${converted} converted and ${notConverted} not converted ` +
        `(tenant "${o.tenant}"; left out: ${leftOut}). At least ${MIN_LABELLED_PER_CLASS} of each are needed. ` +
        `A lead is labelled by its recorded outcomes (outcomes.record): converted with a "converted" event, not ` +
        `converted with "unsubscribed" or "bounced", or ${o.windowDays} days after its latest outcome ` +
        "(--window-days). Or train from a CSV with --data.",
    );
  }
  const labels = data.leadIds.map((id, i) => `${id}:${data.target[i]}`).sort();
  const digest = createHash("sha256").update(labels.join("\n")).digest("hex").slice(0, 16);
  return {
    rows: data.rows,
    target: data.target,
    from,
    source: `db outcomes tenant=${o.tenant} window=${o.windowDays}d leads=${labels.length} sha256:${digest}`,
  };
}

export async function trainCommand(raw: TrainCliOptions, io: TriageCliIo = processIo): Promise<void> {
  const o = parseOptions(raw);
  const data = o.data ? await csvData(o.data, o) : await databaseData(o, io);

  const split = stratifiedSplit(data.target, TEST_FRACTION, o.seed);
  const pick = <T>(items: readonly T[], indices: readonly number[]) => indices.map((i) => items[i]!);
  const recipe = { kind: o.kind, setting: o.features, seed: o.seed } as const;
  const progress = trainingProgress(io.stderr);
  io.stderr.write(
    `training a ${o.kind} model (${o.features} columns, seed ${o.seed}) on ${split.train.length} of ` +
      `${data.rows.length} rows from ${data.from}; ${split.test.length} held out\n`,
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
    if (error instanceof TriageError) throw new CliError(`cannot train on ${data.from}: ${error.message}`);
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
      storeTrainedModel(database.db, model, { activate: o.activate, source: data.source }),
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
