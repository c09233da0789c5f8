/**
 * Does the learning loop's triage recalibration (src/agents/triage/recalibration.ts) help a tenant whose
 * leads the scoring model misjudges, and leave one it already judges well alone? Measured on the X Education
 * data with the product's own code (the lead-input model, `fitRecalibration`, `recalibrate`):
 *
 * - two "tenants" the model never saw: leads of one kind (working professionals; leads from the "Lead Add
 *   Form" origin), with the model trained on every other lead. The columns that define them are not among
 *   the model's inputs, so it cannot know these leads convert at over 90%: a real shift, not a simulated one.
 * - a control tenant: the seeded 20% hold-out, with the model trained on the other 80% (same population).
 *
 * Per tenant and seed, its leads are shuffled; the second half is scored, the first half's outcomes are
 * recorded one lead at a time, and after n of them the log loss of the recalibrated scores on the second
 * half is divided by the model's own. The database path (outcomes.record → refit → triage) is tested in
 * src/agents/triage/recalibration.int.test.ts; here the question is only whether the numbers get better.
 */
import type { LeadsData } from "../../src/agents/triage/dataset.js";
import { stratifiedSplit } from "../../src/agents/triage/dataset.js";
import { trainTriageModel } from "../../src/agents/triage/model.js";
import { predictProbabilities } from "../../src/agents/triage/predict.js";
import { seededRandom, shuffledIndices } from "../../src/agents/triage/random.js";
import { fitRecalibration, recalibrate } from "../../src/agents/triage/recalibration.js";
import { recalibrationSpec } from "../charts/specs.js";
import { type Metric, metric, type SectionInput } from "../harness/report.js";
import type { ChartOutput, Profile } from "./suite.js";

/** Outcomes recorded before each measurement; `null` = all of the first half. */
const SIZES = [10, 25, 50, 100, 200, null] as const;
const SEEDS: Record<Profile, number> = { full: 10, ci: 3 };
/** Where the metrics and thresholds are read. */
const GATE_AT = 200;
/** A shifted tenant's log loss must fall by at least 15% after 200 outcomes; the control may not rise by 2%. */
const SHIFTED_BAR = 0.85;
const CONTROL_BAR = 1.02;
/** The shipped model's settings (scripts/train-default-model.ts). */
const LEAD_INPUT = {
  kind: "blend",
  setting: "lead-input",
  seed: 42,
  gbt: { trees: 150, maxDepth: 3, learningRate: 0.1 },
} as const;

interface Tenant {
  id: string;
  label: string;
  shifted: boolean;
  probabilities: number[];
  labels: number[];
}

export interface TenantCurve {
  tenant: Tenant;
  /** Per size: mean over seeds of the model's log loss, the recalibrated one, and their ratio. */
  points: { n: number; raw: number; recalibrated: number; ratio: number }[];
}

const pick = <T>(items: readonly T[], indices: readonly number[]) => indices.map((i) => items[i]!);

function logLoss(probabilities: readonly number[], labels: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - 1e-6, Math.max(1e-6, probabilities[i]!));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/** A tenant of the leads whose `column` is `value`, scored by a model trained on all the other leads. */
function unseenGroup(data: LeadsData, id: string, label: string, column: string, value: string): Tenant {
  const member = data.rows.map((row) => String(row[column]) === value);
  const train = data.rows.flatMap((_, i) => (member[i] ? [] : [i]));
  const group = data.rows.flatMap((_, i) => (member[i] ? [i] : []));
  const model = trainTriageModel(pick(data.rows, train), pick(data.target, train), LEAD_INPUT);
  return {
    id,
    label,
    shifted: true,
    probabilities: predictProbabilities(model, pick(data.rows, group)),
    labels: pick(data.target, group),
  };
}

function controlTenant(data: LeadsData): Tenant {
  const split = stratifiedSplit(data.target, 0.2, 42);
  const model = trainTriageModel(pick(data.rows, split.train), pick(data.target, split.train), LEAD_INPUT);
  return {
    id: "control",
    label: "control: hold-out like the training leads",
    shifted: false,
    probabilities: predictProbabilities(model, pick(data.rows, split.test)),
    labels: pick(data.target, split.test),
  };
}

