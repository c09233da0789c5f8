import { describe } from "vitest";
import { createServerTestDatabase, serverTestUrl } from "../../../test/support/database.js";
import { triageRegistryContract } from "../../../test/support/triage-registry-contract.js";

const url = serverTestUrl();
if (url === undefined) console.info("[triage] TEST_DATABASE_URL not set: registry server suite skipped");

describe.skipIf(url === undefined)("PostgreSQL server", () => {
  triageRegistryContract({ name: "PostgreSQL server (postgres.js)", open: () => createServerTestDatabase() });
});
