import { and, gt, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client.js";
import { revokedTokens } from "./auth.schema.js";

/** The denylist's SQL: insert a revocation, read recent ones, forget expired ones. */

export interface Revocation {
  issuer: string;
  jti: string;
  expiresAt: Date;
}

export async function insertRevocation(db: Db, revocation: Revocation, revokedBy: string): Promise<void> {
  await db
    .insert(revokedTokens)
    .values({ ...revocation, revokedBy })
    .onConflictDoNothing({ target: [revokedTokens.issuer, revokedTokens.jti] });
}

/**
 * Unexpired revocations recorded after `since` (database time), with the database's time taken before the
 * read, to pass as `since` next time. Reading by time window rather than by `seq` keeps a row whose
 * transaction committed late (a lower seq seen after a higher one) from being skipped; callers also
 * overlap consecutive windows. Database time, so replicas' clocks do not matter.
 */
export async function revocationsSince(
  db: Db,
  since: number | null,
): Promise<{ rows: Revocation[]; now: number }> {
  const [clock] = await queryRows<{ now: number }>(
    db,
    sql`select (extract(epoch from now()) * 1000)::float8 as now`,
  );
  const rows = await db
    .select({ issuer: revokedTokens.issuer, jti: revokedTokens.jti, expiresAt: revokedTokens.expiresAt })
    .from(revokedTokens)
    .where(
      since === null
        ? gt(revokedTokens.expiresAt, sql`now()`)
        : and(gt(revokedTokens.revokedAt, new Date(since)), gt(revokedTokens.expiresAt, sql`now()`)),
    );
  return { rows, now: Number(clock!.now) };
}

/** Rows for tokens that have expired (plus a day of slack) are useless: the verifier refuses those anyway. */
export async function purgeExpired(db: Db): Promise<void> {
  await db.delete(revokedTokens).where(sql`${revokedTokens.expiresAt} < now() - interval '1 day'`);
}
