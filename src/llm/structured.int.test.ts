import type { BaseMessageLike } from "@langchain/core/messages";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type OpenAiServer,
  type RecordedRequest,
  startOpenAiServer,
} from "../../test/support/openai-server.js";
import { LlmOutputError } from "./errors.js";
import { type ChatModelOptions, createChatModel } from "./provider.js";
import { invokeStructured } from "./structured.js";

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.script(() => undefined);
});

const chat = (overrides: Partial<ChatModelOptions> = {}) =>
  createChatModel({
    baseURL: server.baseURL,
    model: "test-chat",
    timeoutMs: 5_000,
    maxRetries: 0,
    ...overrides,
  });

const Triage = z.object({
  score: z.number().min(0).max(100),
  tier: z.enum(["hot", "warm", "cold"]),
  reasons: z.array(z.string()),
});
const messages: BaseMessageLike[] = [
  ["system", "Score the lead."],
  ["human", "Ada, CTO at a 500-person company, asked for pricing."],
];
const valid = { score: 87, tier: "hot", reasons: ["asked for pricing", "decision maker"] };

/** The chat messages of a recorded request, as role and text content. */
const transcriptOf = (request: RecordedRequest | undefined) =>
  (request?.body.messages ?? []).map((m) => ({ role: m.role, content: m.content }));

describe("invokeStructured", () => {
  it("streams one json_schema request and returns validated data", async () => {
    server.script({ json: valid });
    const result = await invokeStructured(chat(), Triage, messages, { name: "lead_triage" });
    expect(result).toEqual(valid);
    expect(server.requests).toHaveLength(1);
    const body = server.requests[0]?.body;
    expect(body).toMatchObject({
      model: "test-chat",
      stream: true,
      response_format: { type: "json_schema", json_schema: { name: "lead_triage", strict: true } },
    });
    expect(body?.response_format?.json_schema?.schema).toMatchObject({
      type: "object",
      required: ["score", "tier", "reasons"],
      additionalProperties: false,
    });
    expect(body?.tools).toBeUndefined();
  });

  it("sends a schema OpenAI's strict mode would reject as non-strict", async () => {
    server.script({ json: { name: "Ada" } });
    const Loose = z.object({ name: z.string(), company: z.string().optional() });
    expect(await invokeStructured(chat(), Loose, messages)).toEqual({ name: "Ada" });
    expect(server.requests[0]?.body.response_format?.json_schema?.strict).toBe(false);
  });

  it("retries invalid JSON, then schema-breaking JSON, feeding each problem back, and succeeds", async () => {
    server.script(
      '{"score": 87, "tier": ',
      { json: { score: "high", tier: "scorching", reasons: [] } },
      { json: valid },
    );
    const result = await invokeStructured(chat(), Triage, messages);
    expect(result).toEqual(valid);
    expect(server.requests).toHaveLength(3);

    const second = transcriptOf(server.requests[1]);
    expect(second).toHaveLength(4);
    expect(second[2]).toEqual({ role: "assistant", content: '{"score": 87, "tier": ' });
    expect(second[3]?.role).toBe("user");
    expect(second[3]?.content).toMatch(/not valid JSON/);

    const third = transcriptOf(server.requests[2]);
    expect(third).toHaveLength(6);
    expect(third[5]?.content).toMatch(/does not match the schema/);
    expect(third[5]?.content).toMatch(/score/);
    expect(third[5]?.content).toMatch(/tier/);
  });

  it("fails with LlmOutputError after exactly maxAttempts requests when no answer validates", async () => {
    server.script("{not json", { json: { score: 500, tier: "hot", reasons: [] } }, "{not json", "unused");
    const error = await invokeStructured(chat(), Triage, messages).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmOutputError);
    expect(error).toMatchObject({ code: "invalid_output", attempts: 3 });
    expect((error as Error).message).toMatch(/after 3 attempt/);
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    expect(server.requests).toHaveLength(3);

    server.requests.length = 0;
    server.script(() => ({ json: { score: -1, tier: "hot", reasons: [] } }));
    const again = await invokeStructured(chat(), Triage, messages, { maxAttempts: 2 }).catch(
      (e: unknown) => e,
    );
    expect(again).toMatchObject({ code: "invalid_output", attempts: 2 });
    expect((again as Error).cause).toBeInstanceOf(z.ZodError);
    expect(server.requests).toHaveLength(2);
  });

  it("with functionCalling, forces one tool and parses its arguments strictly", async () => {
    server.script(
      // Valid JSON minus its closing brace: LangChain's partial-JSON parser would accept it as complete.
      { toolCalls: [{ name: "lead_triage", args: JSON.stringify(valid).slice(0, -1) }] },
      { toolCalls: [{ name: "lead_triage", args: valid }] },
    );
    const result = await invokeStructured(chat(), Triage, messages, {
      method: "functionCalling",
      name: "lead_triage",
    });
    expect(result).toEqual(valid);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.body).toMatchObject({
      tools: [{ type: "function", function: { name: "lead_triage", parameters: { type: "object" } } }],
      tool_choice: { type: "function", function: { name: "lead_triage" } },
    });
    expect(server.requests[0]?.body.response_format).toBeUndefined();
    expect(transcriptOf(server.requests[1])[3]?.content).toMatch(/not valid JSON/);
  });

  it("works through the Responses API for models routed there", async () => {
    server.script({ json: valid });
    const result = await invokeStructured(chat({ model: "gpt-5.1-codex" }), Triage, messages, {
      name: "lead_triage",
    });
    expect(result).toEqual(valid);
    expect(server.requests[0]?.path).toBe("/v1/responses");
    expect(server.requests[0]?.body).toMatchObject({
      stream: true,
      text: { format: { type: "json_schema", name: "lead_triage", strict: true } },
    });
  });

  it("fails with code timeout when the endpoint is too slow", async () => {
    server.script(() => ({ json: valid, delayMs: 5_000 }));
    const started = Date.now();
    const error = await invokeStructured(chat({ timeoutMs: 150 }), Triage, messages).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmOutputError);
    expect(error).toMatchObject({ code: "timeout", attempts: 1 });
    expect((error as Error).message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(server.requests).toHaveLength(1);
  });

  it("fails with code unavailable on an HTTP error, without retrying the structured call", async () => {
    server.script({ status: 401, message: "Incorrect API key provided" });
    const error = await invokeStructured(chat({ maxRetries: 2 }), Triage, messages).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "unavailable",
      attempts: 1,
      message: expect.stringMatching(/HTTP 401/),
    });
    expect((error as Error).cause).toMatchObject({ status: 401 });
    expect(server.requests).toHaveLength(1);
  });

  it("lets the caller's abort propagate as is", async () => {
    server.script(() => ({ json: valid, delayMs: 5_000 }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await invokeStructured(chat(), Triage, messages, { signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(LlmOutputError);
    expect((error as Error).message).toMatch(/abort/i);
  });

  it("rejects a maxAttempts below 1 before calling the model", async () => {
    await expect(invokeStructured(chat(), Triage, messages, { maxAttempts: 0 })).rejects.toThrow(RangeError);
    expect(server.requests).toHaveLength(0);
  });
});
