import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type AuditFields,
  type ChainedEntry,
  canonicalJson,
  checkLink,
  GENESIS_HASH,
  linkEntries,
} from "./chain.js";

const entry = (n: number): AuditFields => ({
  at: new Date(Date.UTC(2026, 0, 1, 12, 0, n, 250)),
  tenantId: "acme",
  actor: `user-${n}`,
  role: "marketer",
  method: "leads.get",
  target: `lead:${n}`,
  result: "ok",
  requestId: `r${n}`,
});

function walk(rows: ChainedEntry[]) {
  let prev = GENESIS_HASH;
  for (const row of rows) {
    const problem = checkLink(prev, row);
    if (problem) return { id: row.id, problem };
    prev = row.hash!;
  }
  return undefined;
}

describe("audit hash chain", () => {
  it("serializes fields canonically: sorted keys, UTC time with milliseconds", () => {
    expect(canonicalJson(entry(1))).toBe(
      '{"actor":"user-1","at":"2026-01-01T12:00:01.250Z","method":"leads.get","requestId":"r1","result":"ok","role":"marketer","target":"lead:1","tenantId":"acme"}',
    );
  });

  it("hashes sha256(prev_hash || canonical JSON), the first entry on the genesis hash", () => {
    const [first, second] = linkEntries(GENESIS_HASH, [entry(1), entry(2)]);
    const expected = createHash("sha256")
      .update(`${GENESIS_HASH}${canonicalJson(entry(1))}`)
      .digest("hex");
    expect(first).toMatchObject({ prevHash: GENESIS_HASH, hash: expected });
    expect(second!.prevHash).toBe(first!.hash);
  });

  it("finds the first broken link: an edited row, a removed row, swapped rows", () => {
    const rows = linkEntries(GENESIS_HASH, [1, 2, 3, 4].map(entry)).map((e, i) => ({ ...e, id: i + 1 }));
    expect(walk(rows)).toBeUndefined();

    const edited = rows.map((r) => (r.id === 3 ? { ...r, result: "denied" as const } : r));
    expect(walk(edited)).toEqual({ id: 3, problem: "hash_mismatch" });

    expect(walk(rows.filter((r) => r.id !== 2))).toEqual({ id: 3, problem: "prev_hash_mismatch" });

    const swapped = [rows[0]!, rows[2]!, rows[1]!, rows[3]!];
    expect(walk(swapped)).toEqual({ id: 3, problem: "prev_hash_mismatch" });

    // Rewriting an entry and its own hash still breaks the next link.
    const forged = { ...rows[1]!, actor: "someone-else" };
    const reHashed = linkEntries(rows[0]!.hash, [forged])[0]!;
    expect(walk([rows[0]!, { ...reHashed, id: 2 }, rows[2]!, rows[3]!])).toEqual({
      id: 3,
      problem: "prev_hash_mismatch",
    });
  });
});
