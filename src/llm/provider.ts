import { ChatOpenAI, OpenAIEmbeddings } from "@langchain/openai";
import { type Config, ConfigError, hasLlmEndpoint } from "../config.js";
import { LlmOutputError } from "./errors.js";
import { fetchWithIdleTimeout } from "./transport.js";

/** What agents write as `model` in their outputs when no endpoint is configured. */
export const OFFLINE_MODEL = "offline";

/** The model an output came from: a model name, or {@link OFFLINE_MODEL}. */
export type ModelLabel = typeof OFFLINE_MODEL | string;

/** Vector size of every stored embedding (`vector(512)` columns). */
export const EMBEDDING_DIMENSIONS = 512;

/** Sent when only a base URL is configured: local servers (Ollama, vLLM, LM Studio) ignore the key. */
export const PLACEHOLDER_API_KEY = "no-key-required";

/**
 * Spelled out so that the configuration is the only source: otherwise the OpenAI SDK would read
 * `OPENAI_BASE_URL` from the process environment behind the config's back.
 */
export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

export interface EndpointOptions {
  /** Required unless `baseURL` is set. */
  apiKey?: string;
  /** An OpenAI-compatible `/v1` URL; OpenAI's own when unset. */
  baseURL?: string;
  /** Time to the response headers, and then the longest silence while reading the body. */
  timeoutMs: number;
  /** Retries of one request (429 with a Retry-After of at most 60 s, 5xx, timeouts), with backoff. */
  maxRetries: number;
}

export interface ChatModelOptions extends EndpointOptions {
  model: string;
  temperature?: number;
}

export interface EmbeddingsModelOptions extends EndpointOptions {
  model: string;
  /** Defaults to {@link EMBEDDING_DIMENSIONS}; the endpoint must honour the `dimensions` parameter. */
  dimensions?: number;
}

/**
 * A chat model for any OpenAI-compatible endpoint. Calls go to `{baseURL}/chat/completions`, except
 * for model names @langchain/openai routes to `{baseURL}/responses` (e.g. names containing `codex`).
 */
export function createChatModel(options: ChatModelOptions): ChatOpenAI {
  return new ChatOpenAI({
    // Always explicit: the default gpt-3.5-turbo makes structured output fall back to function calling.
    model: options.model,
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    apiKey: apiKeyOf(options),
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    configuration: {
      baseURL: options.baseURL ?? OPENAI_DEFAULT_BASE_URL,
      fetch: fetchWithIdleTimeout(options.timeoutMs),
    },
  });
}

/** The configured chat model, or `null` for offline mode (no endpoint configured). */
export function chatModelFromConfig(
  config: Pick<
    Config,
    "OPENAI_API_KEY" | "OPENAI_BASE_URL" | "OPENAI_MODEL" | "LLM_TIMEOUT_MS" | "LLM_MAX_RETRIES"
  >,
): ChatOpenAI | null {
  if (!hasLlmEndpoint(config)) return null;
  return createChatModel({
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    model: config.OPENAI_MODEL,
    timeoutMs: config.LLM_TIMEOUT_MS,
    maxRetries: config.LLM_MAX_RETRIES,
  });
}

/**
 * Embeddings from an OpenAI-compatible endpoint, checked to have exactly `dimensions` numbers: a
 * model that ignores the `dimensions` parameter (many local ones) fails loudly here instead of at
 * the database's `vector(512)` column.
 */
export function createEmbeddingsModel(options: EmbeddingsModelOptions): OpenAIEmbeddings {
  return new DimensionCheckedEmbeddings({
    model: options.model,
    dimensions: options.dimensions ?? EMBEDDING_DIMENSIONS,
    apiKey: apiKeyOf(options),
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    configuration: {
      baseURL: options.baseURL ?? OPENAI_DEFAULT_BASE_URL,
      fetch: fetchWithIdleTimeout(options.timeoutMs),
    },
  });
}

/** The configured embeddings model, or `null` offline (the memory layer then hashes features). */
export function embeddingsFromConfig(
  config: Pick<
    Config,
    "OPENAI_API_KEY" | "OPENAI_BASE_URL" | "OPENAI_EMBEDDING_MODEL" | "LLM_TIMEOUT_MS" | "LLM_MAX_RETRIES"
  >,
): OpenAIEmbeddings | null {
  if (!hasLlmEndpoint(config)) return null;
  return createEmbeddingsModel({
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    model: config.OPENAI_EMBEDDING_MODEL,
    timeoutMs: config.LLM_TIMEOUT_MS,
    maxRetries: config.LLM_MAX_RETRIES,
  });
}

/** The label agents put in their outputs: the model name, or {@link OFFLINE_MODEL}. */
export function modelLabelOf(llm: Pick<ChatOpenAI, "model"> | null): ModelLabel {
  return llm?.model ?? OFFLINE_MODEL;
}

function apiKeyOf(options: EndpointOptions): string {
  if (options.apiKey !== undefined) return options.apiKey;
  if (options.baseURL !== undefined) return PLACEHOLDER_API_KEY;
  throw new ConfigError("an OpenAI endpoint needs an API key or a base URL", [
    "OPENAI_API_KEY: required when OPENAI_BASE_URL is unset",
  ]);
}

class DimensionCheckedEmbeddings extends OpenAIEmbeddings {
  override async embedDocuments(texts: string[]): Promise<number[][]> {
    const vectors = await super.embedDocuments(texts);
    for (const vector of vectors) this.check(vector);
    return vectors;
  }

  override async embedQuery(text: string): Promise<number[]> {
    return this.check(await super.embedQuery(text));
  }

  private check(vector: number[]): number[] {
    if (vector.length !== this.dimensions) {
      throw new LlmOutputError(
        "invalid_output",
        `embedding model "${this.model}" returned ${vector.length} numbers, expected ${this.dimensions}: ` +
          "choose a model that supports the `dimensions` parameter",
        1,
      );
    }
    return vector;
  }
}
