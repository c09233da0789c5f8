/**
 * An OpenAI-compatible HTTP server for tests: real sockets, real SSE, scripted answers.
 *
 * It speaks just enough of the wire protocol for the real `@langchain/openai` clients (through the
 * `openai` SDK) to run unmodified against it: `POST /v1/chat/completions` (JSON and SSE, tool calls,
 * usage chunks), `POST /v1/responses` (JSON and SSE: the client switches to this API for some model
 * names, see `_modelPrefersResponsesAPI` in @langchain/openai), `POST /v1/embeddings` and
 * `GET /v1/models`. The file stays whole because the three endpoints share the reply model and the
 * SSE plumbing; the wire formats follow https://platform.openai.com/docs/api-reference.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Timing knobs shared by every kind of reply. */
export interface ReplyTiming {
  /** Wait this long before sending anything (status line included): for timeouts. */
  delayMs?: number;
  /** Wait this long between streamed chunks. */
  chunkDelayMs?: number;
}

export interface ScriptedToolCall {
  id?: string;
  name: string;
  /** An object is sent as JSON; a string is sent verbatim, so it can be malformed on purpose. */
  args: Record<string, unknown> | string;
}

export type TextReply = ReplyTiming & {
  text: string;
  /** How to split the text when streaming; defaults to word-sized pieces. */
  chunks?: string[];
  finishReason?: "stop" | "length" | "content_filter";
};
/** A JSON value returned as the message content, as a model does for `response_format: json_schema`. */
export type JsonReply = ReplyTiming & { json: unknown };
export type ToolCallsReply = ReplyTiming & { toolCalls: ScriptedToolCall[]; text?: string };
export type ErrorReply = ReplyTiming & {
  status: number;
  headers?: Record<string, string>;
  message?: string;
  type?: string;
  code?: string;
};
/** Exact vectors for an embeddings request, one per input (to test decoding or a wrong size). */
export type VectorsReply = ReplyTiming & { vectors: number[][] };
/** A bare string is shorthand for `{ text }`. */
export type Reply = string | TextReply | JsonReply | ToolCallsReply | ErrorReply | VectorsReply;

/**
 * Decides the reply to any request. `undefined` means the endpoint's default: an echo of the last
 * user message for chat and responses, deterministic vectors for embeddings.
 */
export type ReplyFn = (request: RecordedRequest) => Reply | undefined | Promise<Reply | undefined>;

/** A queue of replies is consumed by chat and responses requests only; embeddings stay deterministic. */
export type Script = ReplyFn | readonly Reply[];

export interface ChatMessageBody {
  role: string;
  content?: string | Array<{ type: string; text?: string }> | null;
  tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
  [key: string]: unknown;
}

