import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client.js";
import { MemoryError, MemoryErrorCode } from "../errors.js";
import { memoryItems } from "./store.schema.js";

const DEFAULT_BATCH_SIZE = 5_000;

/**
 * Deletes expired store items of every tenant (`expires_at <= now`), with their vector rows (cascade).
 * Reads already hide expired items; this frees the space. In batches of `batchSize` rows, each its own
 * statement, so a large backlog never holds locks for long; the partial index on `expires_at` finds them.
 * `now` is the writers' clock (`PgStore` computes `expires_at` from its own clock), so pass the same one.
 * Returns how many items went.
 */
export async function sweepExpiredItems(
  db: Db,
  options: { now?: Date; batchSize?: number } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new MemoryError(MemoryErrorCode.InvalidInput, `batchSize must be an integer ≥ 1, got ${batchSize}`);
  }
  let total = 0;
  for (;;) {
    const [row] = await queryRows<{ n: number }>(
      db,
      sql`with gone as (
            delete from ${memoryItems}
            where ${memoryItems.id} in (
              select ${memoryItems.id} from ${memoryItems}
              where ${memoryItems.expiresAt} is not null and ${memoryItems.expiresAt} <= ${now.toISOString()}::timestamptz
              limit ${batchSize}
              for update skip locked)
            returning 1)
          select count(*)::int as n from gone`,
    );
    const n = Number(row?.n ?? 0);
    total += n;
    if (n < batchSize) return total;
  }
}
