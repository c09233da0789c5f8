import { desc, eq, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { type TriageModelRow, triageModels } from "./triage-models.schema.js";

/**
 * The triage model registry: store a trained model under the next version, list, fetch, and choose the
 * one triage uses. Models are opaque JSON at this layer; `src/agents/triage/registry.ts` validates them.
 */

/** A stored model without its (large) JSON body. */
export type TriageModelSummary = Omit<TriageModelRow, "model">;

export interface NewTriageModel {
  kind: string;
  setting: string;
  metrics: Record<string, unknown>;
  model: unknown;
  source?: string | null;
  /** Make it the active model in the same transaction. */
  activate?: boolean;
}

/**
 * Advisory lock key serializing registry writes across processes: ASCII "ma:trmd". Version numbers are
 * max + 1 and activation swaps a flag, so two writers at once would otherwise collide on the unique
 * indexes instead of queueing.
 */
export const TRIAGE_REGISTRY_LOCK_KEY = 0x6d_61_3a_74_72_6d_64n;

const summaryColumns = {
  id: triageModels.id,
  version: triageModels.version,
  kind: triageModels.kind,
  setting: triageModels.setting,
  metrics: triageModels.metrics,
  source: triageModels.source,
  active: triageModels.active,
  createdAt: triageModels.createdAt,
};

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

async function lockRegistry(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${TRIAGE_REGISTRY_LOCK_KEY.toString()}::bigint)`);
}

/** Stores a model as the next version (1 for the first); activates it when asked. */
export async function storeTriageModel(db: Db, record: NewTriageModel): Promise<TriageModelSummary> {
  return db.transaction(async (tx) => {
    await lockRegistry(tx);
    const [last] = await tx
      .select({ version: sql<number>`coalesce(max(${triageModels.version}), 0)::int` })
      .from(triageModels);
    if (record.activate)
      await tx.update(triageModels).set({ active: false }).where(eq(triageModels.active, true));
    const [row] = await tx
      .insert(triageModels)
      .values({
        version: (last?.version ?? 0) + 1,
        kind: record.kind,
        setting: record.setting,
        metrics: record.metrics,
        model: record.model,
        source: record.source ?? null,
        active: record.activate ?? false,
      })
      .returning(summaryColumns);
    return row!;
  });
}

/** Every stored model, newest first, without the model bodies. */
export async function listTriageModels(db: Db): Promise<TriageModelSummary[]> {
  return db.select(summaryColumns).from(triageModels).orderBy(desc(triageModels.version));
}

/** One stored model with its body, or null when there is no such version. */
export async function getTriageModelRow(db: Db, version: number): Promise<TriageModelRow | null> {
  const [row] = await db.select().from(triageModels).where(eq(triageModels.version, version));
  return row ?? null;
}

/** The active model with its body, or null when none is active. */
export async function getActiveTriageModelRow(db: Db): Promise<TriageModelRow | null> {
  const [row] = await db.select().from(triageModels).where(eq(triageModels.active, true));
  return row ?? null;
}

/** Makes `version` the active model (and no other); null when there is no such version. */
export async function activateTriageModel(db: Db, version: number): Promise<TriageModelSummary | null> {
  return db.transaction(async (tx) => {
    await lockRegistry(tx);
    const [exists] = await tx
      .select({ id: triageModels.id })
      .from(triageModels)
      .where(eq(triageModels.version, version));
    if (!exists) return null;
    // Clear first: the partial unique index allows one active row at any moment, even inside a transaction.
    await tx.update(triageModels).set({ active: false }).where(eq(triageModels.active, true));
    const [row] = await tx
      .update(triageModels)
      .set({ active: true })
      .where(eq(triageModels.version, version))
      .returning(summaryColumns);
    return row ?? null;
  });
}

/** Leaves no model active, so triage falls back to the shipped default. Returns how many were active. */
export async function deactivateTriageModels(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    await lockRegistry(tx);
    const rows = await tx
      .update(triageModels)
      .set({ active: false })
      .where(eq(triageModels.active, true))
      .returning({ id: triageModels.id });
    return rows.length;
  });
}
