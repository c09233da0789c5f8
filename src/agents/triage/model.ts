import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { z } from "zod";
import type { LeadInput } from "../../db/lead-input.js";
import { leadToRecord } from "./dataset.js";
import { TriageError, TriageErrorCode } from "./errors.js";
import { type FeatureRecord, featureLayout } from "./features.js";
import type { GbtParams } from "./gbt.js";
import { type Evaluation, TriageModelSchema } from "./model-schema.js";
import { packageRoot } from "./package-root.js";
import {
  explainRecord,
  type TriageFactor as Factor,
  predictProbabilities,
  type TriageScore as Score,
} from "./predict.js";
import {
  evaluateProbabilities,
  fitTriageModel,
  type TrainHooks,
  type TrainOptions,
  type TrainProgress,
} from "./train.js";

/**
 * The lead-triage scoring model: train on labelled records, score a record or a product lead with
 * reasons, evaluate, and load the model that ships with the package. Everything here is synchronous and
 * pure apart from the two loaders.
 */

/** A trained model as plain JSON: `{ version, kind, createdAt, featureSpec, params, calibration, metrics, trainedOn }`. */
export type TriageModel = z.infer<typeof TriageModelSchema>;
/** One reason behind a score: `{ feature: "source=Reference", contribution: 0.9, direction: "+" }`, in log-odds. */
export type TriageFactor = Factor;
export type TriageScore = Score;
export type TriageEvaluation = Evaluation;
export type TriageTrainOptions = TrainOptions;
export type TriageTrainHooks = TrainHooks;
export type TriageTrainProgress = TrainProgress;

/**
 * Trains a model on records keyed by the X Education column names (see `dataset.ts`) with 0/1 labels.
 * `setting` picks the columns: `pre-contact`, `all` (includes post-contact columns that leak the outcome)
 * or `lead-input` (only what a product `LeadInput` maps to). Deterministic for a given `seed` apart from
 * `createdAt`, which callers may fix. Synchronous; `hooks.onProgress` reports each fold fit and tree.
 */
export function trainTriageModel(
  rows: readonly Record<string, unknown>[],
  target: readonly number[],
  options: TrainOptions,
  hooks: TrainHooks = {},
): TriageModel {
  return fitTriageModel(rows, target, options, hooks);
}

/** The calibrated conversion probability of one record and its largest contributing factors, largest first. */
export function scoreRecord(
  model: TriageModel,
  record: FeatureRecord,
  options: { topFactors?: number } = {},
): TriageScore {
  return explainRecord(model, record, options.topFactors ?? 10);
}

/** Scores a product lead through the dataset mapping (`leadToRecord`). */
export function scoreLead(
  model: TriageModel,
  lead: LeadInput,
  options: { topFactors?: number } = {},
): TriageScore {
  return scoreRecord(model, leadToRecord(lead), options);
}

/** AUC, PR-AUC, Brier, log loss, reliability bins and top-decile lift of the model's probabilities. */
export function evaluateTriageModel(
  model: TriageModel,
  rows: readonly Record<string, unknown>[],
  target: readonly number[],
): TriageEvaluation {
  if (rows.length !== target.length) {
    throw new TriageError(TriageErrorCode.InvalidInput, `${rows.length} rows but ${target.length} labels`);
  }
  return evaluateProbabilities(predictProbabilities(model, rows), target);
}

function checkTrees(gbt: GbtParams, width: number): string | null {
  for (const [t, tree] of gbt.trees.entries()) {
    const size = tree.feature.length;
    const sameLength = [tree.threshold, tree.left, tree.right, tree.value, tree.cover].every(
      (a) => a.length === size,
    );
    if (!sameLength || size === 0) return `tree ${t}: node arrays differ in length`;
    for (let node = 0; node < size; node++) {
      const feature = tree.feature[node]!;
      if (feature >= width) return `tree ${t}: node ${node} splits on slot ${feature} of ${width}`;
      const children = [tree.left[node]!, tree.right[node]!];
      // Children come after their parent, which also rules out cycles.
      if (feature >= 0 && children.some((c) => c <= node || c >= size))
        return `tree ${t}: node ${node} has bad children`;
    }
  }
  return null;
}

/**
 * Validates JSON as a triage model: the zod schema, then the cross-field facts it cannot express (weight
 * and split indices agree with the feature spec's width). Throws `TriageError` with code `invalid_model`.
 */
export function parseTriageModel(json: unknown): TriageModel {
  const parsed = TriageModelSchema.safeParse(json);
  if (!parsed.success) {
    throw new TriageError(TriageErrorCode.InvalidModel, `not a triage model: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  const model = parsed.data;
  const width = featureLayout(model.featureSpec).names.length;
  const problems: string[] = [];
  if (model.kind !== "gbt") {
    const { weights, means } = model.params.logistic;
    if (weights.length !== width || means.length !== width) {
      problems.push(`logistic weights have ${weights.length} entries for ${width} features`);
    }
  }
  if (model.kind !== "logistic") {
    const problem = checkTrees(model.params.gbt, width);
    if (problem) problems.push(problem);
  }
  if (model.calibration.method === "isotonic" && model.calibration.x.length !== model.calibration.y.length) {
    problems.push("isotonic calibration x and y differ in length");
  }
  if (problems.length > 0)
    throw new TriageError(TriageErrorCode.InvalidModel, `inconsistent triage model: ${problems.join("; ")}`);
  return model;
}

/** Reads and validates a model file written by training (e.g. `models/triage-default.json`). */
export async function loadTriageModelFile(path: string): Promise<TriageModel> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new TriageError(TriageErrorCode.InvalidModel, `cannot read the triage model at ${path}`, { cause });
  }
  return parseModelText(text, path);
}

function parseModelText(text: string, path: string): TriageModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new TriageError(TriageErrorCode.InvalidModel, `${path} is not JSON`, { cause });
  }
  return parseTriageModel(json);
}

/** `models/triage-default.json` under the package root, from `src/` (tsx) and from `dist/` alike. */
export function defaultTriageModelPath(): string {
  return join(packageRoot(), "models", "triage-default.json");
}

// The shipped file cannot change while the process runs; parsing ~200 KB on every call would be waste.
let defaultModel: TriageModel | undefined;

/**
 * The model that ships with the package, trained on the X Education data through the `lead-input`
 * columns only, so it can score a product lead before any user training. Read once and cached.
 */
export function loadDefaultTriageModel(): TriageModel {
  if (defaultModel) return defaultModel;
  const path = defaultTriageModelPath();
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new TriageError(TriageErrorCode.InvalidModel, `cannot read the default triage model at ${path}`, {
      cause,
    });
  }
  defaultModel = parseModelText(text, path);
  return defaultModel;
}
