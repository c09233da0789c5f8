/**
 * JSON-RPC over HTTP and over WebSocket: our server answering `bench.echo` against plain `node:http` and
 * `ws` echo servers doing the minimum (parse, stringify). Each target runs alone in a fresh process;
 * the load generator (autocannon for HTTP, ./lib/ws-load for WebSocket) runs in this one.
 */
import WebSocket from "ws";
import type { ServerProcess } from "../lib/child.js";
import { httpLoad } from "../lib/http-load.js";
import { measureWithCpu } from "../lib/measure.js";
import type { Progress } from "../lib/progress.js";
import { endpoint, type ServerName, startBenchServer } from "../lib/servers.js";
import type { LoadResult } from "../lib/stats.js";
import {
  type BenchSettings,
  compareRounds,
  type Measurement,
  medianRound,
  type Suite,
  type SuiteReport,
} from "../lib/suite.js";
import { wsLoad } from "../lib/ws-load.js";

/** Goals from the foundation issue: ours/baseline req/s. */
export const transportGoals = { http: 0.8, ws: 0.9 } as const;

/** A realistic small call, about 200 bytes on the wire, identical for every target. */
const params = {
  lead: {
    name: "Ada Lovelace",
    email: "ada@example.com",
    source: "Reference",
    totalVisits: 5,
    timeOnSite: 900,
  },
  tags: ["bench", "echo", "transport"],
};
const paramsJson = JSON.stringify(params);
export const requestFor = (id: number) =>
  `{"jsonrpc":"2.0","method":"bench.echo","params":${paramsJson},"id":${id}}`;
const answerFor = (id: number) => `{"jsonrpc":"2.0","result":${paramsJson},"id":${id}}`;

const perTurnEcho = "node:http echo, per turn";

interface Target {
  target: string;
  transport: "http" | "ws";
  path: string;
}

/**
 * One server process each, started in turn. Ours serves both transports from one process (as in
 * production), measured one after the other, because it takes seconds to start (graph, PGlite,
 * migrations) where the echo servers take milliseconds.
 */
interface Session {
  server: ServerName;
  ours: boolean;
  targets: readonly Target[];
}

const sessions: readonly Session[] = [
  {
    server: "httpEcho",
    ours: false,
    targets: [
      { target: "node:http echo", transport: "http", path: "/" },
      // Answers written per event-loop turn as ours writes them (docs/adr/0004): the like-for-like row.
      { target: perTurnEcho, transport: "http", path: "/per-turn" },
    ],
  },
  { server: "wsEcho", ours: false, targets: [{ target: "ws echo", transport: "ws", path: "/" }] },
  {
    server: "marketing",
    ours: true,
    targets: [
      { target: "ours POST /rpc", transport: "http", path: "/rpc" },
      // The query string keeps it off the node:http fast path (docs/adr/0002): what the Hono route costs.
      { target: "ours POST /rpc via Hono", transport: "http", path: "/rpc?via=hono" },
      { target: "ours GET /ws", transport: "ws", path: "/ws" },
    ],
  },
];

const targetCount = sessions.reduce((n, s) => n + s.targets.length, 0);

function load(
  url: string,
  transport: "http" | "ws",
  settings: BenchSettings,
  durationS: number,
): Promise<LoadResult> {
  return transport === "http"
    ? httpLoad({
        url,
        body: requestFor(1),
        connections: settings.connections,
        durationS,
        accept: (body) => body === answerFor(1),
      })
    : wsLoad({
        url,
        connections: settings.connections,
        inFlight: settings.inFlight,
        durationS,
        message: requestFor,
        accept: (text, id) => text === answerFor(id),
      });
}

/** One call before the load: a wrong answer would otherwise be measured as fast errors. */
async function probe(url: string, transport: "http" | "ws"): Promise<string> {
  if (transport === "http") {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: requestFor(1),
      signal: AbortSignal.timeout(10_000),
    });
    return response.text();
  }
  const socket = new WebSocket(url, { perMessageDeflate: false });
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no answer within 10 s")), 10_000);
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once("open", () => socket.send(requestFor(1)));
      socket.once("message", (data: WebSocket.RawData) => {
        clearTimeout(timer);
        resolve(data.toString());
      });
    });
  } finally {
    socket.terminate();
  }
}

