import type { Database } from "../../../src/db/client.js";

/**
 * A database backend for the memory contract suites (`src/memory/*.int.test.ts`): the same suites run on
 * in-process PGlite and, when TEST_DATABASE_URL is set, on the PostgreSQL server.
 */
export interface MemoryBackend {
  name: string;
  /** A fresh, migrated database of its own; the suite closes it. */
  open(): Promise<Database>;
}

/** A clock tests move by hand. */
export function manualClock(start = new Date("2026-03-01T12:00:00.000Z")) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}
