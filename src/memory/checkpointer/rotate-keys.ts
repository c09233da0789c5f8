import { and, eq, isNotNull, like, ne, not, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { CIPHERTEXT_PREFIX } from "../../db/pii/cipher.js";
import { piiOf } from "../../db/pii/registry.js";
import { threadCheckpointBlobs as blobs, threadCheckpointWrites as writes } from "./checkpointer.schema.js";
import { EncryptingSerializer } from "./encrypting-serde.js";
import { EMPTY_BLOB_TYPE } from "./serde.js";

export interface CheckpointRotationReport {
  rewritten: number;
}

/**
 * Re-seals checkpoint blobs and pending writes stored in plaintext or under a retired key with the active
 * key. Each batch is one transaction; rows already under the active key drop out of the selection, so a
 * rerun after a crash continues where it stopped.
 */
export async function rotateCheckpointKeys(
  db: Db,
  options: { batchSize?: number; dryRun?: boolean; onProgress?: (rewritten: number) => void } = {},
): Promise<CheckpointRotationReport> {
  const pii = piiOf(db);
  const serde = new EncryptingSerializer(pii);
  const active = `${CIPHERTEXT_PREFIX}${pii.activeKeyId}.%`;
  const batchSize = options.batchSize ?? 200;
  let rewritten = 0;
  for (const table of [blobs, writes] as const) {
    const stale = and(not(like(table.type, active)), ne(table.type, EMPTY_BLOB_TYPE), isNotNull(table.blob));
    if (options.dryRun) {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(table).where(stale);
      rewritten += Number(row?.n ?? 0);
      continue;
    }
    for (;;) {
      const n = await db.transaction(async (tx) => {
        const rows = await tx
          .select()
          .from(table)
          .where(stale)
          .limit(batchSize)
          .for("update", { skipLocked: true });
        for (const row of rows) {
          if (row.blob === null) continue;
          const value = await serde.loadsTyped(row.type, new Uint8Array(row.blob));
          const [type, blob] = await serde.dumpsTyped(value);
          const key =
            "taskId" in row
              ? and(
                  eq(writes.threadId, row.threadId),
                  eq(writes.checkpointNs, row.checkpointNs),
                  eq(writes.checkpointId, row.checkpointId),
                  eq(writes.taskId, row.taskId),
                  eq(writes.idx, row.idx),
                )
              : and(
                  eq(blobs.threadId, row.threadId),
                  eq(blobs.checkpointNs, row.checkpointNs),
                  eq(blobs.channel, (row as typeof blobs.$inferSelect).channel),
                  eq(blobs.version, (row as typeof blobs.$inferSelect).version),
                );
          await tx.update(table).set({ type, blob }).where(key);
        }
        return rows.length;
      });
      rewritten += n;
      options.onProgress?.(rewritten);
      if (n < batchSize) break;
    }
  }
  return { rewritten };
}
