import { z } from "zod";

/**
 * The shape of `report.json`: declared once with zod so a report read back for `--compare` is validated
 * by the same schema that describes what a run writes. Every suite reports flat, named metrics (what the
 * stdout table, the thresholds and the comparison work on) plus free-form sections for the markdown.
 */

export const SUITE_IDS = ["triage", "routing", "optimization", "engagement", "adaptive", "memory"] as const;
export type SuiteId = (typeof SUITE_IDS)[number];

/** `ratio` is shown with `digits` decimals, `percent` as 0–100 %, `integer` grouped, `ms` in milliseconds. */
export const MetricFormat = z.enum(["ratio", "percent", "integer", "decimal", "ms"]);
export type MetricFormat = z.infer<typeof MetricFormat>;

export const ThresholdSchema = z.object({
  op: z.enum([">=", ">", "<=", "<"]),
  value: z.number(),
  /** Says what the bound is when it is not a constant, e.g. "UCB median". */
  label: z.string().optional(),
});
export type Threshold = z.infer<typeof ThresholdSchema>;

export const MetricSchema = z.object({
  /** Stable across runs, so comparison can pair metrics: `auc.pre-contact`, `reward.thompson.median`. */
  id: z.string().min(1),
  label: z.string().min(1),
  value: z.number().nullable(),
  format: MetricFormat.default("decimal"),
  digits: z.number().int().min(0).max(6).default(3),
  unit: z.string().optional(),
  /** Which way is an improvement; `none` for counts and context. */
  better: z.enum(["higher", "lower", "none"]),
  threshold: ThresholdSchema.optional(),
  /** Set when there is a threshold: false fails the suite (and the CI gate). */
  passed: z.boolean().optional(),
});
export type Metric = z.infer<typeof MetricSchema>;
export type MetricInput = z.input<typeof MetricSchema>;

const TextSection = z.object({ kind: z.literal("text"), title: z.string().optional(), text: z.string() });
const TableSection = z.object({
  kind: z.literal("table"),
  title: z.string().optional(),
  columns: z.array(z.string()),
  /** Right-aligned columns (numbers), by index. */
  numeric: z.array(z.number().int()).default([]),
  rows: z.array(z.array(z.string())),
});
const ChartSection = z.object({
  kind: z.literal("chart"),
  title: z.string(),
  /** The SVG's file name, relative to report.md. */
  file: z.string(),
  alt: z.string(),
  caption: z.string().optional(),
});
export const SectionSchema = z.discriminatedUnion("kind", [TextSection, TableSection, ChartSection]);
export type Section = z.infer<typeof SectionSchema>;
export type SectionInput = z.input<typeof SectionSchema>;

export const SuiteStatus = z.enum(["passed", "failed", "skipped", "error"]);
export type SuiteStatus = z.infer<typeof SuiteStatus>;

export const SuiteReportSchema = z.object({
  id: z.enum(SUITE_IDS),
  title: z.string(),
  status: SuiteStatus,
  /** One line for the summary table. */
  summary: z.string(),
  durationMs: z.number().min(0),
  metrics: z.array(MetricSchema),
  sections: z.array(SectionSchema),
});
export type SuiteReport = z.infer<typeof SuiteReportSchema>;

export const REPORT_SCHEMA_VERSION = 1;

export const ReportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  createdAt: z.iso.datetime(),
  /** The command line that produced the report, for the README and for reruns. */
  command: z.string(),
  profile: z.enum(["full", "ci"]),
  status: z.enum(["passed", "failed"]),
  durationMs: z.number().min(0),
  git: z.object({ commit: z.string().nullable(), dirty: z.boolean().nullable() }),
  environment: z.object({ node: z.string(), platform: z.string(), cpus: z.number().int() }),
  dataDir: z.string().nullable(),
  /** Offline unless a model endpoint was configured (then the LLM judge ran: its model name). */
  judge: z.string().nullable(),
  suites: z.array(SuiteReportSchema),
});
export type Report = z.infer<typeof ReportSchema>;

/** A metric with its threshold checked; the single place `passed` is computed. */
export function metric(input: MetricInput): Metric {
  const parsed = MetricSchema.parse(input);
  if (!parsed.threshold) return parsed;
  return { ...parsed, passed: meetsThreshold(parsed.value, parsed.threshold) };
}

/** A missing value never meets a threshold: "could not measure" must not pass a gate. */
export function meetsThreshold(value: number | null, threshold: Threshold): boolean {
  if (value === null || Number.isNaN(value)) return false;
  switch (threshold.op) {
    case ">=":
      return value >= threshold.value;
    case ">":
      return value > threshold.value;
    case "<=":
      return value <= threshold.value;
    case "<":
      return value < threshold.value;
  }
}

/** A suite that ran: failed when any threshold failed, passed otherwise. */
export function statusOf(metrics: readonly Metric[]): "passed" | "failed" {
  return metrics.some((m) => m.passed === false) ? "failed" : "passed";
}

/** The whole run fails when a suite failed or crashed; skipped suites do not fail it. */
export function overallStatus(suites: readonly Pick<SuiteReport, "status">[]): "passed" | "failed" {
  return suites.some((s) => s.status === "failed" || s.status === "error") ? "failed" : "passed";
}
