/**
 * The product's cost per run: JSON-RPC `threads.run` over HTTP with a new lead each call, i.e. one full
 * offline pass of the three agents (triage → engagement → optimization) with their handoffs and database
 * writes. No baseline: this is not a transport figure.
 */
import type { ServerProcess } from "../lib/child.js";
import { httpLoad } from "../lib/http-load.js";
import { measureWithCpu } from "../lib/measure.js";
import { endpoint, lastLoggedError, startBenchServer } from "../lib/servers.js";
import type { Suite, SuiteReport } from "../lib/suite.js";

const request = JSON.stringify({
  jsonrpc: "2.0",
  method: "threads.run",
  params: {
    input: {
      lead: { name: "Ada", email: "ada@example.com", source: "Reference", totalVisits: 5, timeOnSite: 900 },
    },
  },
  id: 1,
});

/** The dispatcher writes `jsonrpc` then `result` or `error`: a prefix check tells them apart cheaply. */
const isResult = (body: string) => body.startsWith('{"jsonrpc":"2.0","result":');

interface ProbeOutcome {
  skipped?: string;
  handoffs?: string;
}

async function probe(url: string, server: ServerProcess): Promise<ProbeOutcome> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: request,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  let answer: { result?: { state?: { handoffs?: { from: string; to: string }[] } }; error?: unknown };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    return { skipped: `threads.run answered HTTP ${response.status} with non-JSON: ${text.slice(0, 200)}` };
  }
  if (answer.error !== undefined || !isResult(text)) {
    const logged = lastLoggedError(server);
    return {
      skipped: `threads.run answered ${JSON.stringify(answer.error ?? answer).slice(0, 200)}${logged ? `; server log: ${logged}` : ""}`,
    };
  }
  const handoffs = answer.result?.state?.handoffs ?? [];
  return { handoffs: handoffs.map((h) => `${h.from}→${h.to}`).join(", ") || "none" };
}

export const threadsRunSuite: Suite = {
  name: "threads-run",
  summary: "JSON-RPC threads.run over HTTP: a full offline three-agent run per call (no baseline)",
  async run(settings, progress): Promise<SuiteReport> {
    const report = (fields: Partial<SuiteReport>): SuiteReport => ({
      suite: "threads-run",
      measurements: [],
      comparisons: [],
      notes: [],
      ...fields,
    });
    progress.note("threads-run: starting server");
    let server: ServerProcess | undefined;
    try {
      try {
        server = await startBenchServer("marketing");
      } catch (error) {
        return report({
          skipped: `server did not start: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
      if (server.ready.stack !== "full") return report({ skipped: String(server.ready.reason) });
      const url = endpoint(server, "http", "/rpc");
      const outcome = await probe(url, server);
      if (outcome.skipped) return report({ skipped: outcome.skipped });
      const load = (durationS: number) =>
        httpLoad({ url, body: request, connections: settings.connections, durationS, accept: isResult });
      if (settings.warmupS > 0) {
        await progress.timed("threads-run warm-up", settings.warmupS, () => load(settings.warmupS));
      }
      const running = server;
      const { result, ...cpu } = await progress.timed("threads-run measuring", settings.durationS, () =>
        measureWithCpu(running, () => load(settings.durationS)),
      );
      const notes = [
        `ours: server ready in ${(server.startupMs / 1_000).toFixed(1)} s${server.ready.database ? ` on ${String(server.ready.database)}` : ""}.`,
        `threads.run: ${settings.connections} keep-alive connections, pipelining 1, a new thread per call; handoffs of one run: ${outcome.handoffs}.`,
      ];
      if (result.errors > 0) notes.push(`threads.run: ${result.errors} errors during the measured window.`);
      return report({
        measurements: [
          {
            target: "ours threads.run",
            transport: "http",
            method: "threads.run",
            result,
            ...cpu,
          },
        ],
        notes,
      });
    } finally {
      await server?.stop();
    }
  },
};
