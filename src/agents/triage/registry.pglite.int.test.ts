import { createTestDatabase } from "../../../test/support/database.js";
import { triageRegistryContract } from "../../../test/support/triage-registry-contract.js";

triageRegistryContract({ name: "PGlite (in-process)", open: createTestDatabase });
