import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderSvg } from "../charts/render.js";
import type { ChartOutput } from "../suites/suite.js";
import { renderReportMarkdown } from "./markdown.js";
import type { Report } from "./report.js";

/** Writes report.json, report.md and one SVG per chart into `outDir` (created if needed). */
export async function writeReport(
  outDir: string,
  report: Report,
  charts: readonly ChartOutput[],
): Promise<{ json: string; markdown: string; charts: string[] }> {
  await mkdir(outDir, { recursive: true });
  const chartPaths: string[] = [];
  for (const chart of charts) {
    const path = join(outDir, chart.file);
    await writeFile(path, await renderSvg(chart.spec));
    chartPaths.push(path);
  }
  const json = join(outDir, "report.json");
  const markdown = join(outDir, "report.md");
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(markdown, renderReportMarkdown(report));
  return { json, markdown, charts: chartPaths };
}