async function measureTarget(
  server: ServerProcess,
  target: Target,
  label: string,
  settings: BenchSettings,
  progress: Progress,
  notes: string[],
): Promise<Measurement> {
  const url = endpoint(server, target.transport, target.path);
  const answer = await probe(url, target.transport);
  if (answer !== answerFor(1)) throw new Error(`${target.target} answered ${answer.slice(0, 300)}`);
  if (settings.warmupS > 0) {
    await progress.timed(`${label} warm-up`, settings.warmupS, () =>
      load(url, target.transport, settings, settings.warmupS),
    );
  }
  const { result, ...cpu } = await progress.timed(`${label} measuring`, settings.durationS, () =>
    measureWithCpu(server, () => load(url, target.transport, settings, settings.durationS)),
  );
  if (result.errors > 0) notes.push(`${target.target}: ${result.errors} errors during the measured window.`);
  return {
    target: target.target,
    transport: target.transport,
    method: "bench.echo",
    result,
    ...cpu,
  };
}

async function runSession(
  session: Session,
  round: string,
  firstPosition: number,
  settings: BenchSettings,
  progress: Progress,
  notes: string[],
): Promise<Measurement[]> {
  const first = session.targets[0]?.target ?? session.server;
  progress.note(`transport ${round}${firstPosition}/${targetCount} ${first}: starting server`);
  const server = await startBenchServer(session.server);
  try {
    if (session.ours) {
      const database = server.ready.database ? ` on ${String(server.ready.database)}` : "";
      notes.push(`ours: server ready in ${(server.startupMs / 1_000).toFixed(1)} s${database}.`);
      if (server.ready.stack !== "full") {
        notes.push(
          `ours *: ${String(server.ready.reason)}; measured the same dispatcher and transports (src/server/) without the library around them.`,
        );
      }
    }
    const measured: Measurement[] = [];
    for (const [i, target] of session.targets.entries()) {
      const label = `transport ${round}${firstPosition + i}/${targetCount} ${target.target}`;
      const m = await measureTarget(server, target, label, settings, progress, notes);
      measured.push(session.ours && server.ready.stack !== "full" ? { ...m, target: `${m.target} *` } : m);
    }
    return measured;
  } finally {
    await server.stop();
  }
}

export const transportSuite: Suite = {
  name: "transport",
  summary: "JSON-RPC bench.echo over HTTP and WebSocket, ours vs plain node:http / ws echo servers",
  async run(settings, progress): Promise<SuiteReport> {
    const notes: string[] = [];
    const byTarget = new Map<string, Measurement[]>();
    for (let round = 1; round <= settings.rounds; round++) {
      const roundLabel = settings.rounds > 1 ? `round ${round}/${settings.rounds} ` : "";
      let position = 1;
      for (const session of sessions) {
        for (const m of await runSession(session, roundLabel, position, settings, progress, notes)) {
          byTarget.set(m.target, [...(byTarget.get(m.target) ?? []), m]);
        }
        position += session.targets.length;
      }
    }
    const rounds = [...byTarget.values()];
    const oursHttp = byTarget.get("ours POST /rpc");
    const perTurn = byTarget.get(perTurnEcho);
    const likeForLike =
      oursHttp && perTurn ? compareRounds("http", oursHttp, perTurn, transportGoals.http) : undefined;
    const ourTargets = ["ours POST /rpc", "ours GET /ws"];
    const find = (transport: "http" | "ws", ours: boolean) =>
      rounds.find(
        (r) =>
          r[0]?.transport === transport &&
          (ours ? ourTargets.includes(r[0].target.replace(/ \*$/, "")) : !r[0].target.startsWith("ours")),
      ) ?? [];
    return {
      suite: "transport",
      measurements: rounds.map(medianRound),
      comparisons: [
        compareRounds("http", find("http", true), find("http", false), transportGoals.http),
        compareRounds("ws", find("ws", true), find("ws", false), transportGoals.ws),
      ],
      notes: [
        ...(likeForLike
          ? [
              `like for like: ours POST /rpc ÷ ${perTurnEcho} = ${likeForLike.ratio.toFixed(2)}× req/s, ${likeForLike.cpuRatio.toFixed(2)}× cpu (both write the answers of a turn together, docs/adr/0004).`,
            ]
          : []),
        `HTTP: autocannon, ${settings.connections} keep-alive connections, pipelining 1. WebSocket: ${settings.connections} connections × ${settings.inFlight} calls in flight.`,
        ...(settings.rounds > 1
          ? [
              `${settings.rounds} rounds: each row is the median round; ratios are the median of per-round ratios.`,
            ]
          : []),
        ...new Set(notes),
      ],
    };
  },
};
