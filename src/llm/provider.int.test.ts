import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  deterministicEmbedding,
  type OpenAiServer,
  startOpenAiServer,
} from "../../test/support/openai-server.js";
import { loadConfig } from "../config.js";
import { LlmOutputError } from "./errors.js";
import {
  type ChatModelOptions,
  chatModelFromConfig,
  createChatModel,
  createEmbeddingsModel,
  EMBEDDING_DIMENSIONS,
  embeddingsFromConfig,
  modelLabelOf,
  OFFLINE_MODEL,
  PLACEHOLDER_API_KEY,
} from "./provider.js";

// Everything here goes through the real @langchain/openai client and the openai SDK, over HTTP.
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

describe("configuration", () => {
  it("is offline (null) when neither a key nor a base URL is configured", () => {
    const config = loadConfig({});
    expect(chatModelFromConfig(config)).toBeNull();
    expect(embeddingsFromConfig(config)).toBeNull();
    expect(modelLabelOf(chatModelFromConfig(config))).toBe(OFFLINE_MODEL);
  });

  it("uses a placeholder key for a base URL without one, and the configured model", async () => {
    const llm = chatModelFromConfig(
      loadConfig({ OPENAI_BASE_URL: server.baseURL, OPENAI_MODEL: "llama3.1:8b" }),
    );
    expect(llm).not.toBeNull();
    expect(modelLabelOf(llm)).toBe("llama3.1:8b");
    await llm?.invoke("hello");
    expect(server.requests[0]?.headers["authorization"]).toBe(`Bearer ${PLACEHOLDER_API_KEY}`);
    expect(server.requests[0]?.body.model).toBe("llama3.1:8b");
  });

  it("sends the configured key", async () => {
    const llm = chatModelFromConfig(
      loadConfig({ OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "sk-test-123" }),
    );
    await llm?.invoke("hello");
    expect(server.requests[0]?.headers["authorization"]).toBe("Bearer sk-test-123");
    expect(server.requests[0]?.body.model).toBe("gpt-4o-mini");
  });

  it("refuses an endpoint with neither key nor base URL instead of reading the environment", () => {
    expect(() => createChatModel({ model: "m", timeoutMs: 1_000, maxRetries: 0 })).toThrow(
      /API key or a base URL/,
    );
  });
});

