import { describe } from "vitest";
import { createServerTestDatabase, serverTestUrl } from "../../test/support/database.js";
import { memoryKindsContract } from "../../test/support/memory/kinds-contract.js";
import { storeContract } from "../../test/support/memory/store-contract.js";

const backend = { name: "PostgreSQL server (postgres.js)", open: () => createServerTestDatabase() };

describe.skipIf(serverTestUrl() === undefined)("memory on the PostgreSQL server", () => {
  storeContract(backend);
  memoryKindsContract(backend);
});
