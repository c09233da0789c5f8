import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { draftVariants } from "../../src/agents/engagement/draft.js";
import type { LeadInput } from "../../src/db/lead-input.js";
import { createChatModel } from "../../src/llm/provider.js";
import { type OpenAiServer, startOpenAiServer } from "../../test/support/openai-server.js";
import { silentProgress } from "../harness/progress.js";
import { createJudge } from "./judge.js";
import { judgeDrafts } from "./judge-section.js";

/** The LLM-as-judge hook through the real OpenAI client against the scripted test server. */
let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(() => server.close());

const lead: LeadInput = {
  name: "Priya Raman",
  email: "priya@northwind.example",
  company: "Northwind",
  title: "CTO",
};
const drafts = draftVariants(lead, "email", "now").map((draft) => ({ lead, draft }));
const progress = silentProgress.startSuite("engagement", 1);
const judge = () =>
  createJudge(
    createChatModel({ baseURL: server.baseURL, model: "judge-model", timeoutMs: 5_000, maxRetries: 0 }),
    "judge-model",
  );

describe("LLM-as-judge", () => {
  it("scores drafts from the model's structured verdicts and reports the means", async () => {
    const verdicts = [
      { personalization: 5, relevance: 4, tone: 4, groundedness: 5, issues: [] },
      { personalization: 3, relevance: 4, tone: 5, groundedness: 5, issues: ["generic opener"] },
    ];
    let call = 0;
    server.script(() => ({ json: verdicts[call++ % 2] }));
    const result = await judgeDrafts(judge(), drafts.slice(0, 2), { ci: false, progress });
    expect(result.metrics.map((m) => [m.id, m.value])).toEqual([
      ["judge.personalization", 4],
      ["judge.relevance", 4],
      ["judge.tone", 4.5],
      ["judge.groundedness", 5],
    ]);
    const prompt = JSON.stringify(server.requestsTo("/v1/chat/completions")[0]!.body.messages);
    expect(prompt).toContain("groundedness");
    expect(prompt).toContain("Northwind");
  });

  it("retries an answer that breaks the rubric's schema, with feedback", async () => {
    server.requests.length = 0;
    server.script(
      { json: { personalization: 9, relevance: 4, tone: 4, groundedness: 5, issues: [] } },
      { json: { personalization: 4, relevance: 4, tone: 4, groundedness: 5, issues: [] } },
    );
    const verdict = await judge().rate(lead, drafts[0]!.draft);
    expect(verdict.personalization).toBe(4);
    expect(server.requestsTo("/v1/chat/completions")).toHaveLength(2);
  });

  it("reports no score offline or in the CI profile, and says why", async () => {
    const offline = await judgeDrafts(null, drafts, { ci: false, progress });
    expect(offline.metrics).toEqual([]);
    expect(JSON.stringify(offline.sections)).toContain("no model endpoint configured");
    const ci = await judgeDrafts(judge(), drafts, { ci: true, progress });
    expect(ci.metrics).toEqual([]);
    expect(JSON.stringify(ci.sections)).toContain("CI profile");
  });
});
