#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from "commander";
import { ConfigError, loadConfig } from "../config.js";
import { Roles } from "../server/auth/permissions.js";
import { VERSION } from "../version.js";
import { databaseOption, dataDirOption } from "./database-options.js";
import { type EvalCommandOptions, evalCommand } from "./eval.js";
import { generateKeysCommand, type RotateKeysOptions, rotateKeysCommand } from "./keys.js";
import { type McpCommandOptions, mcpCommand } from "./mcp.js";
import { migrateCommand } from "./migrate.js";
import { CliError } from "./read-input.js";
import { serveCommand } from "./serve.js";
import { threadsPruneCommand } from "./threads-prune.js";
import { type TokenCommandOptions, tokenCommand } from "./token.js";
import { triageProgram } from "./triage-command.js";

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError("a port is an integer 0–65535");
  return value;
};

/** Flags override the environment; both go through the one config schema. */
const configWith = (overrides: Record<string, string | undefined>) =>
  loadConfig({ ...process.env, ...overrides });

const program = new Command()
  .name("marketing-agents")
  .description("Multi-agent marketing operations: lead triage, engagement and campaign optimization.")
  .version(VERSION)
  .showHelpAfterError();

program
  .command("serve")
  .description("Serve JSON-RPC over HTTP (POST /rpc) and WebSocket (GET /ws), with /healthz and /readyz.")
  .addOption(
    new Option("-p, --port <port>", "port to listen on (0 picks a free one)").env("PORT").argParser(port),
  )
  .addOption(new Option("--host <host>", "interface to bind").env("HOST"))
  .addOption(databaseOption())
  .addOption(dataDirOption())
  .addHelpText(
    "after",
    "\nExample:\n  marketing-agents serve --port 8787\n  DATABASE_URL=postgres://u:p@db/marketing marketing-agents serve",
  )
  .action((opts: { port?: string; host?: string; database?: string; dataDir?: string }) =>
    serveCommand(
      configWith({ PORT: opts.port, HOST: opts.host, DATABASE_URL: opts.database, DATA_DIR: opts.dataDir }),
    ),
  );

program
  .command("mcp")
  .description(
    "Serve the MCP tools and resources (leads, campaigns, outcomes, memory, triage) on stdio for desktop MCP clients; logs on stderr.",
  )
  .addOption(new Option("--role <role>", "act with this role's permissions (default admin)").choices(Roles))
  .option("--tenant <tenant>", 'the tenant whose data is served (default "default")')
  .option("--subject <name>", 'who the audit log names as the caller (default "local")')
  .addOption(databaseOption())
  .addOption(dataDirOption())
  .addHelpText(
    "after",
    '\nExample (an MCP client configuration):\n  { "command": "marketing-agents", "args": ["mcp", "--role", "viewer"] }',
  )
  .action((opts: McpCommandOptions & { database?: string; dataDir?: string }) =>
    mcpCommand(configWith({ DATABASE_URL: opts.database, DATA_DIR: opts.dataDir }), opts),
  );

program
  .command("migrate")
  .description("Apply pending database migrations (safe to run from several replicas at once).")
  .addOption(databaseOption())
  .addOption(dataDirOption())
  .option(
    "--reembed",
    "then re-embed every stored memory with the configured embedder (needed after changing the embedding model), with a progress bar",
  )
  .option("--reembed-all", "with --reembed: also redo vectors the current embedder already made")
  .addHelpText(
    "after",
    "\nExample:\n  OPENAI_EMBEDDING_MODEL=text-embedding-3-small marketing-agents migrate --reembed",
  )
  .action((opts: { database?: string; dataDir?: string; reembed?: boolean; reembedAll?: boolean }) =>
    migrateCommand(configWith({ DATABASE_URL: opts.database, DATA_DIR: opts.dataDir }), {
      reembed: opts.reembed === true || opts.reembedAll === true,
      all: opts.reembedAll === true,
    }),
  );

program
  .command("token")
  .description(
    "Print a development access token signed with the local key under DATA_DIR/auth: the key the server verifies with when no AUTH_JWKS_URL, AUTH_PUBLIC_KEYS or AUTH_HS256_SECRET is set.",
  )
  .addOption(new Option("-r, --role <role>", "the caller's role").choices(Roles).makeOptionMandatory())
  .option("-t, --tenant <tenant>", "tenant id", "default")
  .option("-s, --subject <subject>", "who the token is for", "dev")
  .option("--ttl <duration>", "lifetime: 90s, 15m, 1h, 2d (at most 7d)", "1h")
  .addOption(new Option("--data-dir <dir>", "where the key lives ($DATA_DIR/auth)").env("DATA_DIR"))
  .addHelpText(
    "after",
    "\nExample:\n  TOKEN=$(marketing-agents token --role marketer)\n" +
      '  curl -s localhost:8787/rpc -H "authorization: Bearer $TOKEN" -d \'{"jsonrpc":"2.0","id":1,"method":"auth.whoami"}\'',
  )
  .action((opts: TokenCommandOptions & { dataDir?: string }) =>
    tokenCommand(configWith({ DATA_DIR: opts.dataDir }), opts),
  );

