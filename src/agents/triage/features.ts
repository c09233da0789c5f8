import { z } from "zod";

/**
 * A generic, fitted feature pipeline: records with loosely typed cells in, dense vectors with readable
 * feature names out. Nothing here knows about leads; `dataset.ts` says which columns to use.
 *
 * Fitting learns only from the records, never from the target, so it may see every training row.
 *
 * The file stays whole past 300 lines on purpose: fitting and encoding must parse cells by the same rules
 * (missing tokens, case folding, imputation), and keeping both halves side by side keeps them in step.
 */

export type FeatureRecord = Readonly<Record<string, unknown>>;

const NumericTransformSchema = z.enum(["identity", "log1p"]);
export type NumericTransform = z.infer<typeof NumericTransformSchema>;

const NumericColumnSchema = z.object({
  kind: z.literal("numeric"),
  column: z.string(),
  name: z.string(),
  transform: NumericTransformSchema,
  /** Median of the transformed training values, used when a value is missing. */
  fill: z.number(),
  /** Transformed values are clipped to the training range, so an outlier cannot dominate a linear score. */
  min: z.number(),
  max: z.number(),
  /** Whether an extra `name=missing` slot follows the value slot; without one, missing means `fill`. */
  missingIndicator: z.boolean(),
});

const CategoricalColumnSchema = z.object({
  kind: z.literal("categorical"),
  column: z.string(),
  name: z.string(),
  /** One slot per level, most frequent first, each as spelled most often in the training data. */
  levels: z.array(z.string()),
  /** A `name=other` slot for rare and unseen values; without one, an unseen value counts as the first level. */
  other: z.boolean(),
  /** A `name=missing` slot; without one, a missing value counts as the first (most frequent) level. */
  missing: z.boolean(),
});

export const FeatureSpecSchema = z.object({
  /** Cell values that mean "not answered", compared trimmed and case-insensitively. */
  missingTokens: z.array(z.string()),
  columns: z.array(z.discriminatedUnion("kind", [NumericColumnSchema, CategoricalColumnSchema])),
});

export type FeatureSpec = z.infer<typeof FeatureSpecSchema>;
export type NumericColumn = z.infer<typeof NumericColumnSchema>;
export type CategoricalColumn = z.infer<typeof CategoricalColumnSchema>;
export type FeatureColumn = FeatureSpec["columns"][number];

/**
 * How a missing value is encoded. `indicator` (the default) gives missingness its own slot when training
 * data had any, so a model can learn what "not answered" means. `impute` fills in the median or the most
 * frequent level instead: right when a value is missing for reasons unrelated to the outcome, e.g. a
 * product that simply does not track it.
 */
export type MissingPolicy = "indicator" | "impute";

/** What to learn a `FeatureSpec` from. */
export interface FeatureConfig {
  numeric: readonly {
    column: string;
    name?: string;
    transform?: NumericTransform;
    missing?: MissingPolicy;
  }[];
  categorical: readonly { column: string; name?: string; minCount?: number; missing?: MissingPolicy }[];
  /** Defaults to the empty string only; null and undefined are always missing. */
  missingTokens?: readonly string[];
  /** Levels seen fewer times than this are grouped into `name=other`. */
  minCount?: number;
}

const DEFAULT_MIN_COUNT = 20;

/** Encoded records, row-major: row `r`, slot `c` is `data[r * cols + c]`. */
export interface EncodedMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

function isMissingText(text: string, missingTokens: ReadonlySet<string>): boolean {
  return text === "" || missingTokens.has(text.toLowerCase());
}

function tokenSet(tokens: readonly string[]): Set<string> {
  return new Set(tokens.map((t) => t.trim().toLowerCase()));
}

/** A cell as text, or null when missing. Booleans become "Yes"/"No", the dataset's spelling. */
function categoricalCell(value: unknown, missingTokens: ReadonlySet<string>): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : null;
  if (typeof value !== "string") return null;
  const text = value.trim();
  return isMissingText(text, missingTokens) ? null : text;
}

