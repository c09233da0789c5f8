import { afterAll, beforeAll, describe } from "vitest";
import { checkpointerContract } from "../../../test/support/checkpointer-contract.js";
import { createServerTestDatabase, serverTestUrl } from "../../../test/support/database.js";
import { retentionContract } from "../../../test/support/retention-contract.js";
import type { Database } from "../../db/client.js";

const url = serverTestUrl();

if (url === undefined) {
  console.info(
    "[checkpointer] TEST_DATABASE_URL not set: checkpointer and retention contract on the PostgreSQL server skipped",
  );
}

describe.skipIf(url === undefined)("PostgreSQL server", () => {
  let database: Database | undefined;
  beforeAll(async () => {
    database = await createServerTestDatabase();
  });
  afterAll(async () => database?.close());

  const backend = {
    name: "PostgreSQL server (postgres.js)",
    database() {
      if (database === undefined) throw new Error("the database is not open");
      return database;
    },
  };
  checkpointerContract(backend);
  retentionContract(backend);
});