export function tenantCurve(tenant: Tenant, seeds: number): TenantCurve {
  const half = Math.floor(tenant.labels.length / 2);
  const sums = SIZES.map(() => ({ raw: 0, recalibrated: 0 }));
  for (let seed = 1; seed <= seeds; seed++) {
    const order = shuffledIndices(tenant.labels.length, seededRandom(seed));
    const scored = order.slice(half);
    const p = pick(tenant.probabilities, scored);
    const y = pick(tenant.labels, scored);
    const raw = logLoss(p, y);
    SIZES.forEach((size, k) => {
      const recorded = order.slice(0, Math.min(size ?? half, half));
      const fit = fitRecalibration(pick(tenant.probabilities, recorded), pick(tenant.labels, recorded));
      sums[k]!.raw += raw;
      sums[k]!.recalibrated += logLoss(
        p.map((q) => recalibrate(fit, q).probability),
        y,
      );
    });
  }
  return {
    tenant,
    points: SIZES.map((size, k) => ({
      n: Math.min(size ?? half, half),
      raw: sums[k]!.raw / seeds,
      recalibrated: sums[k]!.recalibrated / seeds,
      ratio: sums[k]!.recalibrated / sums[k]!.raw,
    })),
  };
}

export function recalibrationStudy(
  data: LeadsData,
  profile: Profile,
): { curves: TenantCurve[]; metrics: Metric[]; sections: SectionInput[]; charts: ChartOutput[] } {
  const seeds = SEEDS[profile];
  const tenants = [
    unseenGroup(
      data,
      "working-professionals",
      "working professionals",
      "What is your current occupation",
      "Working Professional",
    ),
    unseenGroup(data, "lead-add-form", "Lead Add Form origin", "Lead Origin", "Lead Add Form"),
    controlTenant(data),
  ];
  const curves = tenants.map((tenant) => tenantCurve(tenant, seeds));
  const metrics = curves.map(({ tenant, points }) =>
    metric({
      id: `recalibration.log-loss-ratio.${tenant.id}`,
      label: `log loss after ${GATE_AT} outcomes ÷ before, ${tenant.label}`,
      value: points.find((p) => p.n === GATE_AT)?.ratio ?? null,
      better: "lower",
      threshold: tenant.shifted ? { op: "<=", value: SHIFTED_BAR } : { op: "<=", value: CONTROL_BAR },
    }),
  );
  const rate = (t: Tenant) => t.labels.reduce((a, b) => a + b, 0) / t.labels.length;
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sections: SectionInput[] = [
    {
      kind: "text",
      title: "Outcome recalibration",
      text:
        `Recorded outcomes recalibrate each tenant's triage scores (docs/memory.md). Two tenants the model never saw, whose defining column is not a model input, ` +
        `and a control tenant like the training leads; per seed (${seeds}), half of a tenant's leads are scored and outcomes of the other half are recorded. ` +
        `Gate: after ${GATE_AT} outcomes, log loss falls by at least ${Math.round((1 - SHIFTED_BAR) * 100)}% for the shifted tenants and rises by less than ${Math.round((CONTROL_BAR - 1) * 100)}% for the control.`,
    },
    {
      kind: "table",
      title: "Tenants",
      columns: ["tenant", "leads", "converted", "model's mean score"],
      numeric: [1, 2, 3],
      rows: tenants.map((t) => [
        t.label,
        String(t.labels.length),
        `${(rate(t) * 100).toFixed(1)}%`,
        `${(mean(t.probabilities) * 100).toFixed(1)}%`,
      ]),
    },
    {
      kind: "table",
      title: "Log loss on the scored half, by outcomes recorded (mean over seeds)",
      columns: ["tenant", "outcomes", "model alone", "recalibrated", "ratio"],
      numeric: [1, 2, 3, 4],
      rows: curves.flatMap(({ tenant, points }) =>
        points.map((p) => [
          tenant.label,
          String(p.n),
          p.raw.toFixed(4),
          p.recalibrated.toFixed(4),
          p.ratio.toFixed(3),
        ]),
      ),
    },
    {
      kind: "chart",
      title: "Log loss ratio as outcomes are recorded",
      file: "triage-recalibration.svg",
      alt: "Log loss of recalibrated scores divided by the model's, against outcomes recorded, per tenant",
    },
  ];
  const charts: ChartOutput[] = [
    {
      file: "triage-recalibration.svg",
      spec: recalibrationSpec(
        curves.flatMap(({ tenant, points }) =>
          points.map((p) => ({ series: tenant.label, x: p.n, y: p.ratio })),
        ),
        `X Education leads, lead-input model, ${seeds} seeds; 1 = the model alone`,
      ),
    },
  ];
  return { curves, metrics, sections, charts };
}
