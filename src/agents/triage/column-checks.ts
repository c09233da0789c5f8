import {
  columnsForSetting,
  ID_COLUMNS,
  LEAD_INPUT_COLUMNS,
  POST_CONTACT_COLUMNS,
  TARGET_COLUMN,
  type TriageSetting,
} from "./dataset.js";
import type { TriageModel } from "./model.js";

/**
 * Checks that a CSV's columns suit what is asked of them, so a mismatch reads as a sentence instead of
 * a model quietly trained (or evaluated) on missing values.
 */

const list = (columns: readonly string[]) => columns.map((c) => `"${c}"`).join(", ");

/** Why `setting` cannot train on these columns, or null when it can. */
export function settingProblem(setting: TriageSetting, columns: readonly string[]): string | null {
  const present = new Set(columns);
  if (setting === "all" && !POST_CONTACT_COLUMNS.some((c) => present.has(c))) {
    return (
      `--features all adds the post-contact columns (${list(POST_CONTACT_COLUMNS)}) and the CSV has none ` +
      "of them: use --features pre-contact"
    );
  }
  if (setting === "lead-input" && !Object.keys(LEAD_INPUT_COLUMNS).some((c) => present.has(c))) {
    return `--features lead-input needs at least one of ${list(Object.keys(LEAD_INPUT_COLUMNS))}; the CSV has none`;
  }
  if (columnsForSetting(setting, columns).length === 0) {
    const skipped = [
      TARGET_COLUMN,
      ...ID_COLUMNS,
      ...(setting === "pre-contact" ? POST_CONTACT_COLUMNS : []),
    ];
    return `--features ${setting} leaves no column to learn from (it skips ${list(skipped)})`;
  }
  return null;
}

/** Columns the model was trained on that the CSV lacks: scoring would treat them all as missing. */
export function missingModelColumns(model: TriageModel, columns: readonly string[]): string[] {
  const present = new Set(columns);
  return model.featureSpec.columns.map((c) => c.column).filter((c) => !present.has(c));
}

/**
 * Columns the model uses that a product lead (`LeadInput`, through `leadToRecord`) never supplies. A model
 * triage uses for live leads should have none: every such column would always read as missing there.
 */
export function columnsLeadsNeverSupply(model: TriageModel): string[] {
  return model.featureSpec.columns.map((c) => c.column).filter((c) => !(c in LEAD_INPUT_COLUMNS));
}
