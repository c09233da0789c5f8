import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Database } from "../src/db/client.js";
import { createMarketingSystem } from "../src/index.js";
import { createTestDatabase } from "../test/support/database.js";
import { locateData, missingDataMessage } from "./harness/data.js";
import { formatMetric, formatThreshold } from "./harness/format.js";
import { renderMetricsTable } from "./harness/markdown.js";
import { silentProgress } from "./harness/progress.js";
import { runEvaluation } from "./harness/run.js";
import { writeReport } from "./harness/write.js";
import { DEFAULT_SEEDS, DEFAULT_SUITES } from "./suites/registry.js";

/**
 * The CI gate: the `--ci` profile (triage on the full split with a 60-lead graph sample, routing, the ads
 * replay over 5 seeds, engagement on 100 dataset leads) must meet every threshold, or `npm test` fails.
 * Suites whose dataset is absent are skipped with the message saying where to put it; routing and
 * engagement need no dataset and always run. The graph runs on a cloned, migrated PGlite (test support) to
 * skip the seconds of initdb that `memory://` costs.
 */
const data = locateData(undefined);
const missing = (["leads", "ads"] as const).filter((d) => !data.files[d]);
if (missing.length > 0) console.warn(`CI eval gate: ${missingDataMessage(data, missing)}`);

describe("CI evaluation gate", () => {
  let database: Database | undefined;
  let outDir: string | undefined;
  afterAll(async () => {
    await database?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it("meets every threshold of the fast subset and writes a readable report", async () => {
    database = await createTestDatabase();
    const shared = database;
    const started = performance.now();
    const { report, charts } = await runEvaluation({
      suites: DEFAULT_SUITES.ci,
      explicit: false,
      profile: "ci",
      seeds: DEFAULT_SEEDS.ci,
      data,
      progress: silentProgress,
      judge: null,
      command: "vitest run evals/ci-gate.int.test.ts",
      openSystem: () => createMarketingSystem({ database: shared, migrate: false }),
    });
    console.info(
      `${renderMetricsTable(report)}\n(gate took ${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );

    const failures = report.suites.flatMap((suite) =>
      suite.status === "error"
        ? [`${suite.id}: ${suite.summary}`]
        : suite.metrics
            .filter((m) => m.passed === false)
            .map(
              (m) => `${suite.id}: ${m.label} = ${formatMetric(m)}, needs ${formatThreshold(m.threshold, m)}`,
            ),
    );
    expect(failures).toEqual([]);
    expect(report.status).toBe("passed");
    const ran = report.suites.filter((s) => s.status !== "skipped").map((s) => s.id);
    expect(ran).toEqual(expect.arrayContaining(["routing", "engagement"]));
    if (missing.length === 0) expect(ran).toEqual(["triage", "routing", "optimization", "engagement"]);

    outDir = await mkdtemp(join(tmpdir(), "eval-gate-"));
    const written = await writeReport(outDir, report, charts);
    const markdown = await readFile(written.markdown, "utf8");
    for (const chart of charts) expect(markdown).toContain(`](${chart.file})`);
  }, 300_000);
});
