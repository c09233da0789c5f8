import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { deterministicEmbedding, type OpenAiServer, startOpenAiServer } from "./openai-server.js";

// Raw fetch on purpose: these tests pin the wire format itself, independent of any client library.
let server: OpenAiServer;
beforeEach(async () => {
  await server?.close();
  server = await startOpenAiServer();
});
afterAll(() => server.close());

// `any` on purpose: wire payloads, asserted field by field in each test.
type Wire = any;
const json = async (response: Response): Promise<Wire> => response.json();

const post = (path: string, body: unknown) =>
  fetch(`${server.baseURL}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer test-key" },
    body: JSON.stringify(body),
  });

/** The JSON payloads of an SSE body, with `[DONE]` kept as a string. */
async function sseData(response: Response): Promise<unknown[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((event) => {
      const data = event
        .split("\n")
        .find((line) => line.startsWith("data: "))
        ?.slice("data: ".length);
      return data === "[DONE]" ? data : JSON.parse(data ?? "null");
    });
}

describe("startOpenAiServer", () => {
  it("listens on 127.0.0.1 with a /v1 base URL and records requests", async () => {
    expect(server.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const response = await post("/chat/completions", {
      model: "m",
      messages: [{ role: "user", content: "hi" }],
    });
    const body = await json(response);
    expect(body.choices[0].message).toMatchObject({ role: "assistant", content: "echo: hi" });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      headers: { authorization: "Bearer test-key" },
      body: { model: "m" },
    });
  });

  it("streams content deltas, a finish chunk, a usage chunk and [DONE]", async () => {
    server.script({ text: "one two three" });
    const response = await post("/chat/completions", {
      model: "m",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "count" }],
    });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const events = (await sseData(response)) as Array<
      | { choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage: unknown }
      | string
    >;
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1) as Exclude<(typeof events)[number], string>[];
    const content = chunks.flatMap((c) => c.choices.map((choice) => choice.delta.content ?? "")).join("");
    expect(content).toBe("one two three");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toMatchObject({ completion_tokens: 3 });
  });

  it("streams tool calls as incremental argument deltas", async () => {
    server.script({ toolCalls: [{ id: "call_1", name: "lookup", args: { leadId: "lead-42", deep: true } }] });
    const response = await post("/chat/completions", { model: "m", stream: true, messages: [] });
    const events = (await sseData(response)).slice(0, -1) as Array<{
      choices: Array<{ delta: { tool_calls?: Array<{ function: { arguments: string } }> } }>;
    }>;
    const pieces = events.flatMap(
      (e) => e.choices[0]?.delta.tool_calls?.map((t) => t.function.arguments) ?? [],
    );
    expect(pieces.length).toBeGreaterThan(2);
    expect(JSON.parse(pieces.join(""))).toEqual({ leadId: "lead-42", deep: true });
  });

  it("answers embeddings as float arrays or little-endian float32 base64, honouring dimensions", async () => {
    const floats = await json(await post("/embeddings", { model: "e", input: ["a b", "c"], dimensions: 8 }));
    expect(floats.data.map((d: { embedding: number[] }) => d.embedding)).toEqual([
      deterministicEmbedding("a b", 8),
      deterministicEmbedding("c", 8),
    ]);

    const encoded = await json(await post("/embeddings", { input: "a b", encoding_format: "base64" }));
    const bytes = Buffer.from(encoded.data[0].embedding, "base64");
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const decoded = Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
    expect(decoded).toEqual(deterministicEmbedding("a b", 1536));
  });

  it("makes texts that share words closer than unrelated ones", () => {
    const dot = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * (b[i] ?? 0), 0);
    const lead = deterministicEmbedding("enterprise lead asking for pricing", 512);
    expect(dot(lead, deterministicEmbedding("pricing for an enterprise lead", 512))).toBeGreaterThan(
      dot(lead, deterministicEmbedding("weekly newsletter unsubscribe", 512)),
    );
    expect(Math.hypot(...lead)).toBeCloseTo(1, 5);
  });

  it("replies with scripted errors and headers, then the next scripted reply", async () => {
    server.script({ status: 429, headers: { "retry-after": "2" } }, "fine");
    const limited = await post("/chat/completions", { messages: [] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect((await json(limited)).error.type).toBe("rate_limit_exceeded");
    const ok = await json(await post("/chat/completions", { messages: [] }));
    expect(ok.choices[0].message.content).toBe("fine");
  });

  it("fails loudly with a non-retryable 400 when the queue runs dry", async () => {
    server.script("only one");
    await post("/chat/completions", { messages: [] });
    const dry = await post("/chat/completions", { messages: [] });
    expect(dry.status).toBe(400);
    expect((await json(dry)).error.message).toMatch(/no scripted reply left/);
  });

  it("lets a reply function see each request", async () => {
    server.script((request) => ({ json: { model: request.body.model, n: server.requests.length } }));
    const body = await json(await post("/chat/completions", { model: "x", messages: [] }));
    expect(JSON.parse(body.choices[0].message.content)).toEqual({ model: "x", n: 1 });
  });

  it("delays a reply, and drops it when the client gives up", async () => {
    server.script({ text: "late", delayMs: 5_000 });
    const started = Date.now();
    await expect(
      fetch(`${server.baseURL}/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ messages: [] }),
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("answers the Responses API, as JSON and as named SSE events", async () => {
    server.script("plain answer", "streamed answer");
    const plain = await json(await post("/responses", { model: "m", input: "hi" }));
    expect(plain).toMatchObject({
      object: "response",
      status: "completed",
      output: [{ type: "message", content: [{ type: "output_text", text: "plain answer" }] }],
    });

    const events = (await sseData(
      await post("/responses", { model: "m", input: "hi", stream: true }),
    )) as Array<{
      type: string;
      delta?: string;
    }>;
    expect(events[0]?.type).toBe("response.created");
    expect(events.at(-1)?.type).toBe("response.completed");
    const deltas = events.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta);
    expect(deltas.join("")).toBe("streamed answer");
  });

  it("returns 404 for unknown routes", async () => {
    expect((await post("/completions", {})).status).toBe(404);
  });
});
