import { Worker } from "node:worker_threads";
import type { PGlite } from "@electric-sql/pglite";

/**
 * Embedded PGlite in a worker thread (docs/adr/0003), behind the part of PGlite's interface that drizzle's
 * PGlite driver and `client.ts` use: `query`, `exec`, `transaction`, plus `dumpDataDir` and `close`.
 *
 * Why a thread: loading the pgvector extension into the main isolate made every later `process.nextTick`
 * about 5x dearer for the life of the process (bench/probes/pglite-next-tick.ts), which every HTTP request
 * paid; and PGlite runs each query synchronously, which held the event loop for its duration.
 */

interface QueryOptions {
  rowMode?: "array" | "object";
  parsers?: Record<number, (value: string, typeId: number) => unknown>;
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ErrorFields };
interface ErrorFields {
  message: string;
  name?: string;
  [field: string]: unknown;
}

/** A query session: the database itself, or one open transaction. */
export interface PgliteSession {
  query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<PgliteResults<T>>;
  exec(text: string, options?: QueryOptions): Promise<PgliteResults<unknown>[]>;
}

export interface PgliteResults<T> {
  rows: T[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
}

/** The error a query raised in the worker, with its fields (`code` is the SQLSTATE) as PGlite set them. */
export class PgliteThreadError extends Error {
  constructor(fields: ErrorFields) {
    super(fields.message);
    for (const [key, value] of Object.entries(fields)) {
      if (key !== "message" && key !== "name" && key !== "stack")
        (this as Record<string, unknown>)[key] = value;
    }
    if (typeof fields.name === "string") this.name = fields.name;
  }
}

/**
 * drizzle passes parsers that keep the text of date and time types. Functions cannot cross threads, so
 * they travel as type OIDs and the worker applies the same identity parser; any other parser is refused
 * rather than silently ignored.
 */
function wireOptions(options: QueryOptions | undefined): object | undefined {
  if (!options) return undefined;
  const { parsers, ...rest } = options;
  if (!parsers) return rest;
  const keepTextOids: number[] = [];
  for (const [oid, parse] of Object.entries(parsers)) {
    if (parse("2024-01-02 03:04:05", Number(oid)) !== "2024-01-02 03:04:05") {
      throw new Error(`only text-keeping parsers can be used with embedded PGlite (type ${oid})`);
    }
    keepTextOids.push(Number(oid));
  }
  return { ...rest, keepTextOids };
}

export class PgliteThread implements PgliteSession {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  #nextId = 1;
  #nextTransaction = 1;
  #failure: Error | undefined;

  private constructor() {
    this.#worker = new Worker(new URL("./pglite-worker.mjs", import.meta.url));
    // Idle, the thread does not keep the process alive (a forgotten close() must not hang an exit);
    // while a call waits for its answer, it does.
    this.#worker.unref();
    this.#worker.on("message", (reply: Reply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(new PgliteThreadError(reply.error));
    });
    const fail = (error: Error) => {
      this.#failure = error;
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    this.#worker.on("error", fail);
    this.#worker.on("exit", (code) =>
      fail(new Error(`the embedded database's thread exited (code ${code})`)),
    );
  }

  /** Starts the thread and opens the database: in memory, in `dataDir`, or from a `dumpDataDir` snapshot. */
  static async open(options: { dataDir?: string; loadDataDir?: Blob } = {}): Promise<PgliteThread> {
    const thread = new PgliteThread();
    // A fresh copy of the dump, handed over to the thread rather than copied again.
    const dump = options.loadDataDir ? await options.loadDataDir.arrayBuffer() : undefined;
    try {
      await thread.#call(
        {
          op: "open",
          ...(options.dataDir ? { dataDir: options.dataDir } : {}),
          ...(dump ? { loadDataDir: dump } : {}),
        },
        dump ? [dump] : [],
      );
    } catch (error) {
      await thread.#worker.terminate();
      throw error;
    }
    return thread;
  }

  #call(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** A query or exec, in the database or in transaction `tx`; a refused option rejects like a query error. */
  #statement<R>(
    op: "query" | "exec",
    tx: number | undefined,
    fields: Record<string, unknown>,
    options?: QueryOptions,
  ): Promise<R> {
    let wire: object | undefined;
    try {
      wire = wireOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#call({ op, ...(tx === undefined ? {} : { tx }), ...fields, options: wire }) as Promise<R>;
  }

  query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<PgliteResults<T>> {
    return this.#statement("query", undefined, { text, params }, options);
  }

  exec(text: string, options?: QueryOptions): Promise<PgliteResults<unknown>[]> {
    return this.#statement("exec", undefined, { text }, options);
  }

  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(fn: (tx: PgliteSession) => Promise<T>): Promise<T> {
    const tx = this.#nextTransaction++;
    await this.#call({ op: "begin", tx });
    const session: PgliteSession = {
      query: <R>(text: string, params?: unknown[], options?: QueryOptions) =>
        this.#statement<PgliteResults<R>>("query", tx, { text, params }, options),
      exec: (text: string, options?: QueryOptions) =>
        this.#statement<PgliteResults<unknown>[]>("exec", tx, { text }, options),
    };
    let result: T;
    try {
      result = await fn(session);
    } catch (error) {
      // The caller's error is the one to see; a rollback that fails too (the thread died) must not hide it.
      await this.#call({ op: "rollback", tx }).catch(() => {});
      throw error;
    }
    await this.#call({ op: "commit", tx });
    return result;
  }

  /** The whole data directory as a tarball (checkpointed first), for `PgliteThread.open({ loadDataDir })`. */
  async dumpDataDir(compression: "none" | "gzip" | "auto" = "none"): Promise<Blob> {
    const bytes = (await this.#call({ op: "dump", compression })) as ArrayBuffer;
    return new Blob([bytes]);
  }

  async close(): Promise<void> {
    if (!this.#failure) await this.#call({ op: "close" });
    await this.#worker.terminate();
  }

  /** For drizzle's PGlite driver, which only calls the methods above. */
  asPglite(): PGlite {
    return this as unknown as PGlite;
  }
}
