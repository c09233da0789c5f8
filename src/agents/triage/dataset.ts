import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import type { LeadInput } from "../../db/lead-input.js";
import { TriageError, TriageErrorCode } from "./errors.js";
import type { FeatureConfig, FeatureRecord, MissingPolicy } from "./features.js";
import { packageRoot } from "./package-root.js";
import { seededRandom, shuffledIndices } from "./random.js";

/**
 * The X Education lead-scoring data (see /work/shared/datasets/README.md) and how the product's leads map
 * onto it. The data has no redistribution licence: it is read at training time and never copied here.
 */

/**
 * Which columns a model may use.
 * - `pre-contact`: everything known at first touch.
 * - `all`: adds the columns the sales team writes after contact, which leak the outcome.
 * - `lead-input`: only what the product's `LeadInput` can supply, through `leadToRecord`.
 */
export type TriageSetting = "pre-contact" | "all" | "lead-input";
export const TRIAGE_SETTINGS = [
  "pre-contact",
  "all",
  "lead-input",
] as const satisfies readonly TriageSetting[];

export const TARGET_COLUMN = "Converted";
export const ID_COLUMNS = ["Prospect ID", "Lead Number"] as const;
export const POST_CONTACT_COLUMNS = [
  "Tags",
  "Lead Quality",
  "Lead Profile",
  "Asymmetrique Activity Index",
  "Asymmetrique Profile Index",
  "Asymmetrique Activity Score",
  "Asymmetrique Profile Score",
  "Last Notable Activity",
] as const;

/** Dataset column → the product's field name, which is also the readable name in explanations. */
export const LEAD_INPUT_COLUMNS = {
  "Lead Source": "source",
  TotalVisits: "totalVisits",
  "Total Time Spent on Website": "timeOnSite",
  "Page Views Per Visit": "pageViewsPerVisit",
  "Last Activity": "lastActivity",
  "Do Not Email": "doNotEmail",
  "What is your current occupation": "occupation",
} as const satisfies Record<string, string>;

/** Counts and durations: heavy right tails, so they enter as log(1 + x). */
const LOG_COLUMNS = new Set(["TotalVisits", "Total Time Spent on Website", "Page Views Per Visit"]);
/** Numeric scores on a short bounded scale, used as they are. */
const PLAIN_NUMERIC_COLUMNS = new Set(["Asymmetrique Activity Score", "Asymmetrique Profile Score"]);
/** The web form's unanswered dropdown reads "Select"; it means the same as an empty cell. */
export const MISSING_TOKENS = ["Select"] as const;

export interface LeadsData {
  /** One record per lead, keyed by the CSV header, without the target column. */
  rows: Record<string, string>[];
  /** 1 if the lead converted. */
  target: number[];
  columns: string[];
}

/** Parses the CSV text; pure, so tests can feed a few hand-written lines. */
export function parseLeadsCsv(text: string): LeadsData {
  const records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<
    string,
    string
  >[];
  const first = records[0];
  if (!first) throw new TriageError(TriageErrorCode.InvalidInput, "the leads CSV has no rows");
  if (!(TARGET_COLUMN in first)) {
    const found = Object.keys(first).slice(0, 12).join(", ");
    throw new TriageError(
      TriageErrorCode.InvalidInput,
      `the leads CSV has no "${TARGET_COLUMN}" column (the 0/1 outcome); its columns: ${found}` +
        (Object.keys(first).length > 12 ? ", …" : ""),
    );
  }
  const columns = Object.keys(first).filter((c) => c !== TARGET_COLUMN);
  const target: number[] = [];
  const rows = records.map((record, i) => {
    const label = record[TARGET_COLUMN];
    if (label !== "0" && label !== "1") {
      throw new TriageError(
        TriageErrorCode.InvalidInput,
        `row ${i + 2}: ${TARGET_COLUMN} must be 0 or 1, got "${label}"`,
      );
    }
    target.push(label === "1" ? 1 : 0);
    const { [TARGET_COLUMN]: _label, ...features } = record;
    return features;
  });
  return { rows, target, columns };
}

export function readLeadsCsv(path: string): LeadsData {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new TriageError(TriageErrorCode.DatasetUnavailable, `cannot read the leads CSV at ${path}`, {
      cause,
    });
  }
  return parseLeadsCsv(text);
}

/**
 * Where the leads CSV is expected: `$DATASETS_DIR/leads/leads.csv`, else the shared datasets folder beside
 * the repository (`../shared/datasets/leads/leads.csv`). Returns null when the file is not there.
 */
export function defaultLeadsCsvPath(env: NodeJS.ProcessEnv = process.env): string | null {
  const base = env.DATASETS_DIR
    ? resolve(env.DATASETS_DIR)
    : resolve(packageRoot(), "..", "shared", "datasets");
  const path = join(base, "leads", "leads.csv");
  return existsSync(path) ? path : null;
}

/** The columns a setting may use, out of those present. */
export function columnsForSetting(setting: TriageSetting, available: readonly string[]): string[] {
  const excluded = new Set<string>([TARGET_COLUMN, ...ID_COLUMNS]);
  if (setting === "lead-input") return available.filter((c) => c in LEAD_INPUT_COLUMNS);
  if (setting === "pre-contact") for (const c of POST_CONTACT_COLUMNS) excluded.add(c);
  return available.filter((c) => !excluded.has(c));
}