// score (the default: `triage leads.json`), train, evaluate, models: see src/cli/triage-command.ts.
program.addCommand(triageProgram());

program
  .command("eval")
  .description(
    "Run the evaluation suites (from a source checkout) and write report.md, report.json and SVG charts.",
  )
  .argument("[suites...]", "triage, routing, optimization, engagement, adaptive, memory (default: all)")
  .option(
    "--data <dir>",
    "datasets folder with leads/leads.csv and ads-ctr/ads-ctr.csv (default $DATASETS_DIR, else ../shared/datasets)",
  )
  .option("--out <dir>", "output folder (default evals/out/<timestamp>)")
  .option("--seeds <n>", "seeds of the ads replay (default 20; 5 with --ci)")
  .option("--compare <reports...>", "compare two report.json files instead of running suites")
  .option("--ci", "the fast subset with the CI thresholds; exit code 1 when one fails")
  .addHelpText(
    "after",
    "\nExamples:\n  marketing-agents eval\n  marketing-agents eval triage routing --data ../shared/datasets\n" +
      "  marketing-agents eval --compare evals/out/A/report.json evals/out/B/report.json",
  )
  .action((suites: string[], opts: EvalCommandOptions) => evalCommand(suites, opts));

const threads = program.command("threads").description("Thread (checkpoint) maintenance.");
threads
  .command("prune")
  .description(
    "Delete old checkpoints: keeps the last N per thread, everything younger than a duration, every head and every pending interrupt. Safe while servers run.",
  )
  .option(
    "--keep-last <n>",
    "newest checkpoints kept per thread namespace (default: CHECKPOINT_KEEP_LAST, else 20)",
  )
  .option(
    "--keep-younger-than <duration>",
    "keep everything younger than this: 90s, 30m, 12h, 7d, 2w, ms (default: CHECKPOINT_RETENTION_DAYS, else 7d)",
  )
  .option("--thread <id>", "prune one thread only")
  .option("--json", "print the counts as JSON")
  .addOption(databaseOption())
  .addOption(dataDirOption())
  .action(
    (opts: {
      keepLast?: string;
      keepYoungerThan?: string;
      thread?: string;
      json?: boolean;
      database?: string;
      dataDir?: string;
    }) =>
      threadsPruneCommand(configWith({ DATABASE_URL: opts.database, DATA_DIR: opts.dataDir }), opts).then(
        () => undefined,
      ),
  );

program
  .command("rotate-keys")
  .description(
    "Re-encrypt personal data (leads, outbox, run events, thread state) under the active PII key and recompute blind indexes. Add the new key to PII_KEYS (keep the old one), set PII_ACTIVE_KEY_ID, restart, run this, then remove the old key. Safe while servers run.",
  )
  .option("--reindex", "rewrite every row, also those under the active key (after PII_INDEX_KEY changed)")
  .option("--dry-run", "count what would be rewritten, change nothing")
  .option("--json", "print the counts as JSON")
  .addOption(databaseOption())
  .addOption(dataDirOption())
  .action((opts: RotateKeysOptions & { database?: string; dataDir?: string }) =>
    rotateKeysCommand(configWith({ DATABASE_URL: opts.database, DATA_DIR: opts.dataDir }), opts),
  );

const keys = program.command("keys").description("Encryption keys for personal data at rest.");
keys
  .command("generate")
  .description(
    "Print a new random key set: JSON for PII_KEYS_FILE, or --env lines for PII_KEYS and PII_INDEX_KEY.",
  )
  .option("--key-id <id>", "id of the new data key (default k<yyyymmdd>)")
  .option("--env", "print PII_KEYS=… and PII_INDEX_KEY=… lines instead of JSON")
  .action((opts: { keyId?: string; env?: boolean }) => generateKeysCommand(opts));

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof ConfigError || error instanceof CliError) {
    process.stderr.write(`marketing-agents: ${error.message}\n`);
    process.exit(error instanceof CliError ? error.exitCode : 2);
  }
  throw error;
}
