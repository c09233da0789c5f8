import { metric, type Report, type SuiteReport } from "./report.js";

/** A small, complete report for the rendering and comparison tests. */
export function sampleReport(overrides: { auc?: number; brier?: number; count?: number } = {}): Report {
  const triage: SuiteReport = {
    id: "triage",
    title: "Triage",
    status: "passed",
    summary: "AUC fine",
    durationMs: 1234,
    metrics: [
      metric({
        id: "auc.pre-contact",
        label: "AUC, pre-contact",
        value: overrides.auc ?? 0.9,
        better: "higher",
        threshold: { op: ">=", value: 0.88 },
      }),
      metric({
        id: "brier.pre-contact",
        label: "Brier, pre-contact",
        value: overrides.brier ?? 0.12,
        digits: 4,
        better: "lower",
      }),
      metric({
        id: "leads",
        label: "leads",
        value: overrides.count ?? 100,
        format: "integer",
        better: "none",
      }),
    ],
    sections: [
      {
        kind: "table",
        title: "Settings",
        columns: ["Setting", "AUC"],
        numeric: [1],
        rows: [["pre|contact", "0.900"]],
      },
      { kind: "chart", title: "ROC", file: "triage-roc.svg", alt: "ROC curves", caption: "Dashed: chance." },
    ],
  };
  const memory: SuiteReport = {
    id: "memory",
    title: "Memory",
    status: "skipped",
    summary: "skipped: memory layer not available",
    durationMs: 0,
    metrics: [],
    sections: [],
  };
  return {
    schemaVersion: 1,
    createdAt: "2026-01-02T03:04:05.000Z",
    command: "marketing-agents eval",
    profile: "full",
    status: "passed",
    durationMs: 5000,
    git: { commit: "0123456789abcdef", dirty: false },
    environment: { node: "v20.0.0", platform: "linux-x64", cpus: 2 },
    dataDir: "/data",
    judge: null,
    suites: [triage, memory],
  };
}
