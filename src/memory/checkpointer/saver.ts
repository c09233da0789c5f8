import type { RunnableConfig } from "@langchain/core/runnables";
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
} from "@langchain/langgraph-checkpoint";
import type { Db } from "../../db/client.js";
import { EncryptingSerializer } from "./encrypting-serde.js";
import { CheckpointerError, CheckpointerErrorCode } from "./errors.js";
import { checkpointJson, dumpBlobs, dumpMetadata, dumpWrites } from "./serde.js";
import {
  type CheckpointKey,
  type CheckpointSelection,
  deleteThread,
  selectHeadId,
  selectTuple,
  selectTuples,
  type TupleRow,
  upsertCheckpoint,
  upsertWrites,
} from "./sql.js";
import { runStatement, StatementCache } from "./statements.js";
import { tuplesFromRows } from "./tuples.js";
import { nextChannelVersion } from "./versions.js";

export interface PostgresCheckpointSaverOptions {
  /** Serializer for channel values, writes and metadata (default: LangGraph's JsonPlusSerializer). */
  serde?: SerializerProtocol;
  /** Checkpoints fetched per query while `list()` iterates (default 100): long histories stream in pages. */
  listPageSize?: number;
}

const DEFAULT_LIST_PAGE_SIZE = 100;

/**
 * LangGraph checkpointer (short-term memory) on the project's database layer: the same code runs on
 * embedded PGlite and on a PostgreSQL server through postgres.js. Tables come from the drizzle migrations
 * (`checkpointer.schema.ts`), so there is no `setup()`.
 *
 * Every call is one SQL statement: `put` stores the checkpoint and its new channel blobs together,
 * `putWrites` all of a task's writes, and reads fetch checkpoints, blobs and writes in one round trip.
 * The statements of every graph step are prepared once per shape and then only executed (statements.ts).
 *
 * The `db` is not closed by the saver: the caller owns it.
 *
 * @example
 * const saver = new PostgresCheckpointSaver(database.db);
 * const graph = builder.compile({ checkpointer: saver });
 * await graph.invoke(input, { configurable: { thread_id: "lead-42" } });
 */
export class PostgresCheckpointSaver extends BaseCheckpointSaver {
  private readonly listPageSize: number;
  /** Metadata stays plain JSON (it is filtered in SQL) even when values are sealed. */
  private readonly metadataSerde: SerializerProtocol;
  private readonly statements: StatementCache;