/** The parsed JSON body, typed for the fields tests usually look at. */
export interface RequestBody {
  model?: string;
  messages?: ChatMessageBody[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: Array<{ type: string; function?: { name: string; parameters?: unknown; strict?: boolean } }>;
  tool_choice?: unknown;
  response_format?: { type: string; json_schema?: { name: string; schema?: unknown; strict?: boolean } };
  input?: unknown;
  dimensions?: number;
  encoding_format?: string;
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: RequestBody;
}

export interface OpenAiServer {
  /** `http://127.0.0.1:<port>/v1`, ready for `configuration.baseURL`. */
  readonly baseURL: string;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Requests to one path, e.g. `"/v1/chat/completions"`. */
  requestsTo(path: string): RecordedRequest[];
  /** Replace the script: a reply function, or a queue of replies. */
  script(fn: ReplyFn): void;
  script(...replies: Reply[]): void;
  close(): Promise<void>;
}

const CHAT_PATH = "/v1/chat/completions";
const RESPONSES_PATH = "/v1/responses";
const EMBEDDINGS_PATH = "/v1/embeddings";
const MODELS_PATH = "/v1/models";
/** text-embedding-3-small's native size, used when a request does not ask for `dimensions`. */
const DEFAULT_DIMENSIONS = 1536;

/** Start a server on 127.0.0.1 with a random port. Close it in `afterAll`/`afterEach`. */
export async function startOpenAiServer(script?: Script): Promise<OpenAiServer> {
  const requests: RecordedRequest[] = [];
  let replyFn: ReplyFn = () => undefined;
  const setScript = (next: Script) => {
    if (typeof next === "function") {
      replyFn = next;
      return;
    }
    const queue = [...next];
    replyFn = (request) => {
      if (request.path === EMBEDDINGS_PATH) return undefined;
      return (
        queue.shift() ?? {
          status: 400,
          type: "test_script_exhausted",
          message: `openai-server: no scripted reply left for request #${requests.length} (${request.path})`,
        }
      );
    };
  };
  if (script) setScript(script);

  let ids = 0;
  const nextId = (prefix: string) => `${prefix}_${(++ids).toString().padStart(6, "0")}`;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error), type: "server_error" } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Aborts pending delays when the client gives up (timeouts), so no timer outlives its socket.
    const gone = new AbortController();
    res.on("close", () => gone.abort());

    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const raw = await readBody(req);
    let body: RequestBody = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw) as RequestBody;
      } catch {
        sendJson(res, 400, { error: { message: "body is not valid JSON", type: "invalid_request_error" } });
        return;
      }
    }
    const request: RecordedRequest = { method: req.method ?? "GET", path, headers: headersOf(req), body };
    requests.push(request);

    if (request.method === "GET" && path === MODELS_PATH) {
      sendJson(res, 200, { object: "list", data: [{ id: "test-model", object: "model", owned_by: "test" }] });
      return;
    }
    const known = [CHAT_PATH, RESPONSES_PATH, EMBEDDINGS_PATH];
    if (request.method !== "POST" || !known.includes(path)) {
      sendJson(res, 404, { error: { message: `no route ${request.method} ${path}`, type: "not_found" } });
      return;
    }

    const reply = normalize((await replyFn(request)) ?? defaultReply(request));
    if (reply.delayMs && !(await pause(reply.delayMs, gone.signal))) return;
    if (reply.kind === "error") {
      sendJson(res, reply.status, { error: reply.error }, reply.headers);
      return;
    }
    if (path === EMBEDDINGS_PATH)
      sendEmbeddings(res, body, reply.kind === "vectors" ? reply.vectors : undefined);
    else if (reply.kind === "vectors") {
      sendJson(res, 400, {
        error: { message: `a vectors reply cannot answer ${path}`, type: "test_script_error" },
      });
    } else if (path === CHAT_PATH) await sendChat(res, body, reply, gone.signal, nextId);
    else await sendResponses(res, body, reply, gone.signal, nextId);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    script(...args: [ReplyFn] | Reply[]) {
      const [first] = args;
      setScript(typeof first === "function" ? first : (args as Reply[]));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/**
 * The vector the server returns for a text: signed feature hashing of lower-cased words, L2-normalized
 * and rounded to float32, so texts sharing words are close (useful for retrieval tests) and tests can
 * compare exactly with what a client decoded.
 */
export function deterministicEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) {
    const digest = createHash("sha256").update(word).digest();
    const bucket = digest.readUInt32LE(0) % dimensions;
    vector[bucket] = (vector[bucket] ?? 0) + ((digest[4] ?? 0) & 1 ? 1 : -1);
  }
  const norm = Math.hypot(...vector);
  // An empty text still gets a unit vector: real endpoints never return zeros.
  if (norm === 0) return vector.map((_, i) => (i === 0 ? 1 : 0));
  return vector.map((v) => Math.fround(v / norm));
}

type Normalized =
  | (ReplyTiming & {
      kind: "message";
      text: string;
      chunks: string[];
      toolCalls: Array<{ id?: string; name: string; args: string }>;
      finishReason: string;
    })
  | (ReplyTiming & {
      kind: "error";
      status: number;
      headers: Record<string, string>;
      error: { message: string; type: string; param: null; code: string | null };
    })
  | (ReplyTiming & { kind: "vectors"; vectors: number[][] });

function normalize(reply: Reply): Normalized {
  if (typeof reply === "string") return normalize({ text: reply });
  const timing = { delayMs: reply.delayMs, chunkDelayMs: reply.chunkDelayMs };
  if ("vectors" in reply) return { ...timing, kind: "vectors", vectors: reply.vectors };
  if ("status" in reply) {
    return {
      ...timing,
      kind: "error",
      status: reply.status,
      headers: reply.headers ?? {},
      error: {
        message: reply.message ?? `scripted error ${reply.status}`,
        type: reply.type ?? (reply.status === 429 ? "rate_limit_exceeded" : "server_error"),
        param: null,
        code: reply.code ?? null,
      },
    };
  }
  if ("toolCalls" in reply) {
    const text = reply.text ?? "";
    return {
      ...timing,
      kind: "message",
      text,
      chunks: text ? splitWords(text) : [],
      toolCalls: reply.toolCalls.map((call) => ({
        id: call.id,
        name: call.name,
        args: typeof call.args === "string" ? call.args : JSON.stringify(call.args),
      })),
      finishReason: "tool_calls",
    };
  }
  if ("json" in reply) {
    const text = JSON.stringify(reply.json);
    return {
      ...timing,
      kind: "message",
      text,
      chunks: splitFixed(text, 8),
      toolCalls: [],
      finishReason: "stop",
    };
  }
  return {
    ...timing,
    kind: "message",
    text: reply.text,
    chunks: reply.chunks ?? splitWords(reply.text),
    toolCalls: [],
    finishReason: reply.finishReason ?? "stop",
  };
}

