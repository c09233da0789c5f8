import { Annotation, Command, END, INTERRUPT, interrupt, START, StateGraph } from "@langchain/langgraph";
import {
  type Checkpoint,
  type CheckpointMetadata,
  ERROR,
  emptyCheckpoint,
  RESUME,
  uuid6,
} from "@langchain/langgraph-checkpoint";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "../../src/db/client.js";
import { CheckpointerError } from "../../src/memory/checkpointer/errors.js";
import { PostgresCheckpointSaver } from "../../src/memory/checkpointer/saver.js";

/**
 * What the system relies on from the checkpointer beyond the official validation suite: real graphs
 * (forks, interrupts, subgraphs), idempotent writes, paging, large and binary values. Run by
 * `contract.pglite.int.test.ts` and `contract.postgres.int.test.ts`.
 */
export interface CheckpointerBackend {
  /** Shown in test names. */
  name: string;
  /**
   * The migrated database the suite runs on, opened and closed by the test file (one database serves this
   * suite and the retention suite: opening PGlite is the slowest part of both).
   */
  database(): Database;
}

const meta = (step: number, source: CheckpointMetadata["source"] = "loop"): CheckpointMetadata => ({
  source,
  step,
  parents: {},
});

function checkpointWith(values: Record<string, unknown>, versions: Record<string, number>): Checkpoint {
  return { ...emptyCheckpoint(), id: uuid6(-1), channel_values: values, channel_versions: versions };
}

