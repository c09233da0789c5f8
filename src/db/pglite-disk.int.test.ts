import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./client.js";
import { getLead, upsertLead } from "./leads.js";
import { migrate } from "./migrate.js";
import { loadOrCreateDevKeyring } from "./pii/keyring.js";

// Its own file so that initdb on disk (the slowest step in the db suites) runs beside the contract suite.
describe("PGlite on disk (pglite://<dir>)", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("creates missing directories and keeps data (sealed with the development key file) across reopening", async () => {
    const root = await mkdtemp(join(tmpdir(), "ma-pglite-"));
    dirs.push(root);
    const dir = join(root, "nested", "pglite");
    // Two loads of the key file, as two process starts would do: the second finds the first's keys.
    const first = await openDatabase(`pglite://${dir}`, {
      pii: await loadOrCreateDevKeyring(join(root, "keys")),
    });
    let id: string;
    try {
      expect(first.describe).toBe(`pglite://${dir}`);
      expect((await migrate(first)).applied).toBeGreaterThan(0);
      id = (await upsertLead(first.db, "t", { email: "disk@example.com" })).id;
    } finally {
      await first.close();
    }
    expect((await stat(join(dir, "PG_VERSION"))).isFile()).toBe(true);
    expect((await stat(join(root, "keys", "pii-keys.json"))).mode & 0o777).toBe(0o600);

    const second = await openDatabase(`pglite://${dir}`, {
      pii: await loadOrCreateDevKeyring(join(root, "keys")),
    });
    try {
      expect((await migrate(second)).applied).toBe(0);
      expect((await getLead(second.db, "t", id))?.email).toBe("disk@example.com");
    } finally {
      await second.close();
    }
  });
});
