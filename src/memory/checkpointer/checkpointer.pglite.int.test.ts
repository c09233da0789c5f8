import { validate } from "@langchain/langgraph-checkpoint-validation";
import { emptyCheckpointTables } from "../../../test/support/checkpointer-databases.js";
import { createTestDatabase } from "../../../test/support/database.js";
import type { Database } from "../../db/client.js";
import { PostgresCheckpointSaver } from "./saver.js";

/**
 * The whole @langchain/langgraph-checkpoint-validation suite against our saver on embedded PGlite. The suite
 * creates a checkpointer ~30 times; a fresh PGlite costs about a second each, so one migrated database
 * serves the file and every checkpointer starts on empty tables (the saver keeps no other state).
 */
let database: Database | undefined;

validate<PostgresCheckpointSaver>({
  checkpointerName: "PostgresCheckpointSaver (PGlite)",
  beforeAllTimeout: 120_000,
  async beforeAll() {
    database = await createTestDatabase();
  },
  async afterAll() {
    await database?.close();
  },
  async createCheckpointer() {
    if (database === undefined) throw new Error("beforeAll did not open the database");
    await emptyCheckpointTables(database.db);
    return new PostgresCheckpointSaver(database.db);
  },
});
