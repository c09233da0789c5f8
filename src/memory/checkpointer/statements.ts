import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Db } from "../../db/client.js";

/**
 * How the saver runs its statements: each as a prepared statement, one round trip per saver call; the
 * statements of every graph step (put, putWrites, getTuple) are also compiled only once.
 */

const dialect = new PgDialect();

/**
 * Why prepared, not `db.execute`: drizzle runs that unprepared, and postgres.js then describes every
 * statement that has parameters before binding it (connection.js: `describeFirst = parameters.length &&
 * !prepared`): two round trips per call. A named query makes postgres.js prepare it once per connection and
 * reuse it. (drizzle's postgres-js session uses the name only as "prepare: yes"; postgres.js keys its
 * statement cache by the SQL text. PGlite, in-process, ignores it.)
 */
const PREPARED_NAME = "checkpointer";

type PreparedQuery = ReturnType<Db["_"]["session"]["prepareQuery"]>;

/** The drivers' raw result shapes, as in `queryRows`: postgres.js an array, PGlite `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

/** Run a statement built with its values (the `sql` template) as a prepared statement; its rows. */
export async function runStatement<T extends Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const prepared = db._.session.prepareQuery(dialect.sqlToQuery(query), undefined, PREPARED_NAME, false);
  return rowsOf<T>(await prepared.execute());
}

/**
 * A statement whose text depends only on its `shape` (e.g. "put with 3 blobs"), written with
 * `sql.placeholder`s, and the values of one call by placeholder name.
 */
export interface ShapedStatement {
  shape: string;
  build: () => SQL;
  values: Record<string, unknown>;
}

/**
 * Most shapes kept per saver. Shapes vary with the number of blobs of a put and of writes of a task, a
 * handful per graph; past this bound a statement is still prepared, just compiled again per call.
 */
const MAX_SHAPES = 128;

/**
 * Prepared queries of one `Db`, by shape. Building a statement through the `sql` template and compiling it
 * costs more client CPU than the rest of a put (tens of µs, measured in bench/suites/checkpointer.ts); the
 * graph runs the same few shapes on every step, so each is compiled once and then only executed with its
 * values. drizzle fills the placeholders and maps driver errors as for any query.
 */
export class StatementCache {
  private readonly prepared = new Map<string, PreparedQuery>();

  constructor(private readonly db: Db) {}

  async run<T extends Record<string, unknown>>(statement: ShapedStatement): Promise<T[]> {
    let prepared = this.prepared.get(statement.shape);
    if (prepared === undefined) {
      prepared = this.db._.session.prepareQuery(
        dialect.sqlToQuery(statement.build()),
        undefined,
        PREPARED_NAME,
        false,
      );
      if (this.prepared.size < MAX_SHAPES) this.prepared.set(statement.shape, prepared);
    }
    return rowsOf<T>(await prepared.execute(statement.values));
  }
}
