import postgres from "postgres";

/**
 * A postgres.js client that hands each query to the connection used most recently.
 *
 * postgres.js keeps its idle connections in a FIFO queue, so sequential queries rotate over every
 * connection a burst ever opened: each lands on the backend that has slept longest, with cold caches and
 * a process the kernel must wake. Measured on the CI server (one-row INSERT, p50): 0.51 ms rotating over
 * ten connections, 0.30 ms on one, 0.26 ms for `pg.Pool`, which reuses its last connection. At light load,
 * which is most of the time, that is every query of every request.
 *
 * So the pool is `max` one-connection postgres.js clients ("slots") behind an idle *stack*. It implements
 * the part of postgres.js's `Sql` that drizzle and `client.ts` use: `unsafe` (lazy, with `.values()`),
 * `begin`, `reserve`, `options`, `end`. Like postgres.js, a burst opens up to `max` connections and then
 * pipelines further queries onto busy ones; a slot inside a transaction or reserved takes no other work,
 * and when every slot is, queries wait for the first slot to free (not for one chosen in advance, which
 * could wait on a transaction that waits on them).
 */
export interface LifoPool {
  /** What drizzle's postgres-js driver receives; only the members listed above exist. */
  readonly client: postgres.Sql;
  reserve(): Promise<postgres.ReservedSql>;
  end(options?: { timeout?: number }): Promise<void>;
  /** After drizzle installed its type parsers on `client.options`: give every slot the same ones. */
  shareTypeOptions(): void;
  /** How many slots have carried a query (each holds at most one connection), for tests and diagnostics. */
  slotsUsed(): number;
}

interface Slot {
  readonly sql: postgres.Sql;
  /** Queries sent and not yet answered, transactions and reservations included. */
  inFlight: number;
  /** Inside `begin` or reserved: its connection takes nothing else until released. */
  exclusive: boolean;
  /** Has carried a query, so it has (or had) a connection. */
  used: boolean;
}

type Options = postgres.Options<Record<string, postgres.PostgresType>>;

export function createLifoPool(url: string, max: number, options: Options): LifoPool {
  const slots: Slot[] = [];
  for (let i = 0; i < max; i++) {
    slots.push({ sql: postgres(url, { ...options, max: 1 }), inFlight: 0, exclusive: false, used: false });
  }
  // The top of the stack is the slot that went idle last; slot 0 starts on top.
  const idle: Slot[] = [...slots].reverse();
  const waiters: Array<(slot: Slot) => void> = [];

  /** A slot for one more query now, or undefined when every slot is exclusive. */
  function pick(): Slot | undefined {
    const top = idle.pop();
    if (top !== undefined) return top;
    let best: Slot | undefined;
    for (const slot of slots) {
      if (slot.exclusive) continue;
      if (best === undefined || slot.inFlight < best.inFlight) best = slot;
    }
    // A transaction given a busy slot waits for that slot's queries to finish, as postgres.js's own `begin`
    // waits for a free connection when all are busy.
    return best;
  }

  function take(slot: Slot, exclusive: boolean): Slot {
    slot.inFlight++;
    slot.used = true;
    if (exclusive) slot.exclusive = true;
    return slot;
  }

  function acquire(exclusive: boolean): Slot | Promise<Slot> {
    const slot = pick();
    if (slot !== undefined) return take(slot, exclusive);
    return new Promise<Slot>((resolve) => waiters.push((freed) => resolve(take(freed, exclusive))));
  }

  function release(slot: Slot, wasExclusive: boolean): void {
    slot.inFlight--;
    if (wasExclusive) slot.exclusive = false;
    // A query pipelined before a transaction took the slot finished: the slot is still the transaction's.
    if (slot.exclusive) return;
    const waiter = waiters.shift();
    if (waiter !== undefined) {
      waiter(slot);
      return;
    }
    if (slot.inFlight === 0) idle.push(slot);
  }

  async function onSlot<T>(exclusive: boolean, run: (sql: postgres.Sql) => PromiseLike<T>): Promise<T> {
    const acquired = acquire(exclusive);
    const slot = acquired instanceof Promise ? await acquired : acquired;
    try {
      return await run(slot.sql);
    } finally {
      release(slot, exclusive);
    }
  }

  const client = {
    unsafe(query: string, parameters?: unknown[], queryOptions?: postgres.UnsafeQueryOptions) {
      return new LazyQuery((values) =>
        onSlot(false, (sql) => {
          const pending = sql.unsafe(query, parameters as postgres.ParameterOrJSON<never>[], queryOptions);
          return values ? pending.values() : pending;
        }),
      );
    },
    begin(...args: unknown[]) {
      return onSlot(true, (sql) => (sql.begin as (...a: unknown[]) => Promise<unknown>)(...args));
    },
    get options() {
      return (slots[0] as Slot).sql.options;
    },
  };

  return {
    client: client as unknown as postgres.Sql,
    async reserve() {
      const acquired = acquire(true);
      const slot = acquired instanceof Promise ? await acquired : acquired;
      let reserved: postgres.ReservedSql;
      try {
        reserved = await slot.sql.reserve();
      } catch (error) {
        release(slot, true);
        throw error;
      }
      const releaseConnection = reserved.release.bind(reserved);
      let released = false;
      reserved.release = () => {
        if (released) return;
        released = true;
        releaseConnection();
        release(slot, true);
      };
      return reserved;
    },
    async end(endOptions) {
      await Promise.all(slots.map((slot) => slot.sql.end(endOptions)));
    },
    shareTypeOptions() {
      const first = (slots[0] as Slot).sql.options;
      for (const slot of slots.slice(1)) {
        Object.assign(slot.sql.options.parsers, first.parsers);
        Object.assign(slot.sql.options.serializers, first.serializers);
      }
    },
    slotsUsed() {
      return slots.filter((slot) => slot.used).length;
    },
  };
}

/**
 * drizzle calls `client.unsafe(...)`, maybe `.values()`, then awaits: the slot is chosen when the query
 * actually starts, as postgres.js's own queries are lazy until awaited.
 */
class LazyQuery<T> implements PromiseLike<T> {
  private rowsAsValues = false;
  private started: Promise<T> | undefined;

  constructor(private readonly run: (values: boolean) => Promise<T>) {}

  /** Rows as arrays of values instead of objects, as postgres.js's `.values()`. */
  values(): this {
    this.rowsAsValues = true;
    return this;
  }

  // biome-ignore lint/suspicious/noThenProperty: a lazy thenable is the contract drizzle expects of postgres.js
  then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.started ??= this.run(this.rowsAsValues);
    return this.started.then(onFulfilled, onRejected);
  }
}