function defaultReply(request: RecordedRequest): Reply {
  if (request.path === EMBEDDINGS_PATH) return { text: "" };
  return `echo: ${lastUserText(request.body)}`;
}

// ---- chat completions ------------------------------------------------------------------------------

type MessageReply = Extract<Normalized, { kind: "message" }>;

async function sendChat(
  res: ServerResponse,
  body: RequestBody,
  reply: MessageReply,
  gone: AbortSignal,
  nextId: (prefix: string) => string,
): Promise<void> {
  const id = nextId("chatcmpl");
  const created = Math.floor(Date.now() / 1000);
  const model = body.model ?? "test-model";
  const toolCalls = reply.toolCalls.map((call) => ({ ...call, id: call.id ?? nextId("call") }));
  const usage = usageOf(body, reply);

  if (!body.stream) {
    sendJson(res, 200, {
      id,
      object: "chat.completion",
      created,
      model,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: reply.text === "" && toolCalls.length > 0 ? null : reply.text,
            refusal: null,
            ...(toolCalls.length > 0
              ? {
                  tool_calls: toolCalls.map((call) => ({
                    id: call.id,
                    type: "function",
                    function: { name: call.name, arguments: call.args },
                  })),
                }
              : {}),
          },
          logprobs: null,
          finish_reason: reply.finishReason,
        },
      ],
      usage,
    });
    return;
  }

  const withUsage = body.stream_options?.include_usage === true;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    choices,
    // With include_usage, every chunk but the last carries `usage: null` (as the API does).
    ...(withUsage ? { usage: null } : {}),
    ...extra,
  });
  const delta = (d: Record<string, unknown>, finishReason: string | null = null) => ({
    index: 0,
    delta: d,
    logprobs: null,
    finish_reason: finishReason,
  });

  const events: unknown[] = [chunk([delta({ role: "assistant", content: "" })])];
  for (const piece of reply.chunks) events.push(chunk([delta({ content: piece })]));
  toolCalls.forEach((call, index) => {
    events.push(
      chunk([
        delta({
          tool_calls: [
            { index, id: call.id, type: "function", function: { name: call.name, arguments: "" } },
          ],
        }),
      ]),
    );
    for (const piece of splitFixed(call.args, 8)) {
      events.push(chunk([delta({ tool_calls: [{ index, function: { arguments: piece } }] })]));
    }
  });
  events.push(chunk([delta({}, reply.finishReason)]));
  if (withUsage) events.push(chunk([], { usage }));

  openSse(res);
  for (const event of events) {
    if (!(await writeSse(res, { data: event }, reply.chunkDelayMs, gone))) return;
  }
  res.end("data: [DONE]\n\n");
}

