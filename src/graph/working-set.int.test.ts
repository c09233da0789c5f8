import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import { hotLead } from "../../test/support/leads.js";
import {
  type OpenAiServer,
  type RecordedRequest,
  startOpenAiServer,
} from "../../test/support/openai-server.js";
import type { Database } from "../db/client.js";
import { createMarketingSystem, type MarketingSystem } from "../index.js";
import { createChatModel } from "../llm/provider.js";

/**
 * The short-term working set reaches the engagement agent's model calls: the lead's profile, the thread's
 * conversation and what worked, inside the data block, within the configured token budget (issue 4),
 * through the real @langchain/openai client and a real HTTP server.
 */

const draft = {
  angle: "plain",
  subject: "Onboarding at Northwind",
  body: "Hi Priya, would a short call about onboarding at Northwind be useful?",
  claims: [{ text: "Northwind", source: "lead:company" }],
};

const schemaOf = (request: RecordedRequest) => request.body.response_format?.json_schema?.name;
const humanText = (request: RecordedRequest) =>
  (request.body.messages ?? [])
    .filter((m) => m.role === "user")
    .map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content)))
    .join("\n");
/** The CONTEXT value of a data block, unescaped (the block escapes < and > as \u003c, \u003e). */
function contextOf(request: RecordedRequest): string | undefined {
  const text = humanText(request);
  const json = /<data>\n([\s\S]*)\n<\/data>/.exec(text)?.[1];
  if (!json) return undefined;
  const value = JSON.parse(json) as { CONTEXT?: string };
  return value.CONTEXT;
}

let server: OpenAiServer;
let database: Database;
let system: MarketingSystem;
const lead = hotLead;

beforeAll(async () => {
  server = await startOpenAiServer();
  // Drafts and reply readings get valid answers; any other call (triage's analysis) gets none, and its
  // agent keeps its offline result.
  server.script((request) => {
    if (schemaOf(request) === "outreach_drafts") return { json: { variants: [draft] } };
    if (schemaOf(request) === "reply_classification")
      return { json: { intent: "meeting", sentiment: 0.8, rationale: "agrees to a call" } };
    return { status: 400, message: "not scripted in this test" };
  });
  database = await createTestDatabase();
  system = await createMarketingSystem({
    database,
    approvalPolicy: "never",
    llm: createChatModel({ baseURL: server.baseURL, model: "test-writer", timeoutMs: 5_000, maxRetries: 0 }),
    contextTokenBudget: 400,
  });
}, 60_000);
afterAll(async () => {
  await system?.close();
  await database?.close();
  await server?.close();
});

describe("engagement's model calls see the working set", () => {
  it("drafts with the lead's profile, and reads a reply in the light of the conversation so far", async () => {
    const stored = await system.leads.upsert(lead);
    server.requests.length = 0;
    const first = await system.threads.run({ input: { lead: { id: stored.id } } });
    const drafting = server.requests.find((r) => schemaOf(r) === "outreach_drafts");
    expect(drafting).toBeDefined();
    const draftContext = contextOf(drafting!);
    // Triage wrote the profile before engagement ran: stage and class, attributed.
    expect(draftContext).toMatch(/## Lead profile/);
    expect(draftContext).toMatch(/stage: triaged \(by triage/);
    expect(draftContext).toContain("<<<memory source=profile>>>");
    expect(first.state.engagementResult?.workingSet).toMatchObject({
      budget: 400,
      included: { "Lead profile": 1 },
    });
    expect(first.state.engagementResult!.workingSet!.tokens).toBeLessThanOrEqual(400);

    server.requests.length = 0;
    const second = await system.threads.run({
      threadId: first.threadId,
      input: { lead: { id: stored.id }, message: "Yes, Tuesday works for a call." },
    });
    const reading = server.requests.find((r) => schemaOf(r) === "reply_classification");
    const replyContext = contextOf(reading!);
    expect(replyContext).toMatch(/## Conversation so far/);
    // What the agents said in the first run is in it; the reply itself is given on its own, not twice.
    const queued = first.state.messages.find((m) => m.agent === "engagement")?.content;
    expect(queued).toBeDefined();
    expect(replyContext).toContain(queued!.replace(/https?:\/\/\S+/g, "[link removed]"));
    expect(replyContext).not.toContain("Tuesday works");
    // The last touch engagement recorded in the first run is in the profile part.
    expect(replyContext).toMatch(/last touch: queued/);
    expect(second.state.engagementResult?.reply?.intent).toBe("meeting");
    // Triage's analysis of the same lead read the profile too, inside its untrusted block.
    const analysis = server.requests.find((r) => schemaOf(r) === "lead_analysis");
    const leadBlock = /<lead_data>\n([\s\S]*)\n<\/lead_data>/.exec(humanText(analysis!))?.[1];
    expect(JSON.parse(leadBlock!).earlierInteractions).toMatch(/last touch: queued/);
  }, 60_000);

  it("keeps the newest messages when the conversation outgrows the budget, and says what it left out", async () => {
    const stored = await system.leads.upsert({ ...lead, email: "priya2@northwind.example" });
    let threadId: string | undefined;
    for (let i = 0; i < 6; i++) {
      const run = await system.threads.run({
        ...(threadId ? { threadId } : {}),
        input: {
          lead: { id: stored.id },
          message: `Message number ${i}: ${"we are still comparing tools. ".repeat(8)}`,
        },
      });
      threadId = run.threadId;
    }
    server.requests.length = 0;
    const last = await system.threads.run({
      threadId: threadId!,
      input: { lead: { id: stored.id }, message: "Final question before we decide." },
    });
    const workingSet = last.state.engagementResult?.workingSet;
    expect(workingSet?.tokens).toBeLessThanOrEqual(400);
    expect(workingSet?.dropped["Conversation so far"]).toBeGreaterThan(0);
    const context = contextOf(server.requests.find((r) => schemaOf(r) === "reply_classification")!)!;
    // The newest earlier message is in; the oldest is not.
    expect(context).toContain("Message number 5");
    expect(context).not.toContain("Message number 0");
  }, 120_000);
});
