import type { RunnableConfig } from "@langchain/core/runnables";
import { type ChannelVersions, emptyCheckpoint, uuid6 } from "@langchain/langgraph-checkpoint";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createEmptyTestDatabase,
  createServerDatabase,
  createTestDatabase,
  serverTestUrl,
  TEST_PII_KEYRING,
} from "../../test/support/database.js";
import { type Database, openDatabase, queryRows } from "../db/client.js";
import { migrate } from "../db/migrate.js";
import { createMarketingSystem } from "../index.js";
import { PostgresCheckpointSaver } from "./checkpointer/saver.js";
import { createMaintenance, MAINTENANCE_LOCK_KEY, type MaintenanceLog } from "./maintenance.js";
import { createMemory } from "./service.js";

const DAY_MS = 86_400_000;

/**
 * Two handles on one database, as two replicas have: on PGlite the same in-process engine twice (it has
 * one connection), on the server two connection pools to one database.
 */
interface Replicas {
  database: Database;
  other: Database;
  close(): Promise<void>;
}

const backends: { name: string; open: () => Promise<Replicas> }[] = [
  {
    name: "PGlite",
    open: async () => {
      const database = await createTestDatabase();
      return { database, other: database, close: () => database.close() };
    },
  },
  ...(serverTestUrl() === undefined
    ? []
    : [
        {
          name: "PostgreSQL server",
          open: async () => {
            const created = await createServerDatabase();
            const database = await openDatabase(created.url, { max: 4, pii: TEST_PII_KEYRING });
            await migrate(database);
            const other = await openDatabase(created.url, { max: 4, pii: TEST_PII_KEYRING });
            return {
              database,
              other,
              async close() {
                await other.close();
                await database.close();
                await created.drop();
              },
            };
          },
        },
      ]),
];

