import { z } from "zod";

/**
 * The one configuration schema. It is parsed once, from the environment, by the entry points
 * (`cli/` and `server/`); everything below them receives the parsed values as parameters.
 */
const booleanFromEnv = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"], {
    error: "must be one of true/false/1/0/yes/no/on/off",
  })
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const ConfigSchema = z.object({
  /** postgres://… for a PostgreSQL server; unset means embedded PGlite under DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(
      /^(postgres(ql)?|pglite|memory):\/\//,
      "must start with postgres://, postgresql://, pglite:// or memory://",
    )
    .optional(),
  DATA_DIR: z.string().min(1).default("./.data"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  OPENAI_API_KEY: z.string().min(1).optional(),
  /** Any OpenAI-compatible endpoint: OpenAI, Azure, vLLM, Ollama, LM Studio. */
  OPENAI_BASE_URL: z.url({ error: "must be a URL such as http://localhost:11434/v1" }).optional(),
  OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
  OPENAI_EMBEDDING_MODEL: z.string().min(1).default("text-embedding-3-small"),
  LLM_TIMEOUT_MS: positiveInt(30_000),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),

  AUTH_REQUIRED: booleanFromEnv.optional(),
  AUTH_JWKS_URL: z.url().optional(),
  AUTH_ISSUER: z.string().min(1).default("marketing-agents"),
  AUTH_AUDIENCE: z.string().min(1).default("marketing-agents"),

  /** Largest accepted HTTP request body, in bytes. */
  MAX_BODY_BYTES: positiveInt(1_048_576),
  /** Largest accepted WebSocket message, in bytes (ws defaults to 100 MiB; far too much here). */
  MAX_WS_MESSAGE_BYTES: positiveInt(65_536),
  /** Most requests in one JSON-RPC batch. */
  MAX_BATCH_SIZE: positiveInt(50),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly issues: readonly string[],
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parse configuration from an environment-like record, with one readable line per bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings in the environment mean "unset": `FOO= cmd` should not fail validation.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = ConfigSchema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    const name = issue.path.join(".");
    const value = cleaned[name];
    const shown = value === undefined || /KEY|SECRET|PASSWORD|URL/.test(name) ? "" : ` (got "${value}")`;
    return `${name}: ${issue.message}${shown}`;
  });
  throw new ConfigError(`invalid configuration:\n  ${issues.join("\n  ")}`, issues);
}

/** The database a configuration points at: the server URL, or PGlite under DATA_DIR. */
export function databaseUrlOf(config: Pick<Config, "DATABASE_URL" | "DATA_DIR">): string {
  return config.DATABASE_URL ?? `pglite://${config.DATA_DIR.replace(/\/$/, "")}/pglite`;
}

/** True when an OpenAI-compatible endpoint is configured; otherwise the agents run offline. */
export function hasLlmEndpoint(config: Pick<Config, "OPENAI_API_KEY" | "OPENAI_BASE_URL">): boolean {
  return config.OPENAI_API_KEY !== undefined || config.OPENAI_BASE_URL !== undefined;
}
