import type { Db } from "../../db/client.js";
import {
  getActiveTriageModelRow,
  getTriageModelRow,
  storeTriageModel,
  type TriageModelSummary,
} from "../../db/triage-models.js";
import { TriageError, TriageErrorCode } from "./errors.js";
import { parseTriageModel, type TriageModel } from "./model.js";

/**
 * Trained models in the database (`triage_models`), validated on the way in and out: a stored row that no
 * longer parses as a model fails loudly rather than scoring leads with garbage.
 */

/** Where a model comes from on the command line: a JSON file, a stored version, or the active one. */
export type ModelReference = { from: "file"; path: string } | { from: "db"; version: number | "active" };

/** `db:3` → version 3, `db:active` → the active model, anything else is a file path. */
export function parseModelReference(spec: string): ModelReference {
  const match = /^db:(.*)$/.exec(spec);
  if (!match) return { from: "file", path: spec };
  const tail = match[1]!;
  if (tail === "active") return { from: "db", version: "active" };
  if (!/^[1-9][0-9]{0,8}$/.test(tail)) {
    throw new TriageError(
      TriageErrorCode.InvalidInput,
      `"${spec}" is not a stored model: use db:<version> (e.g. db:3) or db:active`,
    );
  }
  return { from: "db", version: Number(tail) };
}

/** Stores a trained model (validated first) as the next version; `activate` makes triage use it. */
export async function storeTrainedModel(
  db: Db,
  model: TriageModel,
  options: { activate?: boolean; source?: string } = {},
): Promise<TriageModelSummary> {
  const valid = parseTriageModel(model);
  return storeTriageModel(db, {
    kind: valid.kind,
    setting: valid.trainedOn.setting,
    metrics: valid.metrics,
    model: valid,
    source: options.source ?? null,
    activate: options.activate ?? false,
  });
}

/** A stored version, or the active model. Throws `TriageError` `model_not_found` when there is none. */
export async function loadStoredTriageModel(db: Db, version: number | "active"): Promise<TriageModel> {
  const row = version === "active" ? await getActiveTriageModelRow(db) : await getTriageModelRow(db, version);
  if (!row) {
    throw new TriageError(
      TriageErrorCode.ModelNotFound,
      version === "active"
        ? "no stored triage model is active (triage uses the shipped default)"
        : `no stored triage model has version ${version}`,
    );
  }
  return parseTriageModel(row.model);
}

/** The active stored model, or null when none is active (callers then use the shipped default). */
export async function loadActiveTriageModel(db: Db): Promise<TriageModel | null> {
  const row = await getActiveTriageModelRow(db);
  return row ? parseTriageModel(row.model) : null;
}
