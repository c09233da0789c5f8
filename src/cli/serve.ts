import { type Config, databaseUrlOf, hasLlmEndpoint } from "../config.js";
import { createMarketingSystem } from "../index.js";
import { chatModelFromConfig, modelLabelOf } from "../llm/provider.js";
import { createLogger } from "../logger.js";
import { CliError } from "./read-input.js";

const loopback = new Set(["127.0.0.1", "::1", "localhost"]);

export async function serveCommand(config: Config): Promise<void> {
  const log = createLogger(config.LOG_LEVEL);
  if (!loopback.has(config.HOST)) {
    // Without authentication anyone who can reach the port could read and change personal data.
    throw new CliError(
      `refusing to bind ${config.HOST}: authentication is not available yet, so the server only binds to loopback (127.0.0.1, ::1, localhost)`,
      2,
    );
  }
  const url = databaseUrlOf(config);
  const started = Date.now();
  const system = await createMarketingSystem({
    database: url,
    logger: log,
    approvalPolicy: config.APPROVAL_POLICY,
    llm: chatModelFromConfig(config),
    stepDelayMs: config.FAULT_STEP_DELAY_MS,
    staleRunAfterMs: config.RUN_STALE_AFTER_MS,
    limits: {
      maxBodyBytes: config.MAX_BODY_BYTES,
      maxBatchSize: config.MAX_BATCH_SIZE,
      maxWsMessageBytes: config.MAX_WS_MESSAGE_BYTES,
    },
  });
  const server = await system.listen({ host: config.HOST, port: config.PORT });
  process.stderr.write(
    [
      `marketing-agents listening on ${server.url}  (ready in ${Date.now() - started} ms)`,
      `  database  ${system.database.describe} (${system.database.driver})`,
      hasLlmEndpoint(config)
        ? `  model     ${modelLabelOf(chatModelFromConfig(config))} at ${config.OPENAI_BASE_URL ?? "api.openai.com"}`
        : "  model     offline (set OPENAI_API_KEY or OPENAI_BASE_URL for an LLM)",
      `  JSON-RPC  POST ${server.url}/rpc   WebSocket ${server.url.replace("http", "ws")}/ws`,
      "  WARNING   authentication is off: bound to loopback only",
      "",
    ].join("\n"),
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
