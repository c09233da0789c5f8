import { z } from "zod";
import { CalibrationSchema } from "./calibration.js";
import { TRIAGE_SETTINGS } from "./dataset.js";
import { FeatureSpecSchema } from "./features.js";
import { GbtParamsSchema } from "./gbt.js";
import { LogisticParamsSchema } from "./logistic.js";
import { CalibrationBinSchema } from "./metrics.js";

/**
 * The serialized triage model: plain JSON, the one shape written by training, shipped in
 * `models/triage-default.json` and read back by `parseTriageModel`.
 */

export const TRIAGE_MODEL_VERSION = 1;

export const EvaluationSchema = z.object({
  n: z.number().int().min(1),
  auc: z.number(),
  prAuc: z.number(),
  brier: z.number(),
  logLoss: z.number(),
  /** Ten equal-width reliability bins; empty bins are omitted. */
  calibration: z.array(CalibrationBinSchema),
  /** Expected calibration error over those bins. */
  ece: z.number(),
  liftTopDecile: z.number(),
});

export type Evaluation = z.infer<typeof EvaluationSchema>;

const MetricsSchema = z.object({
  /**
   * Out-of-fold predictions over the training rows, after calibration. The calibrator was fitted on these
   * same predictions, so the calibration figures are slightly flattering; ranking figures are not.
   */
  crossValidated: EvaluationSchema,
  /** The same recipe trained on the other rows of a seeded split and scored on `testFraction` of them. */
  holdout: EvaluationSchema.extend({ testFraction: z.number(), seed: z.number().int() }).nullable(),
});

const TrainedOnSchema = z.object({
  rows: z.number().int().min(1),
  setting: z.enum(TRIAGE_SETTINGS),
  seed: z.number().int(),
  /** Folds used to produce the out-of-fold predictions the calibrator was fitted on. */
  folds: z.number().int().min(2),
  positiveRate: z.number().min(0).max(1),
});

/** One variant per model kind, fields in the order the JSON file shows them. */
function variant<K extends string, P extends z.ZodType>(kind: K, params: P) {
  return z.object({
    version: z.literal(TRIAGE_MODEL_VERSION),
    kind: z.literal(kind),
    createdAt: z.iso.datetime(),
    featureSpec: FeatureSpecSchema,
    params,
    calibration: CalibrationSchema,
    metrics: MetricsSchema,
    trainedOn: TrainedOnSchema,
  });
}

export const TriageModelSchema = z.discriminatedUnion("kind", [
  variant("logistic", z.object({ logistic: LogisticParamsSchema })),
  variant("gbt", z.object({ gbt: GbtParamsSchema })),
  variant(
    "blend",
    z.object({
      logistic: LogisticParamsSchema,
      gbt: GbtParamsSchema,
      /** The margin is w·logistic + (1 − w)·gbt, w chosen on out-of-fold log loss. */
      logisticWeight: z.number().min(0).max(1),
    }),
  ),
]);

export type TriageModelKind = z.infer<typeof TriageModelSchema>["kind"];
