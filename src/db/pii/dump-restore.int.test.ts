import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createServerDatabase, serverTestUrl, TEST_PII_KEYRING } from "../../../test/support/database.js";
import { openDatabase, queryRows } from "../client.js";
import { findLeadByEmail, getLead, upsertLead } from "../leads.js";
import { migrate } from "../migrate.js";
import { ephemeralKeyring } from "./keyring.js";

/**
 * security-tests.md F6: `pg_dump -Fc`, then `pg_restore --exit-on-error` into an empty database: the rows
 * match, vector search still answers, and personal data still decrypts with the same keys (and only them).
 */
describe.skipIf(!serverTestUrl())("dump and restore on the PostgreSQL server (F6)", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("restores every row, and the PII decrypts with the same keys only", async () => {
    const source = await createServerDatabase();
    cleanups.push(() => source.drop());
    const original = await openDatabase(source.url, { max: 2, pii: TEST_PII_KEYRING });
    await migrate(original);
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const lead = await upsertLead(original.db, "t1", {
        name: `Lead ${i}`,
        email: `l${i}@example.com`,
        notes: `n${i}`,
      });
      ids.push(lead.id);
    }
    const counts = async (db: typeof original) =>
      queryRows<{ leads: number; migrations: number }>(
        db.db,
        sql`select (select count(*) from leads)::int as leads,
                   (select count(*) from drizzle.__drizzle_migrations)::int as migrations`,
      ).then((rows) => rows[0]);
    const before = await counts(original);
    await original.close();

    const dir = await mkdtemp(join(tmpdir(), "ma-dump-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const dump = join(dir, "db.dump");
    execFileSync("pg_dump", ["-Fc", "-f", dump, source.url], { stdio: "pipe" });
    const target = await createServerDatabase();
    cleanups.push(() => target.drop());
    // --no-comments: the vector extension's comment belongs to the superuser who made it in template1.
    execFileSync("pg_restore", ["--exit-on-error", "--no-owner", "--no-comments", "-d", target.url, dump], {
      stdio: "pipe",
    });

    const restored = await openDatabase(target.url, { max: 2, pii: TEST_PII_KEYRING });
    cleanups.push(() => restored.close());
    expect(await counts(restored)).toEqual(before);
    expect((await migrate(restored)).applied).toBe(0);
    expect((await getLead(restored.db, "t1", ids[7]!))?.notes).toBe("n7");
    expect((await findLeadByEmail(restored.db, "t1", "L24@example.com"))?.name).toBe("Lead 24");

    const otherKeys = await openDatabase(target.url, { max: 2, pii: ephemeralKeyring() });
    cleanups.push(() => otherKeys.close());
    await expect(getLead(otherKeys.db, "t1", ids[0]!)).rejects.toThrow(/no PII key "test1"/);
  }, 120_000);
});
