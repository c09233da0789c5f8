/**
 * Stored outcome recalibrations: read one for triage, refit one from the tenant's recorded outcomes. The
 * labels are `triage train --from-db`'s (`outcome-dataset.ts`), so both learn from the same evidence.
 */
import { and, eq, max, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { outcomeEvents } from "../../db/schema.js";
import type { TriageModel } from "./model.js";
import { outcomeDataset } from "./outcome-dataset.js";
import { predictProbabilities } from "./predict.js";
import { fitRecalibration, Recalibration, type RecalibrationFitOptions } from "./recalibration.js";
import { triageRecalibrations } from "./recalibration.schema.js";

/** `kind@version`: the scoring model a result names, and the key its recalibrations are stored under. */
export const scoringModelRef = (model: Pick<TriageModel, "kind" | "version">): string =>
  `${model.kind}@${model.version}`;

export async function readRecalibration(
  db: Db,
  tenantId: string,
  scoringModel: string,
): Promise<Recalibration | null> {
  const [row] = await db
    .select()
    .from(triageRecalibrations)
    .where(
      and(eq(triageRecalibrations.tenantId, tenantId), eq(triageRecalibrations.scoringModel, scoringModel)),
    );
  if (!row) return null;
  return Recalibration.parse({
    ...(row.fit as object),
    labelled: row.labelled,
    converted: row.converted,
    scoringModel: row.scoringModel,
    fittedAt: row.fittedAt.toISOString(),
  });
}

export interface RefitOptions extends RecalibrationFitOptions {
  /** Fewer labelled leads than this: no recalibration (default 10). */
  minLabelled?: number;
  /** Days after its latest outcome that an unconverted lead counts as not converted (default 30). */
  windowDays?: number;
  now?: Date;
  /** Refit even when no outcome was recorded since the last fit. */
  force?: boolean;
}

export type RefitReport =
  | { status: "fitted"; recalibration: Recalibration }
  | { status: "current"; reason: string }
  | { status: "too-few"; labelled: number; minLabelled: number };

export const DEFAULT_MIN_LABELLED = 10;

export async function refitRecalibration(
  db: Db,
  tenantId: string,
  model: TriageModel,
  options: RefitOptions = {},
): Promise<RefitReport> {
  const scoringModel = scoringModelRef(model);
  const minLabelled = options.minLabelled ?? DEFAULT_MIN_LABELLED;
  const [latest] = await db
    .select({ id: max(outcomeEvents.id) })
    .from(outcomeEvents)
    .where(eq(outcomeEvents.tenantId, tenantId));
  const throughOutcomeId = latest?.id ?? 0;
  if (!options.force) {
    const [existing] = await db
      .select({ through: triageRecalibrations.throughOutcomeId })
      .from(triageRecalibrations)
      .where(
        and(eq(triageRecalibrations.tenantId, tenantId), eq(triageRecalibrations.scoringModel, scoringModel)),
      );
    if (existing && existing.through >= throughOutcomeId) {
      return { status: "current", reason: `no outcome recorded since outcome ${existing.through}` };
    }
  }
  const now = options.now ?? new Date();
  const dataset = await outcomeDataset(db, {
    tenantId,
    now,
    ...(options.windowDays !== undefined ? { windowDays: options.windowDays } : {}),
  });
  if (dataset.target.length < minLabelled) {
    return { status: "too-few", labelled: dataset.target.length, minLabelled };
  }
  const probabilities = predictProbabilities(model, dataset.rows);
  const fit = fitRecalibration(probabilities, dataset.target, {
    ...(options.bandwidth !== undefined ? { bandwidth: options.bandwidth } : {}),
    ...(options.priorWeight !== undefined ? { priorWeight: options.priorWeight } : {}),
  });
  const row = {
    tenantId,
    scoringModel,
    fit,
    labelled: dataset.target.length,
    converted: dataset.counts.converted,
    throughOutcomeId,
    fittedAt: now,
  };
  await db
    .insert(triageRecalibrations)
    .values(row)
    .onConflictDoUpdate({
      target: [triageRecalibrations.tenantId, triageRecalibrations.scoringModel],
      set: { fit, labelled: row.labelled, converted: row.converted, throughOutcomeId, fittedAt: now },
      // Two replicas refitting at once: the fit that saw fewer outcomes never replaces the one that saw more.
      setWhere: sql`${triageRecalibrations.throughOutcomeId} <= excluded.through_outcome_id`,
    });
  return {
    status: "fitted",
    recalibration: {
      ...fit,
      labelled: row.labelled,
      converted: row.converted,
      scoringModel,
      fittedAt: now.toISOString(),
    },
  };
}
