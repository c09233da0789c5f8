import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../config.js";
import { chatModelFromConfig } from "../llm/provider.js";
import { CliError } from "./read-input.js";

/**
 * `marketing-agents eval`: a thin shell over the evaluation harness in `evals/`. The harness reads datasets
 * that may not be redistributed and is not part of the published package, so it is loaded at run time from
 * the source checkout (under tsx, `npm run eval`); from an installed package the command says so.
 */

export interface EvalCommandOptions {
  data?: string;
  out?: string;
  seeds?: string;
  compare?: string[];
  ci?: boolean;
}

/** What `evals/cli.ts` exports; checked at run time because the compiler never sees that file here. */
interface HarnessModule {
  runEvalCli(
    raw: unknown,
    deps: { judgeModel: { llm: unknown; name: string } | null; command: string },
  ): Promise<number>;
}

/**
 * The harness's TypeScript entry, imported through a variable so that `tsc -p tsconfig.build.json`
 * (rootDir src) does not pull evals/ into the build. Only tsx can load it, which is how `npm run eval` runs.
 */
const HARNESS_ENTRY = new URL("../../evals/cli.ts", import.meta.url);

async function loadHarness(): Promise<HarnessModule> {
  if (!existsSync(fileURLToPath(HARNESS_ENTRY))) {
    throw new CliError(
      "the evaluation harness runs from a source checkout: clone the repository, `npm ci`, then `npm run eval` " +
        "(see docs/evals.md)",
      2,
    );
  }
  const module = (await import(HARNESS_ENTRY.href)) as Partial<HarnessModule>;
  if (typeof module.runEvalCli !== "function") {
    throw new CliError(`${HARNESS_ENTRY.pathname} does not export runEvalCli`, 1);
  }
  return module as HarnessModule;
}

export async function evalCommand(suites: string[], options: EvalCommandOptions): Promise<void> {
  const harness = await loadHarness();
  // The judge is the only part that may go online, and only when an endpoint is configured.
  const config = loadConfig();
  const llm = chatModelFromConfig(config);
  const code = await harness.runEvalCli(
    { suites, ...options },
    {
      judgeModel: llm ? { llm, name: config.OPENAI_MODEL } : null,
      command: ["marketing-agents", ...process.argv.slice(2)].join(" "),
    },
  );
  process.exitCode = code;
}
