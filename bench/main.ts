/**
 * `npm run bench`: runs the selected suites one after another and prints one results table.
 * Usage and the fairness rules behind the ratios: bench/README.md.
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { z } from "zod";
import { Progress } from "./lib/progress.js";
import { environment, jsonReport, renderReports } from "./lib/report.js";
import type { BenchSettings, Suite, SuiteReport } from "./lib/suite.js";
import { checkpointerSuite } from "./suites/checkpointer.js";
import { memorySuite } from "./suites/memory.js";
import { threadsRunSuite } from "./suites/threads-run.js";
import { transportSuite } from "./suites/transport.js";

/** Every suite, in the order a run without `--suite` runs them. */
const suites: readonly Suite[] = [transportSuite, threadsRunSuite, checkpointerSuite, memorySuite];

const Options = z.object({
  suite: z.array(z.string()).default([]),
  duration: z.coerce.number().positive().max(3_600).default(5),
  warmup: z.coerce.number().min(0).max(600).default(1),
  connections: z.coerce.number().int().min(1).max(1_000).default(10),
  // Ours answers up to 16 calls per socket at once and queues 256 more; beyond that it closes the socket.
  "in-flight": z.coerce.number().int().min(1).max(256).default(4),
  rounds: z.coerce.number().int().min(1).max(100).default(1),
  json: z.string().min(1).optional(),
  help: z.boolean().default(false),
});

const usage = `Usage: npm run bench -- [options]

Options:
  --suite <name>       run this suite (repeatable; default: all). Suites:
${suites.map((s) => `                         ${s.name.padEnd(12)} ${s.summary}`).join("\n")}
  --duration <s>       measured seconds per target (default 5)
  --warmup <s>         unmeasured seconds before each measurement (default 1)
  --connections <n>    concurrent connections (default 10)
  --in-flight <k>      WebSocket calls kept in flight per connection (default 4)
  --rounds <n>         repeat each baseline/ours pair n times, report medians (default 1)
  --json <file>        also write the results as JSON to <file>
  --help               show this help

Progress goes to stderr, results to stdout.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      suite: { type: "string", multiple: true },
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
      "in-flight": { type: "string" },
      rounds: { type: "string" },
      json: { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  const parsed = Options.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`--${issue.path.join(".")}: ${issue.message}`);
    console.error(`\n${usage}`);
    return 2;
  }
  const options = parsed.data;
  if (options.help) {
    console.log(usage);
    return 0;
  }
  const unknown = options.suite.filter((name) => !suites.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(`unknown suite: ${unknown.join(", ")} (known: ${suites.map((s) => s.name).join(", ")})`);
    return 2;
  }
  const selected = options.suite.length === 0 ? suites : suites.filter((s) => options.suite.includes(s.name));
  const settings: BenchSettings = {
    durationS: options.duration,
    warmupS: options.warmup,
    connections: options.connections,
    inFlight: options["in-flight"],
    rounds: options.rounds,
  };

  const env = environment();
  const progress = new Progress();
  const reports: SuiteReport[] = [];
  let failed = false;
  for (const suite of selected) {
    try {
      reports.push(await suite.run(settings, progress));
    } catch (error) {
      // One broken suite should not hide the figures of the others.
      failed = true;
      const reason = error instanceof Error ? error.message : String(error);
      reports.push({
        suite: suite.name,
        measurements: [],
        comparisons: [],
        notes: [],
        skipped: `failed: ${reason}`,
      });
    }
  }

  console.log(renderReports(reports, settings, env));
  if (options.json) {
    await writeFile(options.json, `${JSON.stringify(jsonReport(reports, settings, env), null, 2)}\n`);
    progress.note(`results written to ${options.json}`);
  }
  return failed ? 1 : 0;
}

process.on("SIGINT", () => process.exit(130));
process.exitCode = await main();
