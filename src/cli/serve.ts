import { readFile } from "node:fs/promises";
import { type Config, databaseUrlOf, hasLlmEndpoint } from "../config.js";
import type { PiiKeyring } from "../db/pii/keyring.js";
import { describeKeyring, resolveKeyring } from "../db/pii/resolve.js";
import { createMarketingSystem } from "../index.js";
import { chatModelFromConfig, embeddingsFromConfig, modelLabelOf } from "../llm/provider.js";
import { createLogger } from "../logger.js";
import { AuthConfigError } from "../server/auth/errors.js";
import { createKeySource } from "../server/auth/key-sources.js";
import { isLoopbackHost } from "../server/auth/loopback.js";
import { type AuthOptions, authOptionsFromConfig } from "../server/auth/options.js";
import type { TlsOptions } from "../server/listen.js";
import { CliError } from "./read-input.js";

export async function serveCommand(config: Config): Promise<void> {
  const log = createLogger(config.LOG_LEVEL);
  const loopbackOnly = isLoopbackHost(config.HOST);
  // Authentication is on when asked for, when a key source is configured (that says what was meant), and
  // always when the server is reachable from the network.
  const keySourceConfigured = [
    config.AUTH_JWKS_URL,
    config.AUTH_PUBLIC_KEYS,
    config.AUTH_PUBLIC_KEYS_FILE,
    config.AUTH_HS256_SECRET,
  ].some((v) => v !== undefined);
  const authRequired = config.AUTH_REQUIRED ?? (!loopbackOnly || keySourceConfigured);
  if (!authRequired && !loopbackOnly) {
    // Without authentication anyone who can reach the port could read and change personal data.
    throw new CliError(
      `refusing to bind ${config.HOST} with AUTH_REQUIRED=false: without authentication the server binds to loopback only (127.0.0.1, ::1, localhost)`,
      2,
    );
  }
  let auth: AuthOptions;
  try {
    auth = await authOptionsFromConfig(config, authRequired);
    // Fail on a bad key configuration (short secret, small RSA key) before opening the database.
    if (authRequired) await createKeySource(auth);
  } catch (error) {
    throw new CliError(`authentication: ${(error as Error).message}`, 2);
  }
  const url = databaseUrlOf(config);
  const started = Date.now();
  let pii: PiiKeyring;
  try {
    pii = await resolveKeyring(config, url);
  } catch (error) {
    throw new CliError(`encryption keys: ${(error as Error).message}`, 2);
  }
  const system = await createMarketingSystem({
    database: url,
    ...(config.DATABASE_READER_ROLE ? { readerRole: config.DATABASE_READER_ROLE } : {}),
    pii,
    logger: log,
    approvalPolicy: config.APPROVAL_POLICY,
    llm: chatModelFromConfig(config),
    // The same embedder `migrate --reembed` uses: memories written and searched here must match it.
    embeddings: embeddingsFromConfig(config),
    stepDelayMs: config.FAULT_STEP_DELAY_MS,
    staleRunAfterMs: config.RUN_STALE_AFTER_MS,
    contextTokenBudget: config.CONTEXT_TOKEN_BUDGET,
    metrics: config.METRICS_PORT > 0,
    ...(config.TRIAGE_RECALIBRATION === "off" ? { recalibration: false as const } : {}),
    runLimits: {
      maxSteps: config.RUN_MAX_STEPS,
      maxRunMs: config.RUN_TIMEOUT_MS,
      maxLlmTokens: config.RUN_MAX_LLM_TOKENS,
      tenantDailyLlmTokens: config.TENANT_DAILY_LLM_TOKENS,
    },
    maintenance: {
      intervalMs: config.MAINTENANCE_INTERVAL_MS,
      keepLast: config.CHECKPOINT_KEEP_LAST,
      keepYoungerThanMs: Math.round(config.CHECKPOINT_RETENTION_DAYS * 86_400_000),
    },
    limits: {
      maxBodyBytes: config.MAX_BODY_BYTES,
      maxBatchSize: config.MAX_BATCH_SIZE,
      maxWsMessageBytes: config.MAX_WS_MESSAGE_BYTES,
      rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
      rateLimitBurst: config.RATE_LIMIT_BURST,
      allowedOrigins: config.ALLOWED_ORIGINS ?? [],
      wsIdleTimeoutMs: config.WS_IDLE_TIMEOUT_MS,
      wsPingIntervalMs: config.WS_PING_INTERVAL_MS,
      wsMaxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
    },
    auth,
  }).catch((error: unknown) => {
    if (error instanceof AuthConfigError) throw new CliError(`authentication: ${error.message}`, 2);
    throw error;
  });
  const server = await system.listen({
    host: config.HOST,
    port: config.PORT,
    ...(await tlsFromConfig(config)),
  });
  const metricsAt = system.metrics
    ? (await system.metrics.listen({ host: config.METRICS_HOST, port: config.METRICS_PORT })).url
    : null;
  process.stderr.write(
    [
      `marketing-agents listening on ${server.url}  (ready in ${Date.now() - started} ms)`,
      `  database  ${system.database.describe} (${system.database.driver})`,
      `  privacy   ${describeKeyring(pii)}`,
      config.DATABASE_READER_ROLE
        ? `  reads     MCP read tools act as the SELECT-only role "${config.DATABASE_READER_ROLE}"`
        : null,
      hasLlmEndpoint(config)
        ? `  model     ${modelLabelOf(chatModelFromConfig(config))} at ${config.OPENAI_BASE_URL ?? "api.openai.com"}`
        : "  model     offline (set OPENAI_API_KEY or OPENAI_BASE_URL for an LLM)",
      `  JSON-RPC  POST ${server.url}/rpc   WebSocket ${server.url.replace("http", "ws")}/ws`,
      ...authBanner(authRequired, loopbackOnly, system.authentication, auth),
      metricsAt
        ? `  metrics   ${metricsAt} (Prometheus)`
        : "  metrics   off (METRICS_PORT=9464 serves Prometheus metrics)",
      config.MAINTENANCE_INTERVAL_MS === 0
        ? "  upkeep    off (MAINTENANCE_INTERVAL_MS=0): run `marketing-agents threads prune` from a scheduler"
        : `  upkeep    every ${formatInterval(config.MAINTENANCE_INTERVAL_MS)}: checkpoints beyond the last ${config.CHECKPOINT_KEEP_LAST} per thread and older than ${config.CHECKPOINT_RETENTION_DAYS} d, expired memory items`,
      "",
    ]
      .filter((line) => line !== null)
      .join("\n"),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: draining and closing…\n`);
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    await system.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

/** `3600000` → "1 h", `90000` → "90 s": the interval as the banner shows it. */
function formatInterval(ms: number): string {
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["min", 60_000],
    ["s", 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  }
  return `${ms} ms`;
}

/** What the banner says about authentication: loudly when it is off or rests on the development key. */
function authBanner(required: boolean, loopbackOnly: boolean, source: string, auth: AuthOptions): string[] {
  if (!required) {
    return [
      "  WARNING   authentication is off: every caller is an admin; bound to loopback only (AUTH_REQUIRED=true turns it on)",
    ];
  }
  const lines = [
    `  auth      bearer JWT from ${source}; iss ${auth.issuer}, aud ${auth.audience}, typ ${auth.tokenType}`,
  ];
  if (source.startsWith("local development key") && !loopbackOnly) {
    lines.push(
      "  WARNING   tokens are verified with the local development key: whoever can read it can mint any role; set AUTH_JWKS_URL or AUTH_PUBLIC_KEYS in production",
    );
  }
  return lines;
}

/** TLS_CERT_FILE and TLS_KEY_FILE together make the server speak HTTPS; one without the other is a mistake. */
async function tlsFromConfig(config: Config): Promise<{ tls?: TlsOptions }> {
  const { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile } = config;
  if (certFile === undefined && keyFile === undefined) return {};
  if (certFile === undefined || keyFile === undefined) {
    throw new CliError("TLS needs both TLS_CERT_FILE and TLS_KEY_FILE (PEM files)", 2);
  }
  const read = (path: string, name: string) =>
    readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`${name}: cannot read ${path} (${error.code ?? error.message})`, 2);
    });
  return { tls: { cert: await read(certFile, "TLS_CERT_FILE"), key: await read(keyFile, "TLS_KEY_FILE") } };
}
