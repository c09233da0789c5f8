import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { leadFacts } from "../leads.js";
import {
  applyProfilePatch,
  emptyProfile,
  type ProfileActor,
  type ProfileBlock,
  type ProfilePatch,
} from "./profile.js";
import { leadProfileChanges, leadProfiles } from "./profile.schema.js";

export interface StoredProfile {
  leadId: string;
  block: ProfileBlock;
  version: number;
  updatedAt: Date | null;
}

export interface ProfileChangeRecord {
  actor: string;
  path: string;
  before: unknown;
  after: unknown;
  version: number;
  at: Date;
}

/** The lead's profile block (empty, version 0, before anyone wrote to it); `not_found` for an unknown lead. */
export async function getProfile(db: Db, tenantId: string, leadId: string): Promise<StoredProfile> {
  await leadFacts(db, tenantId, leadId);
  const [row] = await db
    .select()
    .from(leadProfiles)
    .where(and(eq(leadProfiles.tenantId, tenantId), eq(leadProfiles.leadId, leadId)));
  return row
    ? { leadId, block: row.block, version: row.version, updatedAt: row.updatedAt }
    : { leadId, block: emptyProfile(), version: 0, updatedAt: null };
}

/** Applies a patch in its own transaction. */
export async function updateProfile(
  db: Db,
  tenantId: string,
  leadId: string,
  patch: ProfilePatch,
  actor: ProfileActor,
  at: Date = new Date(),
): Promise<StoredProfile & { changed: string[] }> {
  return db.transaction((tx) => updateProfileInTransaction(tx, tenantId, leadId, patch, actor, at));
}

/**
 * Applies a patch inside the caller's transaction: the row is locked (`for update`) so that two agents
 * updating one lead at once both land, in some order, and each change is logged with the version it made.
 */
export async function updateProfileInTransaction(
  tx: Db,
  tenantId: string,
  leadId: string,
  patch: ProfilePatch,
  actor: ProfileActor,
  at: Date,
): Promise<StoredProfile & { changed: string[] }> {
  await leadFacts(tx, tenantId, leadId);
  await tx
    .insert(leadProfiles)
    .values({ tenantId, leadId, block: emptyProfile(), version: 0 })
    .onConflictDoNothing();
  const [row] = await tx
    .select()
    .from(leadProfiles)
    .where(and(eq(leadProfiles.tenantId, tenantId), eq(leadProfiles.leadId, leadId)))
    .for("update");
  const current = row!;
  const { block, changes } = applyProfilePatch(current.block, patch, actor, at);
  if (changes.length === 0) {
    return {
      leadId,
      block: current.block,
      version: current.version,
      updatedAt: current.updatedAt,
      changed: [],
    };
  }
  const version = current.version + 1;
  const [updated] = await tx
    .update(leadProfiles)
    .set({ block, version, updatedAt: at })
    .where(and(eq(leadProfiles.tenantId, tenantId), eq(leadProfiles.leadId, leadId)))
    .returning();
  await tx.insert(leadProfileChanges).values(
    changes.map((c) => ({
      tenantId,
      leadId,
      actor,
      path: c.path,
      // jsonb: a JS null must be stored as JSON null, not SQL NULL, to say "was empty" rather than "unknown".
      before: sql`${JSON.stringify(c.before ?? null)}::jsonb`,
      after: sql`${JSON.stringify(c.after ?? null)}::jsonb`,
      version,
      at,
    })),
  );
  return { leadId, block, version, updatedAt: updated!.updatedAt, changed: changes.map((c) => c.path) };
}

/** The change log, newest first. */
export async function profileHistory(
  db: Db,
  tenantId: string,
  leadId: string,
  limit = 50,
): Promise<ProfileChangeRecord[]> {
  const rows = await db
    .select()
    .from(leadProfileChanges)
    .where(and(eq(leadProfileChanges.tenantId, tenantId), eq(leadProfileChanges.leadId, leadId)))
    .orderBy(desc(leadProfileChanges.id))
    .limit(limit);
  return rows.map((r) => ({
    actor: r.actor,
    path: r.path,
    before: r.before,
    after: r.after,
    version: r.version,
    at: r.at,
  }));
}
