import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/support/database.js";
import { tinyTriageModel, triageRegistryContract } from "../../../test/support/triage-registry-contract.js";
import { createMarketingSystem } from "../../index.js";
import { loadDefaultTriageModel, scoreLead } from "./model.js";
import { storeTrainedModel } from "./registry.js";

triageRegistryContract({ name: "PGlite (in-process)", open: createTestDatabase });

describe("createMarketingSystem", () => {
  it("scores with the model activated in the registry, and with the shipped default when none is", async () => {
    const database = await createTestDatabase();
    try {
      const lead = { name: "Ada", email: "ada@example.com", source: "Reference", totalVisits: 3 };
      const scoreOf = async () => {
        const system = await createMarketingSystem({ database, migrate: false, approvalPolicy: "always" });
        try {
          const { state } = await system.threads.run({ input: { lead } });
          return state.triageResult?.score;
        } finally {
          await system.close();
        }
      };
      expect(await scoreOf()).toBe(scoreLead(loadDefaultTriageModel(), lead).probability);
      const stored = tinyTriageModel(5);
      await storeTrainedModel(database.db, stored, { activate: true });
      const active = scoreLead(stored, lead).probability;
      expect(active).not.toBe(scoreLead(loadDefaultTriageModel(), lead).probability);
      expect(await scoreOf()).toBe(active);
    } finally {
      await database.close();
    }
  });
});
