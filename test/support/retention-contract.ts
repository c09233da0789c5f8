import { randomUUID } from "node:crypto";
import type { RunnableConfig } from "@langchain/core/runnables";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import {
  type ChannelVersions,
  emptyCheckpoint,
  INTERRUPT,
  RESUME,
  uuid6,
} from "@langchain/langgraph-checkpoint";
import { type SQL, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "../../src/db/client.js";
import { CheckpointerError } from "../../src/memory/checkpointer/errors.js";
import { pruneCheckpoints } from "../../src/memory/checkpointer/retention.js";
import { PostgresCheckpointSaver } from "../../src/memory/checkpointer/saver.js";
import type { CheckpointerBackend } from "./checkpointer-contract.js";

const DAY_MS = 86_400_000;

/**
 * Retention (`pruneCheckpoints`) on a real database: what it deletes, what it must never delete, and that
 * it is safe beside running graphs and other prunes.
 */
export function retentionContract(backend: CheckpointerBackend): void {
  describe(`checkpoint retention on ${backend.name}`, () => {
    let database: Database;
    let saver: PostgresCheckpointSaver;

    beforeAll(() => {
      database = backend.database();
      saver = new PostgresCheckpointSaver(database.db);
    });

    const count = async (query: SQL) => Number((await queryRows<{ n: number }>(database.db, query))[0]?.n);
    const idsOf = async (threadId: string, ns = "") =>
      (
        await queryRows<{ checkpoint_id: string }>(
          database.db,
          sql`select checkpoint_id from thread_checkpoints
              where thread_id = ${threadId} and checkpoint_ns = ${ns} order by checkpoint_id`,
        )
      ).map((r) => r.checkpoint_id);
    const age = (threadId: string, ms = 2 * DAY_MS) =>
      database.db.execute(
        sql`update thread_checkpoints set created_at = now() - ${ms}::bigint * interval '1 millisecond'
            where thread_id = ${threadId}`,
      );

    /**
     * A chain of `steps` checkpoints: channel `fixed` written once at the first, `n` at every step; one
     * pending write per checkpoint. Returns the checkpoint ids, oldest first.
     */
    async function chain(threadId: string, steps: number, ns = ""): Promise<string[]> {
      let config: RunnableConfig = { configurable: { thread_id: threadId, checkpoint_ns: ns } };
      const ids: string[] = [];
      for (let step = 0; step < steps; step++) {
        const versions: ChannelVersions = { fixed: 1, n: step + 1 };
        const checkpoint = {
          ...emptyCheckpoint(),
          id: uuid6(step),
          channel_values: { fixed: "kept", n: step },
          channel_versions: versions,
        };
        const newVersions: ChannelVersions = step === 0 ? versions : { n: step + 1 };
        config = await saver.put(config, checkpoint, { source: "loop", step, parents: {} }, newVersions);
        await saver.putWrites(config, [["n", step + 1]], `task-${step}`);
        ids.push(checkpoint.id);
      }
      return ids;
    }

    it("deletes checkpoints past keepLast and older than the age limit, with their writes and blobs", async () => {
      const threadId = randomUUID();
      const ids = await chain(threadId, 6);
      await age(threadId);
      const result = await pruneCheckpoints(database.db, { keepLast: 2, keepYoungerThan: DAY_MS, threadId });
      // Steps 0–3 go; blob `fixed`@1 stays, the kept checkpoints still point at it.
      expect(result).toEqual({ checkpoints: 4, writes: 4, blobs: 4, batches: 1 });
      expect(await idsOf(threadId)).toEqual(ids.slice(4));
      const head = await saver.getTuple({ configurable: { thread_id: threadId } });
      expect(head?.checkpoint.channel_values).toEqual({ fixed: "kept", n: 5 });
      const older = await saver.getTuple({ configurable: { thread_id: threadId, checkpoint_id: ids[4] } });
      expect(older?.checkpoint.channel_values).toEqual({ fixed: "kept", n: 4 });
      expect(older?.pendingWrites).toEqual([["task-4", "n", 5]]);
      expect(await danglingBlobReferences(database, threadId)).toBe(0);
    });

    it("keeps everything younger than keepYoungerThan, whatever its rank", async () => {
      const threadId = randomUUID();
      const ids = await chain(threadId, 5);
      await database.db.execute(
        sql`update thread_checkpoints set created_at = now() - interval '2 days'
            where thread_id = ${threadId} and checkpoint_id in (${ids[0]}, ${ids[1]})`,
      );
      const result = await pruneCheckpoints(database.db, { keepLast: 1, keepYoungerThan: DAY_MS, threadId });
      expect(result.checkpoints).toBe(2);
      expect(await idsOf(threadId)).toEqual(ids.slice(2));
    });

    it("never deletes the head of a thread's namespace, even with keepLast 0", async () => {
      const threadId = randomUUID();
      const root = await chain(threadId, 3);
      const child = await chain(threadId, 2, "outer:task-1");
      await age(threadId);
      const result = await pruneCheckpoints(database.db, { keepLast: 0, keepYoungerThan: 0, threadId });
      expect(result.checkpoints).toBe(3);
      expect(await idsOf(threadId)).toEqual(root.slice(2));
      expect(await idsOf(threadId, "outer:task-1")).toEqual(child.slice(1));
      expect(await danglingBlobReferences(database, threadId)).toBe(0);
    });

    it("keeps a checkpoint whose interrupt has not been answered, not one that was resumed", async () => {
      const threadId = randomUUID();
      const ids = await chain(threadId, 4);
      const at = (i: number) => ({
        configurable: { thread_id: threadId, checkpoint_ns: "", checkpoint_id: ids[i] },
      });
      await saver.putWrites(at(1), [[INTERRUPT, [{ value: "approve?" }]]], "approve");
      await saver.putWrites(at(2), [[INTERRUPT, [{ value: "approve?" }]]], "approve");
      await saver.putWrites(at(2), [[RESUME, "yes"]], "00000000-0000-0000-0000-000000000000");
      await age(threadId);
      const result = await pruneCheckpoints(database.db, { keepLast: 1, keepYoungerThan: 0, threadId });
      expect(result.checkpoints).toBe(2);
      expect(await idsOf(threadId)).toEqual([ids[1], ids[3]]);
      const pending = await saver.getTuple(at(1));
      expect(pending?.pendingWrites?.map(([, channel]) => channel)).toContain(INTERRUPT);
    });

    it("touches only the given thread, and every thread without one", async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      await chain(a, 3);
      await chain(b, 3);
      await age(a);
      await age(b);
      expect(
        (await pruneCheckpoints(database.db, { keepLast: 1, keepYoungerThan: 0, threadId: a })).checkpoints,
      ).toBe(2);
      expect(await idsOf(b)).toHaveLength(3);
      const everywhere = await pruneCheckpoints(database.db, { keepLast: 1, keepYoungerThan: 0 });
      expect(everywhere.checkpoints).toBeGreaterThanOrEqual(2);
      expect(await idsOf(b)).toHaveLength(1);
    });

    it("works through a backlog in batches", async () => {
      const threadId = randomUUID();
      await chain(threadId, 6);
      await age(threadId);
      const result = await pruneCheckpoints(database.db, {
        keepLast: 1,
        keepYoungerThan: 0,
        threadId,
        batchSize: 2,
      });
      expect(result).toMatchObject({ checkpoints: 5, writes: 5, batches: 3 });
      expect(await idsOf(threadId)).toHaveLength(1);
    });

    it("is safe beside a running graph and beside other prunes", async () => {
      const State = Annotation.Root({
        log: Annotation<string[]>({ reducer: (x, y) => x.concat(y), default: () => [] }),
      });
      const graph = new StateGraph(State)
        .addNode("a", () => ({ log: ["a"] }))
        .addNode("b", () => ({ log: ["b"] }))
        .addNode("c", () => ({ log: ["c"] }))
        .addEdge(START, "a")
        .addEdge("a", "b")
        .addEdge("b", "c")
        .addEdge("c", END)
        .compile({ checkpointer: saver });
      const threadId = randomUUID();
      const config = { configurable: { thread_id: threadId } };
      let running = true;
      const runs = (async () => {
        try {
          for (let i = 0; i < 8; i++) await graph.invoke({ log: [`in${i}`] }, config);
        } finally {
          running = false;
        }
      })();
      let prunes = 0;
      const pruner = async () => {
        while (running) {
          await pruneCheckpoints(database.db, { keepLast: 1, keepYoungerThan: 0, threadId });
          prunes++;
        }
      };
      await Promise.all([runs, pruner(), pruner()]);
      expect(prunes).toBeGreaterThan(0);
      const state = await graph.getState(config);
      const expected = Array.from({ length: 8 }, (_, i) => [`in${i}`, "a", "b", "c"]).flat();
      expect(state.values.log).toEqual(expected);
      expect(await danglingBlobReferences(database, threadId)).toBe(0);
      await pruneCheckpoints(database.db, { keepLast: 1, keepYoungerThan: 0, threadId });
      expect(await idsOf(threadId)).toHaveLength(1);
      expect((await graph.getState(config)).values.log).toEqual(expected);
      expect(
        await count(sql`select count(*) as n from thread_checkpoint_writes w where w.thread_id = ${threadId}
        and not exists (select 1 from thread_checkpoints c where c.thread_id = w.thread_id
          and c.checkpoint_ns = w.checkpoint_ns and c.checkpoint_id = w.checkpoint_id)`),
      ).toBe(0);
    });

    it("rejects options out of range with a typed error", async () => {
      for (const options of [
        { keepLast: -1, keepYoungerThan: 0 },
        { keepLast: 1.5, keepYoungerThan: 0 },
        { keepLast: 1, keepYoungerThan: Number.NaN },
        { keepLast: 1, keepYoungerThan: 0, batchSize: 0 },
      ]) {
        await expect(pruneCheckpoints(database.db, options)).rejects.toBeInstanceOf(CheckpointerError);
      }
    });
  });
}

/** Channel versions of remaining checkpoints with no blob row: values a reader would silently miss. */
async function danglingBlobReferences(database: Database, threadId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n
        from thread_checkpoints c, jsonb_each_text(c.checkpoint -> 'channel_versions') v
        where c.thread_id = ${threadId}
          and not exists (
            select 1 from thread_checkpoint_blobs b
            where b.thread_id = c.thread_id and b.checkpoint_ns = c.checkpoint_ns
              and b.channel = v.key and b.version = v.value)`,
  );
  return Number(row?.n);
}