function usageOf(body: RequestBody, reply: MessageReply) {
  const promptTokens = countWords(JSON.stringify(body.messages ?? body.input ?? ""));
  const completionTokens = Math.max(1, reply.chunks.length + reply.toolCalls.length);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

// ---- responses -------------------------------------------------------------------------------------

async function sendResponses(
  res: ServerResponse,
  body: RequestBody,
  reply: MessageReply,
  gone: AbortSignal,
  nextId: (prefix: string) => string,
): Promise<void> {
  const id = nextId("resp");
  const messageId = nextId("msg");
  const created = Math.floor(Date.now() / 1000);
  const { prompt_tokens, completion_tokens, total_tokens } = usageOf(body, reply);
  const textItem = {
    type: "message",
    id: messageId,
    status: "completed",
    role: "assistant",
    content: [{ type: "output_text", text: reply.text, annotations: [] }],
  };
  const callItems = reply.toolCalls.map((call) => ({
    type: "function_call",
    id: nextId("fc"),
    call_id: call.id ?? nextId("call"),
    name: call.name,
    arguments: call.args,
    status: "completed",
  }));
  const output = [...(reply.text !== "" || callItems.length === 0 ? [textItem] : []), ...callItems];
  const response = (status: string, items: unknown[]) => ({
    id,
    object: "response",
    created_at: created,
    status,
    model: body.model ?? "test-model",
    output: items,
    error: null,
    incomplete_details: null,
    metadata: {},
    parallel_tool_calls: true,
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    text: body.text ?? { format: { type: "text" } },
    usage:
      status === "completed"
        ? {
            input_tokens: prompt_tokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: completion_tokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens,
          }
        : null,
  });

  if (!body.stream) {
    sendJson(res, 200, response("completed", output));
    return;
  }

  const events: Array<Record<string, unknown>> = [
    { type: "response.created", response: response("in_progress", []) },
  ];
  output.forEach((item, outputIndex) => {
    if (item.type === "message") {
      events.push({
        type: "response.output_item.added",
        output_index: outputIndex,
        item: { ...textItem, status: "in_progress", content: [] },
      });
      events.push({
        type: "response.content_part.added",
        item_id: messageId,
        output_index: outputIndex,
        content_index: 0,
        part: { type: "output_text", text: "", annotations: [] },
      });
      for (const delta of reply.chunks) {
        events.push({
          type: "response.output_text.delta",
          item_id: messageId,
          output_index: outputIndex,
          content_index: 0,
          delta,
        });
      }
      events.push({
        type: "response.output_text.done",
        item_id: messageId,
        output_index: outputIndex,
        content_index: 0,
        text: reply.text,
      });
      events.push({ type: "response.output_item.done", output_index: outputIndex, item });
    } else if ("call_id" in item) {
      events.push({
        type: "response.output_item.added",
        output_index: outputIndex,
        item: { ...item, arguments: "", status: "in_progress" },
      });
      for (const delta of splitFixed(item.arguments, 8)) {
        events.push({
          type: "response.function_call_arguments.delta",
          item_id: item.id,
          output_index: outputIndex,
          delta,
        });
      }
      events.push({
        type: "response.function_call_arguments.done",
        item_id: item.id,
        output_index: outputIndex,
        arguments: item.arguments,
      });
      events.push({ type: "response.output_item.done", output_index: outputIndex, item });
    }
  });
  events.push({ type: "response.completed", response: response("completed", output) });

  openSse(res);
  for (const [sequence, event] of events.entries()) {
    const data = { ...event, sequence_number: sequence };
    if (!(await writeSse(res, { event: String(event.type), data }, reply.chunkDelayMs, gone))) return;
  }
  // The Responses API ends its stream by closing it: no `[DONE]` sentinel.
  res.end();
}

// ---- embeddings ------------------------------------------------------------------------------------

function sendEmbeddings(res: ServerResponse, body: RequestBody, scripted?: number[][]): void {
  const inputs = typeof body.input === "string" ? [body.input] : body.input;
  if (!Array.isArray(inputs) || !inputs.every((input): input is string => typeof input === "string")) {
    sendJson(res, 400, {
      error: { message: "input must be a string or an array of strings", type: "invalid_request_error" },
    });
    return;
  }
  const dimensions = body.dimensions ?? DEFAULT_DIMENSIONS;
  const base64 = body.encoding_format === "base64";
  const tokens = inputs.reduce((sum, input) => sum + countWords(input), 0);
  sendJson(res, 200, {
    object: "list",
    model: body.model ?? "test-embedding-model",
    data: inputs.map((input, index) => {
      const vector = scripted?.[index] ?? deterministicEmbedding(input, dimensions);
      return { object: "embedding", index, embedding: base64 ? float32Base64(vector) : vector };
    }),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

/** The API's base64 encoding: the bytes of a little-endian float32 array. */
function float32Base64(vector: number[]): string {
  const view = new DataView(new ArrayBuffer(vector.length * 4));
  for (const [i, value] of vector.entries()) view.setFloat32(i * 4, value, true);
  return Buffer.from(view.buffer).toString("base64");
}

// ---- plumbing --------------------------------------------------------------------------------------

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function sendJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(payload));
}

function openSse(res: ServerResponse): void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  // Sends the headers now, so a client sees the stream open before the first (maybe delayed) chunk.
  res.flushHeaders();
}

/** Resolves false when the client went away during the pause. */
async function writeSse(
  res: ServerResponse,
  message: { event?: string; data: unknown },
  delayMs: number | undefined,
  gone: AbortSignal,
): Promise<boolean> {
  if (delayMs && !(await pause(delayMs, gone))) return false;
  if (gone.aborted) return false;
  const eventLine = message.event ? `event: ${message.event}\n` : "";
  res.write(`${eventLine}data: ${JSON.stringify(message.data)}\n\n`);
  return true;
}

async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

function splitWords(text: string): string[] {
  return text.match(/\s*\S+\s*$|\s*\S+/g) ?? (text ? [text] : []);
}

function splitFixed(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function lastUserText(body: RequestBody): string {
  const contentText = (content: unknown): string => {
    if (typeof content === "string") return content;
    if (Array.isArray(content)) {
      return content
        .map((part: { text?: unknown }) => (typeof part?.text === "string" ? part.text : ""))
        .join("");
    }
    return "";
  };
  if (typeof body.input === "string") return body.input;
  const items = (body.messages ?? (Array.isArray(body.input) ? body.input : [])) as Array<{
    role?: string;
    content?: unknown;
  }>;
  const user = items.filter((item) => item.role === "user").at(-1);
  return user ? contentText(user.content) : "";
}
