import { type Db, queryRows } from "../../db/client.js";
import { hasPii, piiOf } from "../../db/pii/registry.js";
import { EncryptingSerializer } from "./encrypting-serde.js";
import { deleteThreads, selectSealedValues, selectThreadsMatching } from "./sql.js";

const SEALED_PAGE = 500;

/**
 * Finding and erasing whole threads in the checkpointer's tables, on a given connection or transaction (the
 * saver's own `deleteThread` runs on its database, outside a caller's transaction). For GDPR erasure.
 */

/**
 * Keys of the threads whose key starts with `prefix` and whose values in `channels` match `pattern` (a
 * case-insensitive regex), newest checkpoints and history alike.
 */
export async function threadsMatching(
  db: Db,
  options: { prefix: string; channels: readonly string[]; pattern: string },
): Promise<string[]> {
  if (options.channels.length === 0) return [];
  const range = { keyFrom: options.prefix, keyTo: byteRangeEnd(options.prefix), channels: options.channels };
  const rows = await queryRows<{ thread_id: string }>(
    db,
    selectThreadsMatching({ ...range, pattern: options.pattern }),
  );
  const found = new Set(rows.map((r) => r.thread_id));
  for (const thread of await sealedThreadsMatching(db, range, new RegExp(options.pattern, "i"), found)) {
    found.add(thread);
  }
  return [...found].sort();
}

/**
 * Sealed values cannot be searched in SQL: they are read page by page and opened here with the database's
 * keys. Erasure is rare, and retention keeps the number of checkpoints per thread small.
 */
async function sealedThreadsMatching(
  db: Db,
  range: { keyFrom: string; keyTo: string; channels: readonly string[] },
  pattern: RegExp,
  known: ReadonlySet<string>,
): Promise<string[]> {
  if (!hasPii(db)) return [];
  const serde = new EncryptingSerializer(piiOf(db));
  const matched: string[] = [];
  for (let offset = 0; ; offset += SEALED_PAGE) {
    const page = await queryRows<{ thread_id: string; type: string; blob: Uint8Array }>(
      db,
      selectSealedValues({ ...range, limit: SEALED_PAGE, offset }),
    );
    for (const row of page) {
      if (known.has(row.thread_id) || matched.at(-1) === row.thread_id) continue;
      const value = await serde.loadsTyped(row.type, new Uint8Array(row.blob));
      if (pattern.test(JSON.stringify(value))) matched.push(row.thread_id);
    }
    if (page.length < SEALED_PAGE) return matched;
  }
}

export interface ErasedThreads {
  checkpoints: number;
  writes: number;
  blobs: number;
}

/** Deletes every checkpoint, pending write and blob of these threads. */
export async function eraseThreads(db: Db, threadIds: readonly string[]): Promise<ErasedThreads> {
  if (threadIds.length === 0) return { checkpoints: 0, writes: 0, blobs: 0 };
  const [row] = await queryRows<{ checkpoints: number; writes: number; blobs: number }>(
    db,
    deleteThreads(threadIds),
  );
  return {
    checkpoints: Number(row?.checkpoints ?? 0),
    writes: Number(row?.writes ?? 0),
    blobs: Number(row?.blobs ?? 0),
  };
}

/**
 * The first string above every string starting with `prefix`, in byte order (the key columns are collated
 * "C"): the prefix with its last character incremented, e.g. "acme/" → "acme0".
 */
function byteRangeEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  // An ASCII last character keeps UTF-8 byte order and code unit order the same.
  if (!(last < 0x7f)) throw new RangeError(`a thread key prefix must end in an ASCII character: "${prefix}"`);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