function numericCell(value: unknown, missingTokens: ReadonlySet<string>): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "string") return null;
  const text = value.trim();
  if (isMissingText(text, missingTokens)) return null;
  const parsed = Number(text);
  return Number.isFinite(parsed) ? parsed : null;
}

function applyTransform(transform: NumericTransform, value: number): number {
  // Counts and durations are never negative; clamping keeps log1p defined for bad input.
  return transform === "log1p" ? Math.log1p(Math.max(0, value)) : value;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Learns vocabularies, fill values and ranges from `records`. Columns that turn out constant (a single
 * level and nothing else) are dropped, since they carry no information and would only confuse a solver.
 */
export function fitFeatureSpec(records: readonly FeatureRecord[], config: FeatureConfig): FeatureSpec {
  const missingTokens = [...(config.missingTokens ?? [])];
  const tokens = tokenSet(missingTokens);
  const columns: FeatureColumn[] = [];

  for (const { column, name = column, transform = "identity", missing = "indicator" } of config.numeric) {
    const values: number[] = [];
    let missingCount = 0;
    for (const record of records) {
      const value = numericCell(record[column], tokens);
      if (value === null) missingCount++;
      else values.push(applyTransform(transform, value));
    }
    if (values.length === 0) continue;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const missingIndicator = missing === "indicator" && missingCount > 0;
    if (min === max && !missingIndicator) continue;
    columns.push({
      kind: "numeric",
      column,
      name,
      transform,
      fill: median(values),
      min,
      max,
      missingIndicator,
    });
  }

  for (const {
    column,
    name = column,
    minCount = config.minCount ?? DEFAULT_MIN_COUNT,
    missing = "indicator",
  } of config.categorical) {
    const counts = new Map<string, number>();
    const spellings = new Map<string, Map<string, number>>();
    let missingCount = 0;
    for (const record of records) {
      const text = categoricalCell(record[column], tokens);
      if (text === null) {
        missingCount++;
        continue;
      }
      const key = text.toLowerCase();
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const spelled = spellings.get(key) ?? new Map<string, number>();
      spelled.set(text, (spelled.get(text) ?? 0) + 1);
      spellings.set(key, spelled);
    }
    const byFrequency = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const kept = byFrequency.filter(([, count]) => count >= minCount);
    const other = kept.length < byFrequency.length;
    const levels = kept.map(([key]) => mostFrequentSpelling(spellings.get(key)!));
    const missingSlot = missing === "indicator" && missingCount > 0;
    const slots = levels.length + (other ? 1 : 0) + (missingSlot ? 1 : 0);
    if (slots <= 1) continue;
    columns.push({ kind: "categorical", column, name, levels, other, missing: missingSlot });
  }

  return { missingTokens, columns };
}

function mostFrequentSpelling(spellings: Map<string, number>): string {
  return [...spellings.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}

/** Readable names, one per slot of an encoded vector, and the spec column each slot belongs to. */
export interface FeatureLayout {
  names: string[];
  columnOf: number[];
}

function numericLabel(column: NumericColumn): string {
  return column.transform === "log1p" ? `log(${column.name})` : column.name;
}

export function featureLayout(spec: FeatureSpec): FeatureLayout {
  const names: string[] = [];
  const columnOf: number[] = [];
  spec.columns.forEach((column, index) => {
    const push = (name: string) => {
      names.push(name);
      columnOf.push(index);
    };
    if (column.kind === "numeric") {
      push(numericLabel(column));
      if (column.missingIndicator) push(`${column.name}=missing`);
      return;
    }
    for (const level of column.levels) push(`${column.name}=${level}`);
    if (column.other) push(`${column.name}=other`);
    if (column.missing) push(`${column.name}=missing`);
  });
  return { names, columnOf };
}

/**
 * A compiled encoder: lookups are built once per spec, not once per record, because training encodes
 * thousands of records and scoring explains every one.
 */
export interface FeatureEncoder {
  spec: FeatureSpec;
  layout: FeatureLayout;
  width: number;
  /** Writes the record's slots into `out` (zeroed first) and returns it. */
  encode(record: FeatureRecord, out?: Float64Array): Float64Array;
  encodeAll(records: readonly FeatureRecord[]): EncodedMatrix;
  /** How a column reads for this record in an explanation: `source=Reference`, `log(totalVisits)`. */
  describe(record: FeatureRecord, columnIndex: number): string;
}

type CompiledColumn =
  | { kind: "numeric"; offset: number; column: NumericColumn }
  | { kind: "categorical"; offset: number; column: CategoricalColumn; index: Map<string, number> };

export function compileFeatureSpec(spec: FeatureSpec): FeatureEncoder {
  const layout = featureLayout(spec);
  const tokens = tokenSet(spec.missingTokens);
  const compiled: CompiledColumn[] = [];
  let offset = 0;
  for (const column of spec.columns) {
    if (column.kind === "numeric") {
      compiled.push({ kind: "numeric", offset, column });
      offset += column.missingIndicator ? 2 : 1;
    } else {
      const index = new Map(column.levels.map((level, i) => [level.toLowerCase(), i]));
      compiled.push({ kind: "categorical", offset, column, index });
      offset += column.levels.length + (column.other ? 1 : 0) + (column.missing ? 1 : 0);
    }
  }
  const width = offset;

  /**
   * The slot a categorical value lights up and whether it was imputed. Imputing the most frequent level
   * (rather than lighting nothing) keeps an unknown value close to neutral: an all-zero one-hot group
   * is a combination no training row had, and a linear model would score it far from average.
   */
  const categoricalSlot = (entry: Extract<CompiledColumn, { kind: "categorical" }>, text: string | null) => {
    const { column } = entry;
    const imputed = { slot: column.levels.length > 0 ? 0 : -1, imputed: true };
    if (text === null) {
      return column.missing
        ? { slot: column.levels.length + (column.other ? 1 : 0), imputed: false }
        : imputed;
    }
    const level = entry.index.get(text.toLowerCase());
    if (level !== undefined) return { slot: level, imputed: false };
    return column.other ? { slot: column.levels.length, imputed: false } : imputed;
  };

  const encode = (record: FeatureRecord, out = new Float64Array(width)) => {
    out.fill(0);
    for (const entry of compiled) {
      const raw = record[entry.column.column];
      if (entry.kind === "numeric") {
        const { column } = entry;
        const value = numericCell(raw, tokens);
        const transformed = value === null ? column.fill : applyTransform(column.transform, value);
        out[entry.offset] = Math.min(column.max, Math.max(column.min, transformed));
        if (column.missingIndicator && value === null) out[entry.offset + 1] = 1;
      } else {
        const { slot } = categoricalSlot(entry, categoricalCell(raw, tokens));
        if (slot >= 0) out[entry.offset + slot] = 1;
      }
    }
    return out;
  };

  const encodeAll = (records: readonly FeatureRecord[]): EncodedMatrix => {
    const data = new Float64Array(records.length * width);
    const row = new Float64Array(width);
    records.forEach((record, r) => {
      data.set(encode(record, row), r * width);
    });
    return { rows: records.length, cols: width, data };
  };

  const describe = (record: FeatureRecord, columnIndex: number): string => {
    const entry = compiled[columnIndex]!;
    const raw = record[entry.column.column];
    if (entry.kind === "numeric") {
      if (numericCell(raw, tokens) !== null) return numericLabel(entry.column);
      return entry.column.missingIndicator ? `${entry.column.name}=missing` : `${entry.column.name}=unknown`;
    }
    const { slot, imputed } = categoricalSlot(entry, categoricalCell(raw, tokens));
    return imputed || slot < 0 ? `${entry.column.name}=unknown` : layout.names[entry.offset + slot]!;
  };

  return { spec, layout, width, encode, encodeAll, describe };
}
