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

/** `a, b,c` → `["a", "b", "c"]`. */
const commaList = z.string().transform((v) =>
  v
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== ""),
);

/** Exact browser origins (`https://app.example.com`, no path): what the `Origin` header carries. */
const originList = commaList.refine(
  (origins) => origins.every((o) => URL.canParse(o) && new URL(o).origin === o),
  "must be comma-separated origins such as https://app.example.com (scheme, host, optional port; no path)",
);

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
  /**
   * A SELECT-only role the MCP read tools and the agents' reads act as (PostgreSQL server only; the login of
   * DATABASE_URL must be a member; docs/security.md has the SQL). Unset: reads use the app's own role.
   */
  DATABASE_READER_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lower-case Postgres role name (a-z, 0-9, _)")
    .optional(),
  /** Prometheus metrics at http://METRICS_HOST:METRICS_PORT/metrics, a port apart from the API; 0 = off. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
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
  /** Public keys inline: PEM block(s), a JWK or a JWKS. Only one of JWKS URL, public keys, HS256 secret. */
  AUTH_PUBLIC_KEYS: z.string().min(1).optional(),
  /** The same, read from a file (.pem or .json). */
  AUTH_PUBLIC_KEYS_FILE: z.string().min(1).optional(),
  /** base64 of at least 32 random bytes; HS256 is used only when this is set. */
  AUTH_HS256_SECRET: z.string().min(1).optional(),
  /** Algorithms accepted from AUTH_JWKS_URL, comma-separated (default RS256,ES256). */
  AUTH_ALGORITHMS: commaList.optional(),
  /** Required `typ` header of access tokens (RFC 9068 `at+jwt`; `JWT` for providers that do not set it). */
  AUTH_TOKEN_TYPE: z.string().min(1).default("at+jwt"),
  AUTH_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** When set, tokens older than this (by `iat`) are refused whatever their `exp`. */
  AUTH_MAX_TOKEN_AGE_SECONDS: z.coerce.number().int().positive().optional(),
  AUTH_ROLE_CLAIM: z.string().min(1).default("role"),
  AUTH_TENANT_CLAIM: z.string().min(1).default("tenant"),
  /** How often each replica picks up tokens revoked elsewhere. */
  AUTH_REVOCATION_POLL_MS: positiveInt(2_000),

  /**
   * Keys that encrypt personal data at rest: `id:base64,id2:base64` (32 random bytes each; new writes use
   * PII_ACTIVE_KEY_ID, default the last listed). Unset: a development key file under DATA_DIR/keys/.
   */
  PII_KEYS: z.string().min(1).optional(),
  PII_ACTIVE_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, "must be 1-32 of A-Z a-z 0-9 _ -")
    .optional(),
  /** base64 of at least 32 random bytes: the HMAC key of the blind indexes (exact lookups by email, name). */
  PII_INDEX_KEY: z.string().min(1).optional(),
  /** The same keys as a JSON file `{"active", "keys": {id: base64}, "indexKey"}` (a mounted secret). */
  PII_KEYS_FILE: z.string().min(1).optional(),
  /** Per-run caps: graph steps, wall-clock time, and model tokens (0 = no token cap). */
  RUN_MAX_STEPS: z.coerce.number().int().min(5).max(200).default(25),
  RUN_TIMEOUT_MS: positiveInt(120_000),
  RUN_MAX_LLM_TOKENS: z.coerce.number().int().min(0).default(50_000),
  /** Model tokens all runs of one tenant may use per UTC day, across replicas (0 = no budget). */
  TENANT_DAILY_LLM_TOKENS: z.coerce.number().int().min(0).default(0),
  /** Tokens of working set (lead profile, conversation, what worked) in each engagement model call. */
  CONTEXT_TOKEN_BUDGET: z.coerce.number().int().min(200).max(100_000).default(1_500),
  /** "off": recorded outcomes do not recalibrate triage scores (they still feed episodes and bandits). */
  TRIAGE_RECALIBRATION: z.enum(["on", "off"]).default("on"),
  /** PEM certificate chain and private key: the server speaks HTTPS (and wss://) itself. */
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),

  /** Calls per minute per caller (token bucket, HTTP and WebSocket together); 0 turns the limit off. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  /** Calls a caller may make at once before the per-minute rate applies. */
  RATE_LIMIT_BURST: positiveInt(60),
  /** Browser origins allowed to call /rpc and open /ws (exact match). Requests without Origin are allowed. */
  ALLOWED_ORIGINS: originList.optional(),
  /** A WebSocket with no messages and no calls running for this long is closed. */
  WS_IDLE_TIMEOUT_MS: positiveInt(300_000),
  /** Ping interval; a socket that has not answered the previous ping is terminated. */
  WS_PING_INTERVAL_MS: positiveInt(30_000),
  /** A socket whose unsent data passes this (a client that stopped reading) is closed with 1013. */
  WS_MAX_BUFFERED_BYTES: positiveInt(1_048_576),

  /** Largest accepted HTTP request body, in bytes. */
  MAX_BODY_BYTES: positiveInt(1_048_576),
  /** Largest accepted WebSocket message, in bytes (ws defaults to 100 MiB; far too much here). */
  MAX_WS_MESSAGE_BYTES: positiveInt(65_536),
  /** When a person must approve outreach before it is queued: always, low-score (anything not hot), never. */
  APPROVAL_POLICY: z.enum(["always", "low-score", "never"]).default("always"),
  /** A run whose replica has not heartbeated for this long is presumed dead and stops blocking its thread. */
  RUN_STALE_AFTER_MS: positiveInt(30_000),
  /** Fault-injection testing only: pause before every agent step. */
  FAULT_STEP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /** Most requests in one JSON-RPC batch. */
  MAX_BATCH_SIZE: positiveInt(50),

  // Scheduled maintenance in `serve` (src/memory/maintenance.ts): checkpoint retention and the sweep of
  // expired store items, one replica at a time. `threads prune` takes its defaults from the same variables.
  /** Time between maintenance runs (the first comes a minute after start at most); 0 turns the schedule off. */
  MAINTENANCE_INTERVAL_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** Newest checkpoints kept per thread namespace (the head and pending interrupts are always kept). */
  CHECKPOINT_KEEP_LAST: z.coerce.number().int().min(0).default(20),
  /** Checkpoints younger than this many days are kept whatever their rank (fractions allowed, e.g. 0.5). */
  CHECKPOINT_RETENTION_DAYS: z.coerce.number().min(0).max(36_500).default(7),
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
