import { databaseUrlOf, loadConfig } from "../config.js";
import { type Database, redactUrl } from "../db/client.js";
import { migrate } from "../db/migrate.js";
import { openConfiguredDatabase } from "./open-database.js";
import { CliError } from "./read-input.js";

/**
 * What the triage subcommands touch outside themselves, passed in so tests can run a command in-process
 * against a test database and capture its output.
 */
export interface TriageCliIo {
  stdout: { write(text: string): unknown };
  /** Progress and notes; `isTTY` picks a live bar over plain lines. */
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Opens (and migrates) the database at `url`; the command closes what it opened. */
  openDatabase(url: string): Promise<Database>;
}

export const processIo: TriageCliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  async openDatabase(url) {
    let database: Database | undefined;
    try {
      database = await openConfiguredDatabase(loadConfig(), url);
      // The registry table may be newer than the database: migrating is idempotent and locked.
      await migrate(database);
      return database;
    } catch (error) {
      await database?.close();
      const reason = error instanceof Error ? error.message : String(error);
      throw new CliError(`cannot open the database ${redactUrl(url)}: ${reason}`);
    }
  },
};

/** `--database`/`--data-dir` (or DATABASE_URL/DATA_DIR) to a URL, through the one config schema. */
export function databaseUrlFrom(options: {
  database?: string | undefined;
  dataDir?: string | undefined;
}): string {
  const overrides = Object.fromEntries(
    Object.entries({ DATABASE_URL: options.database, DATA_DIR: options.dataDir }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  return databaseUrlOf(loadConfig({ ...process.env, ...overrides }));
}

/** Runs `fn` with a database opened for it, closed afterwards whatever happens. */
export async function withDatabase<T>(
  io: TriageCliIo,
  url: string,
  fn: (database: Database) => Promise<T>,
): Promise<T> {
  const database = await io.openDatabase(url);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}
