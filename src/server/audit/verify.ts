import type { Db } from "../../db/client.js";
import { checkLink, GENESIS_HASH, type LinkProblem } from "./chain.js";
import { readChainPage } from "./store.js";

export interface ChainReport {
  ok: boolean;
  /** Entries checked (up to and including the broken one). */
  checked: number;
  /** Hash of the newest entry checked: record it elsewhere to detect later truncation. */
  head: string;
  lastId: number | null;
  firstBroken?: { id: number; problem: LinkProblem };
}

/** Walks the whole chain in id order, a page at a time, and stops at the first broken link. */
export async function verifyAuditChain(db: Db, options: { pageSize?: number } = {}): Promise<ChainReport> {
  const pageSize = options.pageSize ?? 1_000;
  let expectedPrev = GENESIS_HASH;
  let afterId = 0;
  let checked = 0;
  let lastId: number | null = null;
  for (;;) {
    const page = await readChainPage(db, afterId, pageSize);
    for (const entry of page) {
      checked++;
      const problem = checkLink(expectedPrev, entry);
      if (problem) {
        return { ok: false, checked, head: expectedPrev, lastId, firstBroken: { id: entry.id, problem } };
      }
      expectedPrev = entry.hash!;
      lastId = entry.id;
    }
    if (page.length < pageSize) return { ok: true, checked, head: expectedPrev, lastId };
    afterId = page[page.length - 1]!.id;
  }
}
