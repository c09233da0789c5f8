import { createEmptyTestDatabase, createTestDatabase } from "../../test/support/database.js";
import { databaseContract } from "../../test/support/db-contract.js";

databaseContract({
  name: "PGlite (in-process)",
  open: createTestDatabase,
  async openUnmigratedPair() {
    const database = await createEmptyTestDatabase();
    return { handles: [database, database], dispose: () => database.close() };
  },
});
