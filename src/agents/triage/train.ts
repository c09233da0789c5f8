import { z } from "zod";
import { type Calibration, calibrate, fitCalibration, fitPlatt } from "./calibration.js";
import { columnsOf, featureConfigFor, stratifiedFolds, TRIAGE_SETTINGS } from "./dataset.js";
import { TriageError, TriageErrorCode } from "./errors.js";
import { compileFeatureSpec, type EncodedMatrix, type FeatureRecord, fitFeatureSpec } from "./features.js";
import { type GbtParams, gbtMargin, trainGbt } from "./gbt.js";
import { type LogisticParams, logisticMargin, trainLogistic } from "./logistic.js";
import {
  averagePrecision,
  brierScore,
  calibrationBins,
  expectedCalibrationError,
  liftAtTop,
  logLoss,
  rocAuc,
} from "./metrics.js";
import { type Evaluation, TRIAGE_MODEL_VERSION, type TriageModelSchema } from "./model-schema.js";

type TriageModel = z.infer<typeof TriageModelSchema>;

/**
 * The training recipe. Out-of-fold predictions (k-fold cross-fitting) stand in for a held-out set: every
 * training row is scored once by a model that did not see it, the blend weight and the calibrator are
 * fitted on those scores, and the final components are refitted on all rows. No row is wasted on
 * calibration, and no test row is ever touched.
 */

export const TrainOptionsSchema = z.object({
  kind: z.enum(["logistic", "gbt", "blend"]),
  setting: z.enum(TRIAGE_SETTINGS),
  seed: z.number().int(),
  folds: z.number().int().min(2).max(20).default(5),
  calibration: z.enum(["platt", "isotonic", "none"]).default("platt"),
  /** λ of the logistic regression's L2 penalty on standardised inputs. */
  logisticL2: z.number().positive().default(1),
  gbt: z
    .object({
      trees: z.number().int().min(1).default(300),
      maxDepth: z.number().int().min(1).max(8).default(4),
      learningRate: z.number().positive().max(1).default(0.05),
      subsample: z.number().positive().max(1).default(0.8),
      colsample: z.number().positive().max(1).default(0.8),
      minSamplesLeaf: z.number().int().min(1).default(5),
      l2: z.number().min(0).default(1),
    })
    .prefault({}),
  /** ISO timestamp to record; fixed by callers that want byte-identical output. */
  createdAt: z.iso.datetime().optional(),
});

export type TrainOptions = z.input<typeof TrainOptionsSchema>;
type ParsedOptions = z.output<typeof TrainOptionsSchema>;

/**
 * How far training has got, in work units: one per logistic fit and one per tree, over the k fold fits and
 * the final fit. `stage` says which fit is running, for a person watching.
 */
export interface TrainProgress {
  done: number;
  total: number;
  stage: string;
}

/** Callbacks that watch training; not part of the options because they are not part of the recipe. */
export interface TrainHooks {
  onProgress?: (progress: TrainProgress) => void;
}

/** Summary metrics of calibrated probabilities against 0/1 labels. */
export function evaluateProbabilities(
  probabilities: readonly number[],
  labels: readonly number[],
): Evaluation {
  const bins = calibrationBins(probabilities, labels, 10);
  return {
    n: labels.length,
    auc: rocAuc(probabilities, labels),
    prAuc: averagePrecision(probabilities, labels),
    brier: brierScore(probabilities, labels),
    logLoss: logLoss(probabilities, labels),
    calibration: bins,
    ece: expectedCalibrationError(bins),
    liftTopDecile: liftAtTop(probabilities, labels, 0.1),
  };
}

function selectRows(x: EncodedMatrix, rows: readonly number[]): EncodedMatrix {
  const data = new Float64Array(rows.length * x.cols);
  rows.forEach((r, i) => {
    data.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), i * x.cols);
  });
  return { rows: rows.length, cols: x.cols, data };
}

interface Components {
  logistic?: LogisticParams;
  gbt?: GbtParams;
}

/** Work units of one fit: the logistic regression counts as one, each tree as one. */
const unitsPerFit = (o: ParsedOptions) =>
  (o.kind !== "gbt" ? 1 : 0) + (o.kind !== "logistic" ? o.gbt.trees : 0);

function fitComponents(
  x: EncodedMatrix,
  y: readonly number[],
  o: ParsedOptions,
  seed: number,
  advance: (units: number) => void,
): Components {
  const components: Components = {};
  if (o.kind !== "gbt") {
    components.logistic = trainLogistic(x, y, { l2: o.logisticL2 });
    advance(1);
  }
  if (o.kind !== "logistic") components.gbt = trainGbt(x, y, { ...o.gbt, seed }, () => advance(1));
  return components;
}