const Steps = Annotation.Root({
  value: Annotation<string>,
  log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

/** a → b → c, each appending its name to `log` and setting `value`. */
function threeSteps(saver: PostgresCheckpointSaver) {
  const step = (name: string) => () => ({ value: name, log: [name] });
  return new StateGraph(Steps)
    .addNode("a", step("a"))
    .addNode("b", step("b"))
    .addNode("c", step("c"))
    .addEdge(START, "a")
    .addEdge("a", "b")
    .addEdge("b", "c")
    .addEdge("c", END)
    .compile({ checkpointer: saver });
}

export function checkpointerContract(backend: CheckpointerBackend): void {
  describe(`checkpointer contract on ${backend.name}`, () => {
    let database: Database;
    let saver: PostgresCheckpointSaver;

    beforeAll(() => {
      database = backend.database();
      saver = new PostgresCheckpointSaver(database.db);
    });

    it("runs a graph, keeps state across invokes and answers history newest first", async () => {
      const graph = threeSteps(saver);
      const config = { configurable: { thread_id: `graph-${uuid6(-1)}` } };
      await graph.invoke({ log: ["start"] }, config);
      const second = await graph.invoke({ log: ["again"] }, config);
      expect(second.log).toEqual(["start", "a", "b", "c", "again", "a", "b", "c"]);

      const history = [];
      for await (const snapshot of graph.getStateHistory(config)) history.push(snapshot);
      // Per invoke: the input checkpoint, one before a, and one after each node.
      expect(history).toHaveLength(10);
      expect(history[0]?.values).toEqual(second);
      const ids = history.map((s) => String(s.config.configurable?.["checkpoint_id"]));
      expect([...ids].sort().reverse()).toEqual(ids);
      expect(await saver.latestCheckpointId(String(config.configurable.thread_id))).toBe(ids[0]);
    });

    /** Fork a finished run at the checkpoint after node a; returns the fork's and the old head's values. */
    async function forkAfterA(forkSaver: PostgresCheckpointSaver) {
      const graph = threeSteps(forkSaver);
      const config = { configurable: { thread_id: `fork-${uuid6(-1)}` } };
      await graph.invoke({ log: [] }, config);
      const history = [];
      for await (const snapshot of graph.getStateHistory(config)) history.push(snapshot);
      // After node a, node b wrote `value` under the next version: the version the fork will take.
      const afterA = history.find((s) => s.values.value === "a" && s.next[0] === "b");
      expect(afterA).toBeDefined();
      const forkConfig = await graph.updateState(afterA?.config ?? {}, { value: "fork" }, "a");
      return {
        graph,
        forkConfig,
        fork: (await graph.getState(forkConfig)).values,
        oldHead: (await graph.getState(history[0]?.config ?? {})).values,
      };
    }

    it("keeps a fork's values apart from the branch it left (versions never repeat)", async () => {
      const { graph, forkConfig, fork, oldHead } = await forkAfterA(saver);
      expect(fork).toEqual({ value: "fork", log: ["a"] });
      expect(oldHead).toEqual({ value: "c", log: ["a", "b", "c"] });
      // Continuing the fork runs b and c on the fork's state.
      expect(await graph.invoke(null, forkConfig)).toEqual({ value: "c", log: ["a", "b", "c"] });
    });

    it("would lose the fork's value with LangGraph's default integer versions (why versions.ts exists)", async () => {
      class IntegerVersions extends PostgresCheckpointSaver {
        override getNextVersion(current: number | undefined): number {
          return (current ?? 0) + 1;
        }
      }
      const { fork } = await forkAfterA(new IntegerVersions(database.db));
      // The fork's `value` got the version b's write already has; the stored blob of the old branch wins.
      expect(fork.value).toBe("b");
    });

    it("stops on interrupt() with the interrupt pending and continues on resume", async () => {
      const Approval = Annotation.Root({ draft: Annotation<string>, decision: Annotation<string> });
      const graph = new StateGraph(Approval)
        .addNode("write", () => ({ draft: "Hello Ada" }))
        .addNode("review", (state) => ({ decision: interrupt<string, string>(`approve "${state.draft}"?`) }))
        .addEdge(START, "write")
        .addEdge("write", "review")
        .addEdge("review", END)
        .compile({ checkpointer: saver });
      const threadId = `hitl-${uuid6(-1)}`;
      const config = { configurable: { thread_id: threadId } };
      const paused = await graph.invoke({}, config);
      // invoke() returns the interrupts under __interrupt__, a key the state type does not declare.
      const interrupts = (paused as Record<string, unknown>)[INTERRUPT] as { value: unknown }[] | undefined;
      expect(interrupts?.[0]?.value).toBe('approve "Hello Ada"?');
      const head = await saver.getTuple(config);
      expect(head?.pendingWrites?.map(([, channel]) => channel)).toContain(INTERRUPT);
      const interruptedId = head?.config.configurable?.["checkpoint_id"];

      const done = await graph.invoke(new Command({ resume: "approved" }), config);
      expect(done).toEqual({ draft: "Hello Ada", decision: "approved" });
      // The resume was written onto the interrupted checkpoint: retention relies on it.
      const interrupted = await saver.getTuple({
        configurable: { ...config.configurable, checkpoint_id: interruptedId },
      });
      expect(interrupted?.pendingWrites?.map(([, channel]) => channel)).toEqual(
        expect.arrayContaining([INTERRUPT, RESUME]),
      );
    });

    it("stores subgraph checkpoints under their namespace and deleteThread removes every namespace", async () => {
      const inner = new StateGraph(Steps)
        .addNode("inner", () => ({ value: "inner", log: ["inner"] }))
        .addEdge(START, "inner")
        .compile();
      const graph = new StateGraph(Steps)
        .addNode("outer", inner)
        .addEdge(START, "outer")
        .compile({ checkpointer: saver });
      const threadId = `sub-${uuid6(-1)}`;
      const result = await graph.invoke({ log: [] }, { configurable: { thread_id: threadId } });
      expect(result.log).toEqual(["inner"]);
      const namespaces = await queryRows<{ checkpoint_ns: string }>(
        database.db,
        sql`select distinct checkpoint_ns from thread_checkpoints where thread_id = ${threadId} order by 1`,
      );
      expect(namespaces[0]?.checkpoint_ns).toBe("");
      expect(namespaces.slice(1).map((r) => r.checkpoint_ns.split(":")[0])).toContain("outer");
      const inChild = [];
      const childNs = namespaces[1]?.checkpoint_ns ?? "";
      for await (const t of saver.list({ configurable: { thread_id: threadId, checkpoint_ns: childNs } }))
        inChild.push(t);
      expect(inChild.length).toBeGreaterThan(0);
      expect(inChild.every((t) => t.config.configurable?.["checkpoint_ns"] === childNs)).toBe(true);

      await saver.deleteThread(threadId);
      const left = await queryRows<{ n: number }>(
        database.db,
        sql`select (select count(*) from thread_checkpoints where thread_id = ${threadId})
                 + (select count(*) from thread_checkpoint_blobs where thread_id = ${threadId})
                 + (select count(*) from thread_checkpoint_writes where thread_id = ${threadId}) as n`,
      );
      expect(Number(left[0]?.n)).toBe(0);
    });

    it("keeps the first write per (task, idx) but lets special writes replace each other", async () => {
      const config = await saver.put(
        { configurable: { thread_id: `writes-${uuid6(-1)}` } },
        checkpointWith({}, {}),
        meta(0),
        {},
      );
      await saver.putWrites(config, [["animals", "dog"]], "task-1");
      await saver.putWrites(config, [["animals", "cat"]], "task-1");
      await saver.putWrites(config, [[ERROR, "first failure"]], "task-2");
      await saver.putWrites(
        config,
        [
          [ERROR, "second failure"],
          [ERROR, "third failure"],
        ],
        "task-2",
      );
      const tuple = await saver.getTuple(config);
      expect(tuple?.pendingWrites).toEqual([
        ["task-1", "animals", "dog"],
        ["task-2", ERROR, "third failure"],
      ]);
    });

    it("returns pending writes in replay order: task path, then task id, then index", async () => {
      const config = await saver.put(
        { configurable: { thread_id: `order-${uuid6(-1)}` } },
        checkpointWith({}, {}),
        meta(0),
        {},
      );
      await saver.putWrites(
        config,
        [
          ["x", "b0"],
          ["x", "b1"],
        ],
        "task-b",
        "~a",
      );
      await saver.putWrites(config, [["x", "z"]], "task-z", "");
      await saver.putWrites(config, [["x", "a"]], "task-a", "~b");
      await saver.putWrites(config, [["x", "c"]], "task-c", "~a");
      const tuple = await saver.getTuple(config);
      expect(tuple?.pendingWrites?.map(([, , value]) => value)).toEqual(["z", "b0", "b1", "c", "a"]);
    });

    it("round-trips large, binary and awkward values", async () => {
      const big = "x".repeat(1_000_000);
      const bytes = new Uint8Array([0, 1, 2, 254, 255]);
      const values = { big, bytes, nested: { when: "2026-01-01", list: [1, null, "two"] } };
      const config = await saver.put(
        { configurable: { thread_id: `values-${uuid6(-1)}` } },
        checkpointWith(values, { big: 1, bytes: 1, nested: 1 }),
        { ...meta(0), note: "nul\u0000inside" } as CheckpointMetadata,
        { big: 1, bytes: 1, nested: 1 },
      );
      const tuple = await saver.getTuple(config);
      expect(tuple?.checkpoint.channel_values["big"]).toBe(big);
      expect(tuple?.checkpoint.channel_values["bytes"]).toEqual(bytes);
      expect(tuple?.checkpoint.channel_values["nested"]).toEqual(values.nested);
      expect((tuple?.metadata as Record<string, unknown> | undefined)?.["note"]).toBe("nulinside");
    });

    it("pages list() through long histories without losing or repeating a checkpoint", async () => {
      const paged = new PostgresCheckpointSaver(database.db, { listPageSize: 2 });
      const threadId = `paged-${uuid6(-1)}`;
      let config = { configurable: { thread_id: threadId } } as Parameters<PostgresCheckpointSaver["put"]>[0];
      const ids: string[] = [];
      for (let step = 0; step < 7; step++) {
        const checkpoint = checkpointWith({ n: step }, { n: step + 1 });
        config = await paged.put(config, checkpoint, meta(step, step % 2 === 0 ? "loop" : "input"), {
          n: step + 1,
        });
        ids.push(checkpoint.id);
      }
      const all = [];
      for await (const t of paged.list({ configurable: { thread_id: threadId } })) all.push(t);
      expect(all.map((t) => t.checkpoint.id)).toEqual([...ids].reverse());
      expect(all.map((t) => t.checkpoint.channel_values["n"])).toEqual([6, 5, 4, 3, 2, 1, 0]);

      const limited = [];
      for await (const t of paged.list({ configurable: { thread_id: threadId } }, { limit: 5 }))
        limited.push(t);
      expect(limited.map((t) => t.checkpoint.id)).toEqual([...ids].reverse().slice(0, 5));

      const loops = [];
      const before = { configurable: { thread_id: threadId, checkpoint_id: ids[5] } };
      for await (const t of paged.list(
        { configurable: { thread_id: threadId } },
        { filter: { source: "loop" }, before },
      ))
        loops.push(t.metadata?.step);
      expect(loops).toEqual([4, 2, 0]);
    });

    it("serves concurrent puts on many threads", async () => {
      const threads = Array.from({ length: 20 }, (_, i) => `many-${i}-${uuid6(-1)}`);
      await Promise.all(
        threads.map((threadId, i) =>
          saver.put({ configurable: { thread_id: threadId } }, checkpointWith({ i }, { i: 1 }), meta(0), {
            i: 1,
          }),
        ),
      );
      const heads = await Promise.all(
        threads.map((threadId) => saver.getTuple({ configurable: { thread_id: threadId } })),
      );
      expect(heads.map((t) => t?.checkpoint.channel_values["i"])).toEqual(threads.map((_, i) => i));
    });

    it("rejects configs without a thread and writes without a checkpoint, with a typed error", async () => {
      await expect(
        saver.put({ configurable: {} }, checkpointWith({}, {}), meta(0), {}),
      ).rejects.toBeInstanceOf(CheckpointerError);
      await expect(
        saver.putWrites({ configurable: { thread_id: "t" } }, [["x", 1]], "task"),
      ).rejects.toMatchObject({ code: "invalid_config" });
      expect(() => new PostgresCheckpointSaver(database.db, { listPageSize: 0 })).toThrow(CheckpointerError);
    });
  });
}