  constructor(
    private readonly db: Db,
    options: PostgresCheckpointSaverOptions = {},
  ) {
    super(options.serde);
    this.metadataSerde = this.serde instanceof EncryptingSerializer ? this.serde.inner : this.serde;
    const pageSize = options.listPageSize ?? DEFAULT_LIST_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new CheckpointerError(
        CheckpointerErrorCode.InvalidOption,
        `listPageSize must be a positive integer, got ${pageSize}`,
      );
    }
    this.listPageSize = pageSize;
    this.statements = new StatementCache(db);
  }

  /**
   * The checkpoint at `checkpoint_id`, or the newest of the thread's namespace when the config has none.
   * Undefined when there is none (also when `thread_id` is missing, as the validation suite expects).
   */
  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = threadIdOf(config);
    if (threadId === undefined) return undefined;
    const { checkpoint_ns: checkpointNs, checkpoint_id: checkpointId } = config.configurable ?? {};
    const rows = await this.statements.run<TupleRow>(
      selectTuple({
        threadId,
        checkpointNs: String(checkpointNs ?? ""),
        ...(typeof checkpointId === "string" && checkpointId !== "" ? { checkpointId } : {}),
      }),
    );
    const [tuple] = await this.tuplesOf(rows);
    return tuple;
  }

  /**
   * Checkpoints newest first, filtered by the config's `thread_id`, `checkpoint_ns` and `checkpoint_id` (each
   * optional), metadata containment (`filter`), `before` (ids below that checkpoint's) and `limit`.
   */
  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { checkpoint_ns: checkpointNs, checkpoint_id: checkpointId } = config.configurable ?? {};
    const base: CheckpointSelection = {};
    const threadId = threadIdOf(config);
    if (threadId !== undefined) base.threadId = threadId;
    if (checkpointNs !== undefined && checkpointNs !== null) base.checkpointNs = String(checkpointNs);
    if (checkpointId !== undefined && checkpointId !== null && checkpointId !== "") {
      base.checkpointId = String(checkpointId);
    }
    if (options.filter !== undefined) base.filter = options.filter;
    const beforeId = options.before?.configurable?.checkpoint_id;
    if (typeof beforeId === "string") base.beforeId = beforeId;

    // A fractional limit counts whole checkpoints, as the official saver's parseInt does.
    let remaining = options.limit === undefined ? Number.POSITIVE_INFINITY : Math.floor(options.limit);
    let after: CheckpointKey | undefined;
    while (remaining > 0) {
      const pageLimit = Math.min(remaining, this.listPageSize);
      const page = await this.readTuples({
        ...base,
        ...(after === undefined ? {} : { after }),
        limit: pageLimit,
      });
      for (const tuple of page) yield tuple;
      if (page.length < pageLimit) return;
      remaining -= page.length;
      const last = page[page.length - 1]?.config.configurable;
      after = {
        threadId: String(last?.["thread_id"]),
        checkpointNs: String(last?.["checkpoint_ns"]),
        checkpointId: String(last?.["checkpoint_id"]),
      };
    }
  }

  /**
   * Store a checkpoint, with the values of the channels in `newVersions` (the others are already stored
   * under their versions), in one statement. Returns the config that addresses it.
   */
  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    if (config.configurable === undefined) {
      throw new CheckpointerError(
        CheckpointerErrorCode.InvalidConfig,
        'put needs "configurable" in the config',
      );
    }
    const threadId = requireThreadId(config, "put");
    const checkpointNs = String(config.configurable["checkpoint_ns"] ?? "");
    const parentId = config.configurable["checkpoint_id"];
    const [blobs, metadataJson] = await Promise.all([
      dumpBlobs(this.serde, checkpoint.channel_values, newVersions),
      dumpMetadata(this.metadataSerde, metadata),
    ]);
    await this.statements.run(
      upsertCheckpoint({
        threadId,
        checkpointNs,
        checkpointId: checkpoint.id,
        parentCheckpointId: typeof parentId === "string" && parentId !== "" ? parentId : null,
        checkpoint: checkpointJson(checkpoint),
        metadata: metadataJson,
        blobs,
      }),
    );
    return {
      configurable: { thread_id: threadId, checkpoint_ns: checkpointNs, checkpoint_id: checkpoint.id },
    };
  }

  /**
   * Store a task's writes against a checkpoint, idempotently per (task, idx); special channels (ERROR,
   * INTERRUPT, …) are replaced. `taskPath` orders writes when they are replayed.
   */
  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath = "",
  ): Promise<void> {
    const threadId = requireThreadId(config, "putWrites");
    const checkpointId = config.configurable?.["checkpoint_id"];
    if (typeof checkpointId !== "string" || checkpointId === "") {
      throw new CheckpointerError(
        CheckpointerErrorCode.InvalidConfig,
        'putWrites needs "configurable.checkpoint_id": writes belong to a checkpoint',
      );
    }
    if (writes.length === 0) return;
    const rows = await dumpWrites(this.serde, writes, taskId, taskPath);
    const checkpointNs = String(config.configurable?.["checkpoint_ns"] ?? "");
    await this.statements.run(upsertWrites({ threadId, checkpointNs, checkpointId }, rows));
  }

  /** Delete every checkpoint, blob and write of the thread, in all namespaces, atomically. */
  async deleteThread(threadId: string): Promise<void> {
    await runStatement(this.db, deleteThread(threadId));
  }

  /**
   * The id of the newest checkpoint of a thread's namespace, without loading it: a cheap check for callers
   * that must not continue from a stale head. Undefined for a thread with no checkpoint.
   */
  async latestCheckpointId(threadId: string, checkpointNs = ""): Promise<string | undefined> {
    const [row] = await this.statements.run<{ checkpoint_id: string }>(selectHeadId(threadId, checkpointNs));
    return row?.checkpoint_id;
  }

  /**
   * Versions with a random fraction, so that a fork never reuses a version of the branch it left (see
   * versions.ts). Still numbers, as LangGraph.js compares them with `>`.
   */
  override getNextVersion(current: number | undefined): number {
    return nextChannelVersion(current);
  }

  /** Run a selection and rebuild its tuples, newest first. */
  private async readTuples(selection: CheckpointSelection): Promise<CheckpointTuple[]> {
    return this.tuplesOf(await runStatement<TupleRow>(this.db, selectTuples(selection)));
  }

  private tuplesOf(rows: readonly TupleRow[]): Promise<CheckpointTuple[]> {
    return tuplesFromRows(rows, this.serde, () => this.getNextVersion(undefined));
  }
}

/** The config's thread id; numbers are accepted as LangGraph's own savers accept them. */
function threadIdOf(config: RunnableConfig): string | undefined {
  const threadId: unknown = config.configurable?.["thread_id"];
  if (typeof threadId === "number" && Number.isFinite(threadId)) return String(threadId);
  return typeof threadId === "string" && threadId !== "" ? threadId : undefined;
}

function requireThreadId(config: RunnableConfig, operation: string): string {
  const threadId = threadIdOf(config);
  if (threadId === undefined) {
    throw new CheckpointerError(
      CheckpointerErrorCode.InvalidConfig,
      `${operation} needs "configurable.thread_id": every checkpoint belongs to a thread`,
    );
  }
  return threadId;
}
