import { afterAll, beforeAll } from "vitest";
import { checkpointerContract } from "../../../test/support/checkpointer-contract.js";
import { createTestDatabase } from "../../../test/support/database.js";
import { retentionContract } from "../../../test/support/retention-contract.js";
import type { Database } from "../../db/client.js";

let database: Database | undefined;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.close());

const backend = {
  name: "PGlite (in-process)",
  database() {
    if (database === undefined) throw new Error("the database is not open");
    return database;
  },
};
checkpointerContract(backend);
retentionContract(backend);