describe.each(backends)("scheduled maintenance ($name)", ({ open }) => {
  let database: Database;
  let replicas: Replicas;

  beforeEach(async () => {
    replicas = await open();
    database = replicas.database;
  });
  afterEach(async () => {
    await replicas.close();
  });

  const count = async (query: ReturnType<typeof sql>) =>
    Number((await queryRows<{ n: number }>(database.db, query))[0]?.n);
  const checkpointsOf = (threadId: string) =>
    count(sql`select count(*)::int as n from thread_checkpoints where thread_id = ${threadId}`);
  const itemKeys = async () =>
    (
      await queryRows<{ key: string }>(
        database.db,
        sql`select tenant_id || ':' || key as key from memory_items order by 1`,
      )
    ).map((r) => r.key);

  /** `steps` checkpoints on a thread, each writing channel `n`; all made `ageMs` old. */
  async function thread(threadId: string, steps: number, ageMs: number): Promise<void> {
    const saver = new PostgresCheckpointSaver(database.db);
    let config: RunnableConfig = { configurable: { thread_id: threadId, checkpoint_ns: "" } };
    for (let step = 0; step < steps; step++) {
      const versions: ChannelVersions = { n: step + 1 };
      const checkpoint = {
        ...emptyCheckpoint(),
        id: uuid6(step),
        channel_values: { n: step },
        channel_versions: versions,
      };
      config = await saver.put(config, checkpoint, { source: "loop", step, parents: {} }, versions);
    }
    await database.db.execute(
      sql`update thread_checkpoints set created_at = now() - ${ageMs}::bigint * interval '1 millisecond'
          where thread_id = ${threadId}`,
    );
  }

  /** Store items of two tenants: with a TTL (expired or not) and without one. */
  async function items(): Promise<void> {
    const memory = createMemory({ db: database.db });
    for (const tenant of ["acme", "globex"]) {
      const m = memory.forTenant(tenant);
      await m.put(["notes"], "expired", { text: "old" }, { index: false, ttl: 1 });
      await m.put(["notes"], "fresh", { text: "new" }, { index: false, ttl: 60 });
      await m.put(["notes"], "forever", { text: "kept" }, { index: false });
    }
    await database.db.execute(
      sql`update memory_items set expires_at = now() - interval '1 minute' where key = 'expired'`,
    );
  }

  it("runOnce prunes old checkpoints and sweeps expired items of every tenant", async () => {
    await thread("old", 6, 10 * DAY_MS);
    await thread("young", 6, 0);
    await items();
    const maintenance = createMaintenance({
      database,
      checkpoints: { keepLast: 2, keepYoungerThan: 7 * DAY_MS },
    });

    const report = await maintenance.runOnce();

    expect(report).toMatchObject({
      ran: true,
      checkpoints: { checkpoints: 4, blobs: 4 },
      memoryItems: 2,
      failed: {},
    });
    expect(await checkpointsOf("old")).toBe(2);
    expect(await checkpointsOf("young")).toBe(6);
    expect(await itemKeys()).toEqual(["acme:forever", "acme:fresh", "globex:forever", "globex:fresh"]);
    expect(maintenance.lastReport).toEqual(report);
    // Nothing left to do: a second run deletes nothing.
    expect(await maintenance.runOnce()).toMatchObject({ checkpoints: { checkpoints: 0 }, memoryItems: 0 });
  });

  it("skips its turn while another process holds the maintenance lock", async () => {
    await thread("old", 4, 10 * DAY_MS);
    const maintenance = createMaintenance({ database, checkpoints: { keepLast: 1, keepYoungerThan: 0 } });

    const report = await database.withAdvisoryLock(MAINTENANCE_LOCK_KEY, () => maintenance.runOnce());

    expect(report).toMatchObject({
      ran: false,
      skipped: { reason: "locked" },
      checkpoints: null,
      memoryItems: null,
    });
    expect(await checkpointsOf("old")).toBe(4);
    expect((await maintenance.runOnce()).ran).toBe(true);
    expect(await checkpointsOf("old")).toBe(1);
  });

  it("runs on its schedule with an unref'd timer, and stops", async () => {
    await thread("old", 5, 10 * DAY_MS);
    const maintenance = createMaintenance({
      database,
      // Long enough that the first report is still the last one when the test reads it.
      intervalMs: 400,
      firstRunAfterMs: 10,
      checkpoints: { keepLast: 1, keepYoungerThan: DAY_MS },
    });
    const refTimers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = refTimers();
    maintenance.start();
    expect(refTimers()).toBe(before);

    // The report is set when the whole run has finished; the pruning is visible to other queries earlier.
    await vi.waitFor(() => expect(maintenance.lastReport).toMatchObject({ ran: true }), { timeout: 10_000 });
    const first = maintenance.lastReport;
    expect(first).toMatchObject({ ran: true, checkpoints: { checkpoints: 4 } });
    expect(await checkpointsOf("old")).toBe(1);
    // Later runs keep coming (each finds nothing more).
    await vi.waitFor(() => expect(maintenance.lastReport).not.toBe(first), { timeout: 10_000 });

    await maintenance.stop();
    const last = maintenance.lastReport;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(maintenance.lastReport).toBe(last);
  });

  it("runs once per interval across replicas: a second replica's turn right after the first's is skipped", async () => {
    await thread("old", 5, 10 * DAY_MS);
    const schedule = { intervalMs: 3_600_000, firstRunAfterMs: 5 };
    const first = createMaintenance({
      database,
      ...schedule,
      checkpoints: { keepLast: 3, keepYoungerThan: DAY_MS },
    });
    const second = createMaintenance({
      database: replicas.other,
      ...schedule,
      checkpoints: { keepLast: 1, keepYoungerThan: DAY_MS },
    });
    try {
      first.start();
      await vi.waitFor(() => expect(first.lastReport?.ran).toBe(true), { timeout: 10_000 });
      expect(await checkpointsOf("old")).toBe(3);

      second.start();
      await vi.waitFor(() => expect(second.lastReport).toBeDefined(), { timeout: 10_000 });
      expect(second.lastReport).toMatchObject({ ran: false, skipped: { reason: "recent" } });
      // The second replica's stricter policy did not run.
      expect(await checkpointsOf("old")).toBe(3);
      // An explicit run is not a turn on the schedule: it runs however recent the last one was.
      expect((await second.runOnce()).ran).toBe(true);
      expect(await checkpointsOf("old")).toBe(1);
      const [row] = await queryRows<{ ran_by: string }>(
        database.db,
        sql`select ran_by from maintenance_runs where schedule = 'memory'`,
      );
      expect(row?.ran_by).toMatch(/:\d+$/);
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  it("does nothing on a schedule of 0", async () => {
    const maintenance = createMaintenance({ database, intervalMs: 0 });
    maintenance.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(maintenance.lastReport).toBeUndefined();
    await maintenance.stop();
  });

  it("refuses a bad policy at creation", () => {
    expect(() => createMaintenance({ database, intervalMs: -1 })).toThrow(RangeError);
    expect(() => createMaintenance({ database, checkpoints: { keepLast: 1.5, keepYoungerThan: 0 } })).toThrow(
      /keepLast/,
    );
    expect(() =>
      createMaintenance({ database, checkpoints: { keepLast: 1, keepYoungerThan: Number.NaN } }),
    ).toThrow(/keepYoungerThan/);
  });
});

describe("maintenance errors", () => {
  it("are logged by job, never thrown out of the timer", async () => {
    // No migrations: neither the checkpoint tables nor memory_items exist, so both jobs fail.
    const database = await createEmptyTestDatabase();
    try {
      const errors: string[] = [];
      const log: MaintenanceLog = { info: () => {}, error: (_object, message) => errors.push(message) };
      const maintenance = createMaintenance({
        database,
        intervalMs: 20,
        firstRunAfterMs: 5,
        checkpoints: { keepLast: 1, keepYoungerThan: 0 },
        log,
      });
      const report = await maintenance.runOnce();
      expect(report.ran).toBe(true);
      expect(Object.keys(report.failed).sort()).toEqual(["checkpoints", "memoryItems"]);
      expect(report.failed.checkpoints).toMatch(/thread_checkpoints/);
      expect(errors).toEqual([
        "maintenance: checkpoint prune failed",
        "maintenance: memory item sweep failed",
        "maintenance: could not record this run",
      ]);

      // On the schedule, the same failures are logged and the schedule goes on.
      maintenance.start();
      await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(9), { timeout: 10_000 });
      expect(errors).toContain("maintenance: could not read when it last ran");
      await maintenance.stop();
    } finally {
      await database.close();
    }
  });

  it("of the database itself are logged by the timer, and rejected by runOnce", async () => {
    const database = await createTestDatabase();
    const errors: string[] = [];
    const maintenance = createMaintenance({
      database,
      intervalMs: 20,
      firstRunAfterMs: 5,
      log: { info: () => {}, error: (_object, message) => errors.push(message) },
    });
    await database.close();
    await expect(maintenance.runOnce()).rejects.toThrow();
    maintenance.start();
    await vi.waitFor(() => expect(errors).toContain("maintenance run failed"), { timeout: 10_000 });
    await maintenance.stop();
  });
});

describe("system.maintenance", () => {
  it("prunes a real thread's history down to its head, which still reads and continues", async () => {
    const database = await createTestDatabase();
    const system = await createMarketingSystem({
      database,
      approvalPolicy: "never",
      maintenance: { keepLast: 1, keepYoungerThanMs: 0 },
    });
    try {
      expect(system.maintenance.intervalMs).toBe(0);
      const first = await system.threads.run({
        input: { lead: { name: "Ada", email: "ada@example.com", source: "Reference", totalVisits: 4 } },
      });
      const key = `default/${first.threadId}`;
      const before = Number(
        (
          await queryRows<{ n: number }>(
            database.db,
            sql`select count(*)::int as n from thread_checkpoints where thread_id = ${key}`,
          )
        )[0]?.n,
      );
      expect(before).toBeGreaterThan(2);

      const report = await system.maintenance.runOnce();

      expect(report.ran).toBe(true);
      expect(report.checkpoints?.checkpoints).toBe(before - 1);
      const [after] = await queryRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from thread_checkpoints where thread_id = ${key}`,
      );
      expect(after?.n).toBe(1);
      // The thread continues from its head.
      const next = await system.threads.run({
        threadId: first.threadId,
        input: { message: "Any news?" },
      });
      expect(next.status).not.toBe("error");
      expect(next.state.handoffs.length).toBeGreaterThan(first.state.handoffs.length);
    } finally {
      await system.close();
      await database.close();
    }
  });
});
