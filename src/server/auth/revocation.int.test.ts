import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerDatabase, createTestDatabase, serverTestUrl } from "../../../test/support/database.js";
import { type Database, openDatabase } from "../../db/client.js";
import { migrate } from "../../db/migrate.js";
import { createRevocationList, type RevocationList } from "./revocation.js";

/** The denylist on one backend: `open` gives two handles on one database (two replicas on a server). */
function revocationContract(
  name: string,
  open: () => Promise<{ a: Database; b: Database; dispose(): Promise<void> }>,
) {
  describe(`token denylist on ${name}`, () => {
    let handles: Awaited<ReturnType<typeof open>>;
    let first: RevocationList;
    let second: RevocationList;
    beforeAll(async () => {
      handles = await open();
      first = createRevocationList(handles.a.db, { pollMs: 100 });
      second = createRevocationList(handles.b.db, { pollMs: 100 });
      await Promise.all([first.start(), second.start()]);
    });
    afterAll(async () => {
      first?.stop();
      second?.stop();
      await handles?.dispose();
    });

    it("applies a revocation at once where it was made, and on the other replica at its next poll", async () => {
      const heard: string[] = [];
      second.onRevoked((key) => heard.push(key));
      const token = { issuer: "https://issuer.test", jti: crypto.randomUUID() };
      await first.revoke({ ...token, expiresAt: new Date(Date.now() + 60_000) }, "admin");
      expect(first.isRevoked(token)).toBe(true);
      const started = Date.now();
      while (!second.isRevoked(token) && Date.now() - started < 5_000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(second.isRevoked(token)).toBe(true);
      expect(Date.now() - started).toBeLessThan(2_000);
      // Revoking twice is harmless, and listeners hear of a revocation once.
      await first.revoke({ ...token, expiresAt: new Date(Date.now() + 60_000) }, "admin");
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(heard.filter((k) => k.endsWith(token.jti))).toHaveLength(1);
      // Same jti from another issuer is another token.
      expect(second.isRevoked({ issuer: "https://other.test", jti: token.jti })).toBe(false);
    });

    it("loads unexpired revocations when a replica starts, and skips expired ones", async () => {
      const live = { issuer: "https://issuer.test", jti: crypto.randomUUID() };
      const stale = { issuer: "https://issuer.test", jti: crypto.randomUUID() };
      await first.revoke({ ...live, expiresAt: new Date(Date.now() + 60_000) }, "admin");
      await first.revoke({ ...stale, expiresAt: new Date(Date.now() - 1_000) }, "admin");
      const late = createRevocationList(handles.b.db, { pollMs: 100 });
      await late.start();
      try {
        expect(late.isRevoked(live)).toBe(true);
        expect(late.isRevoked(stale)).toBe(false);
      } finally {
        late.stop();
      }
    });
  });
}

revocationContract("PGlite", async () => {
  const database = await createTestDatabase();
  return { a: database, b: database, dispose: () => database.close() };
});

describe.skipIf(serverTestUrl() === undefined)("on a server", () => {
  revocationContract("PostgreSQL (two connection pools)", async () => {
    const created = await createServerDatabase();
    const a = await openDatabase(created.url, { max: 3 });
    await migrate(a);
    const b = await openDatabase(created.url, { max: 3 });
    return {
      a,
      b,
      dispose: async () => {
        await Promise.all([a.close(), b.close()]);
        await created.drop();
      },
    };
  });
});
