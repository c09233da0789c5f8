import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  createServerDatabase,
  createServerTestDatabase,
  serverTestUrl,
} from "../../test/support/database.js";
import { databaseContract } from "../../test/support/db-contract.js";
import { type Database, openDatabase, queryRows } from "./client.js";

const url = serverTestUrl();

if (url === undefined) {
  console.info(
    "[db] TEST_DATABASE_URL not set: PostgreSQL server suite skipped (run scripts/ci-postgres.sh)",
  );
} else {
  const server = new URL(url);
  console.info(`[db] PostgreSQL server suite running against ${server.host}${server.pathname}`);
}

describe.skipIf(url === undefined)("PostgreSQL server", () => {
  databaseContract({
    name: "PostgreSQL server (postgres.js)",
    open: () => createServerTestDatabase(),
    async openUnmigratedPair() {
      const created = await createServerDatabase();
      const handles = [await openDatabase(created.url), await openDatabase(created.url)] as const;
      return {
        handles: [handles[0], handles[1]],
        async dispose() {
          await Promise.all(handles.map((h) => h.close()));
          await created.drop();
        },
      };
    },
  });

  describe("connection details", () => {
    it("redacts the password and reports the server version", async () => {
      const database = await openDatabase(url ?? "");
      try {
        expect(database.driver).toBe("postgres");
        const password = decodeURIComponent(new URL(url ?? "").password);
        if (password !== "") expect(database.describe).not.toContain(`:${password}@`);
        await database.ping();
      } finally {
        await database.close();
      }
    });

    it("honours sslmode in the URL", async () => {
      const withSslMode = async <T>(mode: string, fn: (database: Database) => Promise<T>): Promise<T> => {
        const u = new URL(url ?? "");
        u.searchParams.set("sslmode", mode);
        const database = await openDatabase(u.toString());
        try {
          return await fn(database);
        } finally {
          await database.close();
        }
      };
      const usesTls = (database: Database) =>
        queryRows<{ ssl: boolean }>(
          database.db,
          sql`select ssl from pg_stat_ssl where pid = pg_backend_pid()`,
        ).then((rows) => rows[0]?.ssl);

      expect(await withSslMode("disable", usesTls)).toBe(false);
      const serverTls = await withSslMode("disable", async (d) =>
        queryRows<{ ssl: string }>(d.db, sql`show ssl`).then((rows) => rows[0]?.ssl),
      );
      if (serverTls === "on") {
        expect(await withSslMode("require", usesTls)).toBe(true);
        // ci-postgres.sh uses a self-signed certificate: full verification must refuse it.
        await expect(withSslMode("verify-full", usesTls)).rejects.toThrow();
      } else {
        await expect(withSslMode("require", usesTls)).rejects.toThrow();
      }
    });
  });
});
