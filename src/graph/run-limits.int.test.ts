import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import { type OpenAiServer, startOpenAiServer } from "../../test/support/openai-server.js";
import { createMarketingSystem, type MarketingSystemOptions } from "../index.js";
import { createChatModel } from "../llm/provider.js";

/** Per-run caps (issue 7, C-cases): steps, wall-clock time and model tokens, each ending the run with a reason. */

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(() => server.close());

const lead = {
  name: "Priya Raman",
  email: "priya@northwind.example",
  company: "Northwind",
  title: "Head of Data",
  source: "Reference",
  totalVisits: 6,
  timeOnSite: 1850,
  lastActivity: "SMS Sent",
};

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