/**
 * Columns whose missing values a `lead-input` model imputes instead of learning from. In the CSV a missing
 * source, activity or visit count is a data-entry artefact that happens to convert well; on a product lead
 * it only means the product did not record it, and must not move the score. A missing occupation stays
 * informative (the lead skipped the question), and "Do Not Email" is never missing in the data, so an
 * absent `doNotEmail` counts as its commonest answer, "No".
 */
const LEAD_INPUT_IMPUTED = new Set([
  "Lead Source",
  "Last Activity",
  "TotalVisits",
  "Total Time Spent on Website",
  "Page Views Per Visit",
]);

/** The feature pipeline configuration for a setting: which columns, numeric or categorical, how named. */
export function featureConfigFor(setting: TriageSetting, available: readonly string[]): FeatureConfig {
  const columns = columnsForSetting(setting, available);
  const nameOf = (column: string) => (LEAD_INPUT_COLUMNS as Record<string, string>)[column] ?? column;
  const missingOf = (column: string): MissingPolicy =>
    setting === "lead-input" && LEAD_INPUT_IMPUTED.has(column) ? "impute" : "indicator";
  return {
    numeric: columns
      .filter((c) => LOG_COLUMNS.has(c) || PLAIN_NUMERIC_COLUMNS.has(c))
      .map((column) => ({
        column,
        name: nameOf(column),
        transform: LOG_COLUMNS.has(column) ? "log1p" : "identity",
        missing: missingOf(column),
      })),
    categorical: columns
      .filter((c) => !LOG_COLUMNS.has(c) && !PLAIN_NUMERIC_COLUMNS.has(c))
      .map((column) => ({ column, name: nameOf(column), missing: missingOf(column) })),
    missingTokens: [...MISSING_TOKENS],
    minCount: 20,
  };
}

/** Every column name appearing in any record, in first-seen order. */
export function columnsOf(records: readonly FeatureRecord[]): string[] {
  const seen = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) seen.add(key);
  return [...seen];
}

export interface Split {
  train: number[];
  test: number[];
}

/**
 * A seeded, stratified split: positives and negatives are shuffled separately and `testFraction` of each
 * (rounded) goes to test, so both parts keep the base rate. Indices come back ascending.
 */
export function stratifiedSplit(target: readonly number[], testFraction: number, seed: number): Split {
  const random = seededRandom(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const label of [0, 1]) {
    const members = target.flatMap((y, i) => ((y === 1 ? 1 : 0) === label ? [i] : []));
    const order = shuffledIndices(members.length, random);
    const testCount = Math.round(members.length * testFraction);
    order.forEach((position, k) => {
      (k < testCount ? test : train).push(members[position]!);
    });
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

/**
 * `folds` seeded stratified folds: fold k is every row whose position in its class's shuffled order is
 * k modulo `folds`. Returns each row's fold number.
 */
export function stratifiedFolds(target: readonly number[], folds: number, seed: number): number[] {
  const random = seededRandom(seed);
  const foldOf = new Array<number>(target.length).fill(0);
  for (const label of [0, 1]) {
    const members = target.flatMap((y, i) => ((y === 1 ? 1 : 0) === label ? [i] : []));
    shuffledIndices(members.length, random).forEach((position, k) => {
      foldOf[members[position]!] = k % folds;
    });
  }
  return foldOf;
}

/**
 * The dataset's occupation answer guessed from a job title. Rule, first match wins (case-insensitive):
 * "student", "intern", "undergrad", "pupil" → Student; "unemployed", "job seeker", "seeking",
 * "looking for", "between jobs", "career break" → Unemployed; "housewife", "homemaker", "stay-at-home" →
 * Housewife; "founder", "owner", "entrepreneur", "proprietor", "businessman"/"businesswoman" →
 * Businessman; any other non-empty title → Working Professional; no title → missing.
 *
 * A caution that matters for scores: in the data, a missing occupation converts far less often than any
 * answer (the lead skipped the form), and "Working Professional" converts most. A product lead with any
 * title therefore scores higher than one without.
 */
export function occupationFromTitle(title: string | undefined): string | undefined {
  const text = title?.trim().toLowerCase();
  if (!text) return undefined;
  if (/\b(student|intern|undergrad\w*|pupil)\b/.test(text)) return "Student";
  if (/\b(unemployed|job seeker|seeking|looking for|between jobs|career break)\b/.test(text))
    return "Unemployed";
  if (/\b(housewife|homemaker|stay[- ]at[- ]home)\b/.test(text)) return "Housewife";
  if (/\b(founder|co-founder|owner|entrepreneur|proprietor|business(?:man|woman))\b/.test(text))
    return "Businessman";
  return "Working Professional";
}

/**
 * A product lead as a dataset record, so a model trained on the CSV can score it. `source` and
 * `lastActivity` pass through: the encoder matches them to the dataset's labels case-insensitively and
 * sends anything else to `other`. `name`, `email`, `company` and `notes` have no dataset column.
 */
export function leadToRecord(lead: LeadInput): Record<string, string | number | undefined> {
  return {
    "Lead Source": lead.source,
    TotalVisits: lead.totalVisits,
    "Total Time Spent on Website": lead.timeOnSite,
    "Page Views Per Visit": lead.pageViewsPerVisit,
    "Last Activity": lead.lastActivity,
    "Do Not Email": lead.doNotEmail === undefined ? undefined : lead.doNotEmail ? "Yes" : "No",
    "What is your current occupation": occupationFromTitle(lead.title),
  };
}
