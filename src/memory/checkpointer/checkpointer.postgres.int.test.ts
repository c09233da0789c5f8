import { validate } from "@langchain/langgraph-checkpoint-validation";
import { describe, it } from "vitest";
import {
  type ServerCheckpointerTables,
  serverCheckpointerTables,
} from "../../../test/support/checkpointer-databases.js";
import { serverTestUrl } from "../../../test/support/database.js";
import type { Database } from "../../db/client.js";
import { PostgresCheckpointSaver } from "./saver.js";

/**
 * The whole @langchain/langgraph-checkpoint-validation suite against our saver on the PostgreSQL server
 * (postgres.js), each checkpointer instance on fresh tables of its own (see serverCheckpointerTables).
 */
const url = serverTestUrl();

if (url === undefined) {
  console.info(
    "[checkpointer] TEST_DATABASE_URL not set: checkpoint validation on the PostgreSQL server skipped " +
      "(run scripts/ci-postgres.sh and export the URL it prints)",
  );
  describe.skip("PostgresCheckpointSaver (PostgreSQL server)", () => {
    it("needs TEST_DATABASE_URL", () => {});
  });
} else {
  let tables: ServerCheckpointerTables | undefined;
  const databases = new Map<PostgresCheckpointSaver, Database>();

  validate<PostgresCheckpointSaver>({
    checkpointerName: "PostgresCheckpointSaver (PostgreSQL server)",
    beforeAllTimeout: 60_000,
    async beforeAll() {
      tables = await serverCheckpointerTables();
    },
    async afterAll() {
      await tables?.dispose();
    },
    async createCheckpointer() {
      if (tables === undefined) throw new Error("beforeAll did not prepare the server");
      const database = await tables.create();
      const saver = new PostgresCheckpointSaver(database.db);
      databases.set(saver, database);
      return saver;
    },
    async destroyCheckpointer(saver) {
      const database = databases.get(saver);
      databases.delete(saver);
      if (database !== undefined) await tables?.release(database);
    },
  });
}
