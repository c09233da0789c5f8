import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import { loadConfig } from "../config.js";
import { dumpPgliteDataDir, openDatabase } from "../db/client.js";
import { embedderOf, FeatureHashingEmbeddings } from "../memory/embeddings.js";
import { createMemory } from "../memory/service.js";
import { migrateCommand } from "./migrate.js";

describe("marketing-agents migrate --reembed", () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("re-embeds memories made by another embedder with the configured one, reporting progress", async () => {
    dir = await mkdtemp(join(tmpdir(), "ma-reembed-"));
    const url = `pglite://${dir}`;
    // A migrated database on disk from the cached test dump: a fresh initdb costs 5–40 s here.
    const template = await createTestDatabase();
    const dump = await dumpPgliteDataDir(template);
    await template.close();
    await (await PGlite.create({ dataDir: dir, loadDataDir: dump, extensions: { vector } })).close();
    const seed = await openDatabase(url);
    const old = createMemory({
      db: seed.db,
      embedder: embedderOf(new FeatureHashingEmbeddings(), "retired-model/512"),
    }).forTenant("default");
    await old.put(["docs"], "a", { text: "pricing page visit" });
    await old.put(["docs"], "b", { text: "webinar signup" });
    await seed.close();

    const out: string[] = [];
    const err: string[] = [];
    const stdout = vi
      .spyOn(process.stdout, "write")
      .mockImplementation((chunk) => out.push(String(chunk)) > 0);
    const stderr = vi
      .spyOn(process.stderr, "write")
      .mockImplementation((chunk) => err.push(String(chunk)) > 0);
    try {
      await migrateCommand(loadConfig({ DATABASE_URL: url }), { reembed: true });
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expect(out.join("")).toContain(
      "2 memories re-embedded with feature-hash/v1/512 (2 store items, 0 episodes, 0 facts)",
    );
    expect(err.join("")).toContain("re-embedding");

    const after = await openDatabase(url);
    try {
      const found = await createMemory({ db: after.db })
        .forTenant("default")
        .search(["docs"], { query: "pricing" });
      expect(found[0]?.key).toBe("a");
    } finally {
      await after.close();
    }
  });
});
