import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type OpenAiServer, startOpenAiServer } from "../../../test/support/openai-server.js";
import { createChatModel } from "../../llm/provider.js";
import { runOptimizationAgent } from "./agent.js";

/** The optimization agent's LLM narrative through the real @langchain/openai client and a real server. */

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.script(() => undefined);
});

const llm = () =>
  createChatModel({ baseURL: server.baseURL, model: "test-analyst", timeoutMs: 5_000, maxRetries: 0 });

const spring = {
  id: "c1",
  name: "Spring launch",
  status: "running",
  budget: null,
  variants: [
    { name: "A", channel: "email", impressions: 5000, conversions: 200 },
    { name: "B", channel: "email", impressions: 5000, conversions: 300 },
  ],
};
const input = {
  variantIds: [],
  stats: [],
  seed: 1,
  question: "How is the spring campaign doing? Is B 99% better?",
  campaign: spring,
};

describe("optimization LLM narrative", () => {
  it("keeps a narrative that cites only numbers it was given, and labels it with the model", async () => {
    server.script({
      json: {
        narrative:
          "Ship B: it converts at 6.02% (95% credible 5.38%–6.69%), +49.8% over A, with P(best)=1.000.",
      },
    });
    const { result, handoff } = await runOptimizationAgent(input, { llm: llm() });
    const body = server.requests[0]?.body;
    expect(body?.response_format?.json_schema?.name).toBe("strategy_narrative");
    const data = String(body?.messages?.[1]?.content);
    expect(data).toMatch(/^<data>\n[\s\S]*"kind": "declare_winner"[\s\S]*<\/data>$/);
    // The asker's question is not part of the grounding data: its "99%" must not make a narrative look sourced.
    expect(data).not.toContain("99% better");
    expect(result.fallback).toBeUndefined();
    expect(result).toMatchObject({ model: "test-analyst", strategy: expect.stringMatching(/^Ship B/) });
    // The decision is the statistics', whatever the model writes.
    expect(result.campaign?.recommendations[0]?.kind).toBe("declare_winner");
    expect(handoff.reason).toMatch(/declare B the winner/);
  });

  it("falls back to the offline text when the narrative invents a number", async () => {
    server.script({ json: { narrative: "Ship B: it is 99% better and will add 1,500 customers." } });
    const { result } = await runOptimizationAgent(input, { llm: llm() });
    expect(result.model).toBe("offline");
    expect(result.strategy).toMatch(/^Declare B the winner: B converts at 6\.02%/);
    expect(result.fallback).toBe(
      "model narrative cited numbers not in its input (99, 1500); offline text kept",
    );
  });

  it("retries a malformed answer, then fails cleanly with the offline text", async () => {
    server.script("{oops", { json: { story: "no" } }, "{oops");
    const { result } = await runOptimizationAgent(input, { llm: llm(), maxAttempts: 3 });
    expect(server.requests).toHaveLength(3);
    expect(result.model).toBe("offline");
    expect(result.fallback).toMatch(
      /^model failed \(invalid_output\): no valid "strategy_narrative" output after 3 attempt/,
    );
  });

  it("calls no model when there is nothing to narrate", async () => {
    const { result } = await runOptimizationAgent(
      { variantIds: ["x", "y"], stats: [], seed: 3 },
      { llm: llm() },
    );
    expect(server.requests).toHaveLength(0);
    expect(result.model).toBe("offline");
    expect(result.selected).not.toBeNull();
  });
});
