import type { z } from "zod";
import { calibrate } from "./calibration.js";
import { compileFeatureSpec, type FeatureEncoder, type FeatureRecord } from "./features.js";
import { gbtMargin } from "./gbt.js";
import { logisticContributions, logisticMargin } from "./logistic.js";
import type { TriageModelSchema } from "./model-schema.js";
import { gbtContributions } from "./tree-shap.js";

type TriageModel = z.infer<typeof TriageModelSchema>;

/** One reason behind a score, in log-odds relative to an average training lead. */
export interface TriageFactor {
  /** Readable: `source=Reference`, `log(totalVisits)`, `occupation=missing`. */
  feature: string;
  contribution: number;
  direction: "+" | "-";
}

export interface TriageScore {
  probability: number;
  factors: TriageFactor[];
}

interface CompiledModel {
  encoder: FeatureEncoder;
  margin(x: ArrayLike<number>): number;
  /** Per encoded slot; they sum to margin(x) minus the margin of an average training lead. */
  contributions(x: ArrayLike<number>): Float64Array;
}

/** Models are immutable once trained or parsed, so the compiled form is cached per object. */
const compiledModels = new WeakMap<TriageModel, CompiledModel>();

function compile(model: TriageModel): CompiledModel {
  const cached = compiledModels.get(model);
  if (cached) return cached;
  const encoder = compileFeatureSpec(model.featureSpec);
  let compiled: CompiledModel;
  if (model.kind === "logistic") {
    const { logistic } = model.params;
    compiled = {
      encoder,
      margin: (x) => logisticMargin(logistic, x),
      contributions: (x) => logisticContributions(logistic, x),
    };
  } else if (model.kind === "gbt") {
    const { gbt } = model.params;
    compiled = {
      encoder,
      margin: (x) => gbtMargin(gbt, x),
      contributions: (x) => gbtContributions(gbt, x, encoder.width),
    };
  } else {
    const { logistic, gbt, logisticWeight: w } = model.params;
    compiled = {
      encoder,
      margin: (x) => w * logisticMargin(logistic, x) + (1 - w) * gbtMargin(gbt, x),
      contributions: (x) => {
        const linear = logisticContributions(logistic, x);
        const trees = gbtContributions(gbt, x, encoder.width);
        for (let j = 0; j < linear.length; j++) linear[j] = w * linear[j]! + (1 - w) * trees[j]!;
        return linear;
      },
    };
  }
  compiledModels.set(model, compiled);
  return compiled;
}

/** Calibrated probabilities for many records, without explanations (evaluation, batch scoring). */
export function predictProbabilities(model: TriageModel, records: readonly FeatureRecord[]): number[] {
  const { encoder, margin } = compile(model);
  const x = new Float64Array(encoder.width);
  return records.map((record) => calibrate(model.calibration, margin(encoder.encode(record, x))));
}

/**
 * The calibrated probability and the `topFactors` largest contributions, one per input column (all of
 * a column's one-hot slots summed, named by the value this record has). Under Platt calibration the
 * contributions are multiplied by its slope, so they are in the calibrated log-odds scale.
 */
export function explainRecord(model: TriageModel, record: FeatureRecord, topFactors = 5): TriageScore {
  const { encoder, margin, contributions } = compile(model);
  const x = encoder.encode(record);
  const probability = calibrate(model.calibration, margin(x));
  const slots = contributions(x);
  const scale = model.calibration.method === "platt" ? model.calibration.a : 1;
  const byColumn = new Float64Array(model.featureSpec.columns.length);
  slots.forEach((value, slot) => {
    byColumn[encoder.layout.columnOf[slot]!]! += value * scale;
  });
  const factors: TriageFactor[] = [];
  byColumn.forEach((contribution, column) => {
    // Below this a factor is rounding noise, not a reason worth showing a person.
    if (Math.abs(contribution) < 1e-6) return;
    factors.push({
      feature: encoder.describe(record, column),
      contribution,
      direction: contribution > 0 ? "+" : "-",
    });
  });
  factors.sort(
    (a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || (a.feature < b.feature ? -1 : 1),
  );
  return { probability, factors: factors.slice(0, topFactors) };
}