/** Blend weights tried for the logistic part; 0 and 1 are the pure models. */
const BLEND_GRID = Array.from({ length: 11 }, (_, i) => i / 10);

/** The logistic weight whose Platt-calibrated blend has the lowest out-of-fold log loss. */
function chooseBlendWeight(linear: Float64Array, trees: Float64Array, y: readonly number[]): number {
  let best = { weight: 0, loss: Number.POSITIVE_INFINITY };
  for (const weight of BLEND_GRID) {
    const blended = linear.map((v, i) => weight * v + (1 - weight) * trees[i]!);
    const platt = fitPlatt(blended, y);
    const loss = logLoss(
      Array.from(blended, (m) => calibrate(platt, m)),
      y,
    );
    if (loss < best.loss) best = { weight, loss };
  }
  return best.weight;
}

export function fitTriageModel(
  rows: readonly FeatureRecord[],
  target: readonly number[],
  options: TrainOptions,
  hooks: TrainHooks = {},
): TriageModel {
  const o = TrainOptionsSchema.parse(options);
  if (rows.length !== target.length) {
    throw new TriageError(TriageErrorCode.InvalidInput, `${rows.length} rows but ${target.length} labels`);
  }
  if (target.some((y) => y !== 0 && y !== 1)) {
    throw new TriageError(TriageErrorCode.InvalidInput, "labels must be 0 or 1");
  }
  const positives = target.reduce((sum, y) => sum + y, 0);
  if (positives < o.folds || rows.length - positives < o.folds) {
    throw new TriageError(
      TriageErrorCode.InvalidInput,
      `need at least ${o.folds} rows of each class for ${o.folds} folds`,
    );
  }

  const featureSpec = fitFeatureSpec(rows, featureConfigFor(o.setting, columnsOf(rows)));
  if (featureSpec.columns.length === 0) {
    throw new TriageError(TriageErrorCode.InvalidInput, `no usable columns for setting "${o.setting}"`);
  }
  const encoder = compileFeatureSpec(featureSpec);
  const x = encoder.encodeAll(rows);

  const total = (o.folds + 1) * unitsPerFit(o);
  let done = 0;
  let stage = "";
  const advance = (units: number) => {
    done += units;
    hooks.onProgress?.({ done, total, stage });
  };

  const foldOf = stratifiedFolds(target, o.folds, o.seed);
  const linear = new Float64Array(rows.length);
  const trees = new Float64Array(rows.length);
  for (let fold = 0; fold < o.folds; fold++) {
    const fitRows: number[] = [];
    const heldRows: number[] = [];
    foldOf.forEach((f, i) => {
      (f === fold ? heldRows : fitRows).push(i);
    });
    stage = `fold ${fold + 1}/${o.folds}`;
    const components = fitComponents(
      selectRows(x, fitRows),
      fitRows.map((i) => target[i]!),
      o,
      o.seed + fold + 1,
      advance,
    );
    for (const i of heldRows) {
      const row = x.data.subarray(i * x.cols, (i + 1) * x.cols);
      if (components.logistic) linear[i] = logisticMargin(components.logistic, row);
      if (components.gbt) trees[i] = gbtMargin(components.gbt, row);
    }
  }

  const logisticWeight =
    o.kind === "blend" ? chooseBlendWeight(linear, trees, target) : o.kind === "logistic" ? 1 : 0;
  const outOfFold = linear.map((v, i) => logisticWeight * v + (1 - logisticWeight) * trees[i]!);
  const calibration: Calibration = fitCalibration(o.calibration, outOfFold, target);
  const crossValidated = evaluateProbabilities(
    Array.from(outOfFold, (m) => calibrate(calibration, m)),
    target,
  );

  stage = "final fit";
  const final = fitComponents(x, target, o, o.seed, advance);
  const version = TRIAGE_MODEL_VERSION;
  const createdAt = o.createdAt ?? new Date().toISOString();
  const tail = {
    calibration,
    metrics: { crossValidated, holdout: null },
    trainedOn: {
      rows: rows.length,
      setting: o.setting,
      seed: o.seed,
      folds: o.folds,
      positiveRate: positives / rows.length,
    },
  };
  if (o.kind === "logistic") {
    return {
      version,
      kind: "logistic",
      createdAt,
      featureSpec,
      params: { logistic: final.logistic! },
      ...tail,
    };
  }
  if (o.kind === "gbt")
    return { version, kind: "gbt", createdAt, featureSpec, params: { gbt: final.gbt! }, ...tail };
  const params = { logistic: final.logistic!, gbt: final.gbt!, logisticWeight };
  return { version, kind: "blend", createdAt, featureSpec, params, ...tail };
}
