import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TriageError } from "../../src/agents/triage/errors.js";
import { scoreLead, type TriageModel, trainTriageModel } from "../../src/agents/triage/model.js";
import { seededRandom } from "../../src/agents/triage/random.js";
import {
  loadActiveTriageModel,
  loadStoredTriageModel,
  storeTrainedModel,
} from "../../src/agents/triage/registry.js";
import { type Database, SqlState, sqlStateOf } from "../../src/db/client.js";
import {
  activateTriageModel,
  deactivateTriageModels,
  getActiveTriageModelRow,
  listTriageModels,
} from "../../src/db/triage-models.js";
import { triageModels } from "../../src/db/triage-models.schema.js";

/**
 * The triage model registry's contract (`src/db/triage-models.ts` through `src/agents/triage/registry.ts`),
 * run by a PGlite test file and, when TEST_DATABASE_URL is set, a PostgreSQL server test file.
 */

/** A tiny model on synthetic leads: the registry only cares that it is a valid, distinct model. */
export function tinyTriageModel(seed: number, kind: "blend" | "logistic" = "blend"): TriageModel {
  const random = seededRandom(seed);
  const rows: Record<string, string>[] = [];
  const target: number[] = [];
  for (let i = 0; i < 200; i++) {
    const source = random() < 0.5 ? "Reference" : "Google";
    const visits = Math.floor(random() * 8);
    rows.push({ "Lead Source": source, TotalVisits: String(visits) });
    target.push(random() < (source === "Reference" ? 0.7 : 0.2) + visits * 0.02 ? 1 : 0);
  }
  return trainTriageModel(rows, target, {
    kind,
    setting: "lead-input",
    seed,
    folds: 2,
    gbt: { trees: 5 },
    createdAt: "2026-01-01T00:00:00.000Z",
  });
}

export function triageRegistryContract(backend: { name: string; open(): Promise<Database> }): void {
  describe(`triage model registry on ${backend.name}`, () => {
    let database: Database;
    const first = tinyTriageModel(1);
    const second = tinyTriageModel(2, "logistic");
    const lead = { name: "Ada", source: "Reference", totalVisits: 3 };

    beforeAll(async () => {
      database = await backend.open();
    });
    afterAll(() => database?.close());

    it("stores models as versions 1, 2, … with their metrics, inactive unless asked", async () => {
      const one = await storeTrainedModel(database.db, first, { source: "synthetic.csv" });
      const two = await storeTrainedModel(database.db, second);
      expect(one).toMatchObject({ version: 1, kind: "blend", setting: "lead-input", active: false });
      expect(one.source).toBe("synthetic.csv");
      expect(one.metrics).toEqual(JSON.parse(JSON.stringify(first.metrics)));
      expect(two).toMatchObject({ version: 2, kind: "logistic", active: false, source: null });
      expect(await loadActiveTriageModel(database.db)).toBeNull();

      const listed = await listTriageModels(database.db);
      expect(listed.map((m) => m.version)).toEqual([2, 1]);
      expect(listed[0]).not.toHaveProperty("model");
      expect(listed[0]?.createdAt).toBeInstanceOf(Date);
    });

    it("loads a stored version back as the same model, scoring leads identically", async () => {
      const loaded = await loadStoredTriageModel(database.db, 1);
      expect(loaded).toEqual(first);
      expect(scoreLead(loaded, lead)).toEqual(scoreLead(first, lead));
      const missing = await loadStoredTriageModel(database.db, 99).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(TriageError);
      expect(missing).toMatchObject({ code: "model_not_found" });
      await expect(loadStoredTriageModel(database.db, "active")).rejects.toMatchObject({
        code: "model_not_found",
      });
    });

    it("activates one model at a time, and deactivating falls back to none", async () => {
      expect(await activateTriageModel(database.db, 1)).toMatchObject({ version: 1, active: true });
      expect(await loadActiveTriageModel(database.db)).toEqual(first);
      expect(await activateTriageModel(database.db, 2)).toMatchObject({ version: 2, active: true });
      expect(await loadActiveTriageModel(database.db)).toEqual(second);
      const flags = (await listTriageModels(database.db)).map((m) => [m.version, m.active]);
      expect(flags).toEqual([
        [2, true],
        [1, false],
      ]);
      expect(await activateTriageModel(database.db, 42)).toBeNull();
      expect((await getActiveTriageModelRow(database.db))?.version).toBe(2);

      const three = await storeTrainedModel(database.db, tinyTriageModel(3), { activate: true });
      expect(three).toMatchObject({ version: 3, active: true });
      expect((await listTriageModels(database.db)).filter((m) => m.active).map((m) => m.version)).toEqual([
        3,
      ]);

      expect(await deactivateTriageModels(database.db)).toBe(1);
      expect(await loadActiveTriageModel(database.db)).toBeNull();
      expect(await deactivateTriageModels(database.db)).toBe(0);
    });

    it("refuses a second active row at the database level", async () => {
      await activateTriageModel(database.db, 1);
      const error = await database.db
        .update(triageModels)
        .set({ active: true })
        .where(sql`${triageModels.version} = 2`)
        .catch((e: unknown) => e);
      expect(sqlStateOf(error)).toBe(SqlState.UniqueViolation);
      await deactivateTriageModels(database.db);
    });

    it("gives concurrent stores distinct consecutive versions", async () => {
      const before = (await listTriageModels(database.db))[0]?.version ?? 0;
      const stored = await Promise.all(
        [first, second, first, second, first].map((m, i) =>
          storeTrainedModel(database.db, m, { activate: i === 4 }),
        ),
      );
      expect(stored.map((s) => s.version).sort((a, b) => a - b)).toEqual(
        [1, 2, 3, 4, 5].map((k) => before + k),
      );
      expect((await listTriageModels(database.db)).filter((m) => m.active)).toHaveLength(1);
    });

    it("refuses to store or load something that is not a triage model", async () => {
      const broken = { ...first, kind: "forest" } as unknown as TriageModel;
      await expect(storeTrainedModel(database.db, broken)).rejects.toMatchObject({ code: "invalid_model" });
      const [row] = await database.db
        .insert(triageModels)
        .values({ version: 1000, kind: "blend", setting: "all", metrics: {}, model: { not: "a model" } })
        .returning();
      expect(row?.version).toBe(1000);
      await expect(loadStoredTriageModel(database.db, 1000)).rejects.toMatchObject({ code: "invalid_model" });
    });
  });
}
