import { createTestDatabase } from "../../test/support/database.js";
import { memoryKindsContract } from "../../test/support/memory/kinds-contract.js";
import { storeContract } from "../../test/support/memory/store-contract.js";

const backend = { name: "PGlite (in-process)", open: createTestDatabase };

storeContract(backend);
memoryKindsContract(backend);
