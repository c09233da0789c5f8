/**
 * Structured output that is validated, retried with feedback, and never returned unchecked.
 *
 * Why not `llm.withStructuredOutput(schema)`: with a zod schema, @langchain/openai 1.5 sends
 * `strict: true` (OpenAI then rejects schemas with optional fields) and parses through the SDK's
 * `chat.completions.parse`, which throws on invalid JSON *inside* the client's retry loop. Verified
 * with the test server: one invalid answer and `maxRetries: 1` cost 2 identical requests and 1.3 s of
 * backoff, then a bare SyntaxError with the model's text lost, so no feedback can be given.
 *
 * So we build the request ourselves and stream it (a streamed request skips the SDK's parse step,
 * and behaves the same whether or not the surrounding graph is streamed):
 * - `jsonSchema` (default): `response_format: { type: "json_schema" }`. Supported by OpenAI, Azure,
 *   vLLM, Ollama (>= 0.5), LM Studio and llama.cpp's server, which constrain decoding to the schema;
 *   strict only when the schema allows it (see `responseSchemaOf`).
 * - `functionCalling`: one forced tool whose arguments are the output; for servers whose models do
 *   tools but not JSON schemas.
 * Either way the text is parsed and validated with zod here; on failure the answer and the problem
 * go back to the model, up to `maxAttempts` model calls.
 */
import type { BaseMessage, BaseMessageLike } from "@langchain/core/messages";
import {
  AIMessage,
  type AIMessageChunk,
  coerceMessageLikeToMessage,
  HumanMessage,
} from "@langchain/core/messages";
import type { ChatOpenAI, ChatOpenAICallOptions } from "@langchain/openai";
import type { z } from "zod";
import { LlmOutputError, toLlmError } from "./errors.js";
import { type JsonSchema, parseModelJson, responseSchemaOf } from "./json-output.js";

export type StructuredMethod = "jsonSchema" | "functionCalling";

export interface InvokeStructuredOptions {
  /** Model calls in total, first one included. Default 3. */
  maxAttempts?: number;
  /** Schema (or tool) name shown to the model; `^[a-zA-Z0-9_-]{1,64}$`. Default "output". */
  name?: string;
  signal?: AbortSignal;
  /** Default "jsonSchema". */
  method?: StructuredMethod;
}

/**
 * Calls `llm` and returns its answer parsed and validated by `schema`.
 *
 * @throws {LlmOutputError} `invalid_output` when no answer validated after `maxAttempts` calls,
 *   `timeout` or `unavailable` when the endpoint failed (after the client's own retries).
 *   An abort through `signal` propagates unchanged, unless its reason is a `TimeoutError`.
 */
export async function invokeStructured<T>(
  llm: ChatOpenAI,
  schema: z.ZodType<T>,
  messages: readonly BaseMessageLike[],
  options: InvokeStructuredOptions = {},
): Promise<T> {
  const { maxAttempts = 3, name = "output", method = "jsonSchema", signal } = options;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  }
  const response = responseSchemaOf(schema);
  const callOptions = requestOptionsOf(method, name, response);
  const transcript: BaseMessage[] = messages.map(coerceMessageLikeToMessage);

  let last: { problem: string; error: Error } | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let answer: AIMessageChunk | undefined;
    try {
      answer = await streamAnswer(llm, transcript, { ...callOptions, signal, runName: name });
    } catch (error) {
      throw toLlmError(error, attempt, signal) ?? error;
    }
    const text = method === "functionCalling" ? toolArgumentsOf(answer, name) : answer.text;
    const parsed = parseModelJson(text, schema);
    if (parsed.ok) return parsed.value;
    last = parsed;
    transcript.push(new AIMessage(text), new HumanMessage(retryFeedback(parsed.problem, response.schema)));
  }
  throw new LlmOutputError(
    "invalid_output",
    `no valid "${name}" output after ${maxAttempts} attempt(s); last problem: ${last?.problem}`,
    maxAttempts,
    { cause: last?.error },
  );
}

/** Sent after an invalid answer. Shows the schema too, for servers that ignore `response_format`. */
export function retryFeedback(problem: string, schema: JsonSchema): string {
  return (
    `Your previous answer was rejected: ${problem}\n\n` +
    "Answer again with only a JSON value matching this JSON Schema, without any other text:\n" +
    JSON.stringify(schema)
  );
}

function requestOptionsOf(
  method: StructuredMethod,
  name: string,
  { schema, strict }: { schema: JsonSchema; strict: boolean },
): Partial<ChatOpenAICallOptions> {
  if (method === "jsonSchema") {
    return { response_format: { type: "json_schema", json_schema: { name, schema, strict } } };
  }
  return {
    tools: [{ type: "function", function: { name, description: "Record the answer.", parameters: schema } }],
    tool_choice: { type: "function", function: { name } },
    strict,
  };
}

async function streamAnswer(
  llm: ChatOpenAI,
  messages: BaseMessage[],
  options: Partial<ChatOpenAICallOptions>,
): Promise<AIMessageChunk> {
  let answer: AIMessageChunk | undefined;
  for await (const chunk of await llm.stream(messages, options))
    answer = answer ? answer.concat(chunk) : chunk;
  if (!answer)
    throw new LlmOutputError("unavailable", "model endpoint closed the stream without an answer", 1);
  return answer;
}

/**
 * The raw argument text of the forced tool call, parsed here rather than taken from `tool_calls`:
 * LangChain fills those with a lenient partial-JSON parser that turns a truncated `{"a": "x` into a
 * valid-looking `{ a: "x" }`. A model that ignored the tool and answered in text gets its text used.
 */
function toolArgumentsOf(answer: AIMessageChunk, name: string): string {
  const chunks = answer.tool_call_chunks ?? [];
  const call = chunks.find((chunk) => chunk.name === name) ?? chunks[0];
  return call ? (call.args ?? "") : answer.text;
}