describe("chat completions", () => {
  it("posts model and messages to /v1/chat/completions and returns the content", async () => {
    server.script("Hello, Ada.");
    const answer = await chat({ temperature: 0.2 }).invoke([
      new SystemMessage("You write short greetings."),
      new HumanMessage("Greet Ada."),
    ]);
    expect(answer.content).toBe("Hello, Ada.");
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      path: "/v1/chat/completions",
      body: {
        model: "test-chat",
        temperature: 0.2,
        messages: [
          { role: "system", content: "You write short greetings." },
          { role: "user", content: "Greet Ada." },
        ],
      },
    });
    expect(server.requests[0]?.body.stream).toBeFalsy();
  });

  it("streams tokens in order and reports usage from the final chunk", async () => {
    server.script({ text: "Dear Ada, thanks for your interest." });
    const tokens: string[] = [];
    let usage: unknown;
    for await (const chunk of await chat().stream("Write the opener.")) {
      if (typeof chunk.content === "string" && chunk.content !== "") tokens.push(chunk.content);
      usage ??= chunk.usage_metadata;
    }
    expect(tokens).toEqual(["Dear", " Ada,", " thanks", " for", " your", " interest."]);
    expect(server.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(usage).toMatchObject({ output_tokens: 6 });
  });

  it("parses tool calls, non-streamed and streamed", async () => {
    const lookup = {
      name: "lookup_lead",
      description: "Find a lead",
      schema: z.object({ leadId: z.string(), withHistory: z.boolean() }),
    };
    const scripted = {
      toolCalls: [{ id: "call_7", name: "lookup_lead", args: { leadId: "L-7", withHistory: true } }],
    };
    server.script(scripted, scripted);
    const llm = chat().bindTools([lookup]);

    const answer = await llm.invoke("Who is L-7?");
    expect(answer.tool_calls).toEqual([
      { id: "call_7", name: "lookup_lead", args: { leadId: "L-7", withHistory: true }, type: "tool_call" },
    ]);
    expect(server.requests[0]?.body.tools?.[0]?.function?.name).toBe("lookup_lead");

    let streamed: Awaited<ReturnType<typeof llm.invoke>> | undefined;
    for await (const chunk of await llm.stream("Who is L-7?"))
      streamed = streamed ? streamed.concat(chunk) : chunk;
    expect(streamed?.tool_calls?.[0]).toMatchObject({
      name: "lookup_lead",
      args: { leadId: "L-7", withHistory: true },
    });
  });

  it("retries a 429 after its Retry-After, then succeeds", async () => {
    // 3 s is longer than LangChain's first backoff (1-2 s), so only the header explains the wait.
    server.script({ status: 429, headers: { "retry-after": "3" } }, "after the wait");
    const started = Date.now();
    const answer = await chat({ maxRetries: 2 }).invoke("hi");
    expect(answer.content).toBe("after the wait");
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
  });

  it("does not retry a 429 without Retry-After (LangChain treats it as out of capacity)", async () => {
    server.script({ status: 429 }, "unused");
    await expect(chat({ maxRetries: 2 }).invoke("hi")).rejects.toMatchObject({ status: 429 });
    expect(server.requests).toHaveLength(1);
  });

  it("retries a 500 with backoff, within maxRetries", async () => {
    server.script({ status: 500 }, "recovered");
    expect((await chat({ maxRetries: 1 }).invoke("hi")).content).toBe("recovered");
    expect(server.requests).toHaveLength(2);
  });

  it("times out a slow server after timeoutMs, once per allowed attempt", async () => {
    server.script(() => ({ text: "too late", delayMs: 10_000 }));
    const started = Date.now();
    await expect(chat({ timeoutMs: 150, maxRetries: 1 }).invoke("hi")).rejects.toMatchObject({
      name: "TimeoutError",
      message: expect.stringMatching(/timed out/i),
    });
    // Two timeouts and one backoff (1-2 s): a timeout is retried like any transient failure.
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(3_500);
  });

  it("times out a stream that stalls after its headers", async () => {
    server.script({ text: "a b c d e f", chunkDelayMs: 2_000 });
    const started = Date.now();
    const consume = async () => {
      for await (const _ of await chat({ timeoutMs: 200 }).stream("hi")) {
        // draining the stream is the point
      }
    };
    const error = await consume().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LlmOutputError);
    expect(error).toMatchObject({ code: "timeout" });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("uses the Responses API for models @langchain/openai routes there, invoked and streamed", async () => {
    server.script("from responses", { text: "streamed from responses" });
    const llm = chat({ model: "gpt-5.1-codex" });
    const answer = await llm.invoke("hi");
    expect(answer.text).toBe("from responses");

    let text = "";
    for await (const chunk of await llm.stream("hi")) text += chunk.text;
    expect(text).toBe("streamed from responses");
    expect(server.requests.map((r) => r.path)).toEqual(["/v1/responses", "/v1/responses"]);
    expect(server.requests[0]?.body).toMatchObject({ model: "gpt-5.1-codex", input: [{ role: "user" }] });
  });
});

describe("embeddings", () => {
  it("decodes 512 finite numbers equal to what the server sent (base64 float32 on the wire)", async () => {
    const embeddings = embeddingsFromConfig(loadConfig({ OPENAI_BASE_URL: server.baseURL }));
    const texts = ["Enterprise lead asking about pricing", "Newsletter subscriber"];
    const vectors = await embeddings!.embedDocuments(texts);
    const query = await embeddings!.embedQuery("pricing");

    expect(server.requests[0]?.body).toMatchObject({
      model: "text-embedding-3-small",
      dimensions: EMBEDDING_DIMENSIONS,
      encoding_format: "base64",
    });
    expect(vectors).toHaveLength(2);
    for (const [i, vector] of vectors.entries()) {
      expect(vector).toHaveLength(512);
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(vector).toEqual(deterministicEmbedding(texts[i]!, 512));
    }
    expect(query).toEqual(deterministicEmbedding("pricing", 512));
  });

  it("fails clearly when the endpoint ignores `dimensions`", async () => {
    server.script(() => ({ vectors: [deterministicEmbedding("x", 768)] }));
    const embeddings = createEmbeddingsModel({
      baseURL: server.baseURL,
      model: "nomic-embed-text",
      timeoutMs: 5_000,
      maxRetries: 0,
    });
    await expect(embeddings.embedQuery("x")).rejects.toMatchObject({
      code: "invalid_output",
      message: expect.stringMatching(/returned 768 numbers, expected 512/),
    });
  });
});
