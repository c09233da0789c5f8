import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import { hotLead } from "../../test/support/leads.js";
import { type OpenAiServer, startOpenAiServer } from "../../test/support/openai-server.js";
import { queryRows } from "../db/client.js";
import { createMarketingSystem, type MarketingSystemOptions } from "../index.js";
import { createChatModel } from "../llm/provider.js";

/** Per-run caps (issue 7, C-cases): steps, wall-clock time and model tokens, each ending the run with a reason. */

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(() => server.close());

const lead = hotLead;

async function runWith(options: MarketingSystemOptions) {
  const database = await createTestDatabase();
  const system = await createMarketingSystem({ database, approvalPolicy: "never", ...options });
  try {
    return await system.threads.run({ input: { lead } });
  } finally {
    await system.close();
    await database.close();
  }
}

const llm = () =>
  createChatModel({ baseURL: server.baseURL, model: "test", timeoutMs: 5_000, maxRetries: 0 });

describe("per-run caps", () => {
  it("stops a run whose model calls pass the token cap, and names the cap", async () => {
    const capped = await runWith({ llm: llm(), runLimits: { maxLlmTokens: 5 } });
    expect(server.requests.length).toBeGreaterThan(0);
    expect(capped.status).toBe("error");
    expect(capped.error).toMatch(/model tokens, over its cap of 5/);
  }, 60_000);

  it("lets the same run finish without the cap", async () => {
    const free = await runWith({ llm: llm(), runLimits: { maxLlmTokens: 0 } });
    expect(free.status).not.toBe("error");
  }, 60_000);

  it("holds a tenant to its daily token budget across runs, and leaves other tenants alone", async () => {
    const database = await createTestDatabase();
    const limits = { runLimits: { tenantDailyLlmTokens: 5 }, llm: llm(), approvalPolicy: "never" as const };
    const acme = await createMarketingSystem({ database, tenantId: "acme", ...limits });
    const globex = await createMarketingSystem({ database, tenantId: "globex", ...limits });
    try {
      const first = await acme.threads.run({ input: { lead } });
      expect(first.status).toBe("error");
      expect(first.error).toMatch(
        /tenant "acme" reached its daily budget of 5 model tokens \(0 used before this run/,
      );
      const calls = server.requests.length;
      const second = await acme.threads.run({ input: { lead } });
      expect(second.status).toBe("error");
      expect(second.error).toMatch(
        /run not started: tenant "acme" has used \d+ of its 5 model tokens for \d{4}-\d\d-\d\d \(UTC\)/,
      );
      // Refused before any model call.
      expect(server.requests.length).toBe(calls);
      const [usage] = await queryRows<{ tokens: number }>(
        database.db,
        sql`select tokens::int as tokens from tenant_llm_usage where tenant_id = 'acme'`,
      );
      expect(usage?.tokens).toBeGreaterThan(5);
      // Another tenant's budget is its own.
      const other = await globex.threads.run({ input: { lead } });
      expect(other.error ?? "").not.toMatch(/run not started/);
      expect(server.requests.length).toBeGreaterThan(calls);
    } finally {
      await acme.close();
      await globex.close();
      await database.close();
    }
  }, 60_000);

  it("stops a run that passes its time limit", async () => {
    const slow = await runWith({ stepDelayMs: 400, runLimits: { maxRunMs: 200 } });
    expect(slow.status).toBe("error");
    expect(slow.error).toMatch(/time limit of 200 ms/);
  }, 60_000);

  it("stops a run that takes more graph steps than allowed", async () => {
    const short = await runWith({ runLimits: { maxSteps: 1 } });
    expect(short.status).toBe("error");
    expect(short.error).toMatch(/recursion limit|Recursion limit/i);
  }, 60_000);
});
