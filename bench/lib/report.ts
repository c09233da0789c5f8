import { execFileSync } from "node:child_process";
import os from "node:os";
import { type BenchSettings, isDisturbed, type SuiteReport } from "./suite.js";
import { formatMs, formatRate, formatRatio, renderTable } from "./table.js";

export interface Environment {
  node: string;
  platform: string;
  cpu: string;
  cpus: number;
  startedAt: string;
  /** The commit measured, and whether the working tree differed from it (figures move with the code). */
  source: { commit: string; uncommittedChanges: boolean } | null;
}

export function environment(): Environment {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cpus: cpus.length,
    startedAt: new Date().toISOString(),
    source: gitSource(),
  };
}

function gitSource(): Environment["source"] {
  try {
    const git = (...args: string[]) =>
      execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return {
      commit: git("rev-parse", "--short", "HEAD").trim(),
      uncommittedChanges: git("status", "--porcelain", "src").trim() !== "",
    };
  } catch {
    // Not a git checkout (an installed package): the figures just carry no commit.
    return null;
  }
}

/** The human-readable results: one table for every suite, then the notes and skipped suites. */
export function renderReports(
  reports: readonly SuiteReport[],
  settings: BenchSettings,
  env: Environment,
): string {
  const rows: string[][] = [];
  for (const report of reports) {
    if (report.skipped !== undefined) {
      rows.push([report.suite, "skipped (see below)"]);
      continue;
    }
    for (const m of report.measurements) {
      const comparison = report.comparisons.find((c) => c.ours === m.target);
      rows.push([
        report.suite,
        m.target,
        m.transport,
        formatRate(m.result.reqPerSec),
        formatMs(m.result.latency.p50),
        formatMs(m.result.latency.p99),
        formatRate(m.serverCpuUsPerCall),
        String(m.result.errors),
        comparison ? formatRatio(comparison.ratio) : "",
        comparison ? formatRatio(comparison.cpuRatio) : "",
        comparison
          ? `≥ ${comparison.goal.toFixed(2)}× ${comparison.verdict}${comparison.disturbed ? " (disturbed)" : ""}`
          : "",
      ]);
    }
  }
  const table = renderTable(
    [
      { header: "suite" },
      { header: "target" },
      { header: "via" },
      { header: "req/s", align: "right" },
      { header: "p50 ms", align: "right" },
      { header: "p99 ms", align: "right" },
      { header: "srv µs/call", align: "right" },
      { header: "errors", align: "right" },
      { header: "ratio", align: "right" },
      { header: "cpu ratio", align: "right" },
      { header: "goal" },
    ],
    rows,
  );
  const lines = [
    `marketing-agents bench · node ${env.node} · ${env.cpus}× ${env.cpu} · ${env.platform}`,
    ...(env.source
      ? [
          `source: ${env.source.commit}${env.source.uncommittedChanges ? " with uncommitted changes in src/" : ""}`,
        ]
      : []),
    `${settings.durationS} s measured after ${settings.warmupS} s warm-up per target; load generator and server share this machine.`,
    "",
    table,
  ];
  const notes = reports.flatMap((r) => [
    ...r.measurements.flatMap((m) => [
      ...(m.generatorCpuPercent >= 90
        ? [
            `${m.target}: the load generator used ${m.generatorCpuPercent.toFixed(0)}% of a core; this req/s may be its limit, not the server's.`,
          ]
        : []),
      ...(isDisturbed(m)
        ? [`${m.target}: other processes used ${m.otherCpuPercent.toFixed(0)}% of a core during the window.`]
        : []),
    ]),
    ...r.notes.map((n) => `${r.suite}: ${n}`),
    ...(r.skipped === undefined ? [] : [`${r.suite}: skipped: ${r.skipped}`]),
  ]);
  if (notes.length > 0) lines.push("", ...notes);
  const compared = reports.filter((r) => r.comparisons.length > 0);
  if (compared.length > 0) {
    lines.push(
      "",
      "ratio = ours req/s ÷ baseline req/s (same transport, request and load); the goal applies to it.",
      "cpu ratio = baseline server CPU per call ÷ ours: the same comparison, less sensitive to other load.",
    );
    if (compared.some((r) => r.measurements.some((m) => isDisturbed(m)))) {
      lines.push(
        "warning: other processes competed for the CPUs during some windows; those req/s ratios are unreliable, prefer the cpu ratio or rerun.",
      );
    }
  }
  return lines.join("\n");
}

/** The machine-readable results written by `--json`. */
export function jsonReport(reports: readonly SuiteReport[], settings: BenchSettings, env: Environment) {
  return { environment: env, settings, suites: reports };
}
