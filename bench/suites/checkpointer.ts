/**
 * Checkpointer latency on the PostgreSQL server (TEST_DATABASE_URL): our PostgresCheckpointSaver (drizzle on
 * postgres.js, `src/memory/checkpointer`) against the official PostgresSaver (pg), each in a fresh database
 * of its own on the same server. Four operations, each timed one at a time (latency, not throughput):
 * `put` of a checkpoint whose state changes 3 of 5 channels, `putWrites` of a task's two writes, `getTuple`
 * of a thread's head (with its pending writes), and a full invoke of a three-node graph with checkpointing
 * on a thread that already has history. Targets alternate per operation and round, so both see the same
 * machine. Goal (issue 3): ours no slower, p50 ours ÷ official ≤ 1.0.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import os from "node:os";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { sql } from "drizzle-orm";
import pg from "pg";
import { type Database, openDatabase, queryRows, redactUrl } from "../../src/db/client.js";
import { migrate } from "../../src/db/migrate.js";
import { PostgresCheckpointSaver } from "../../src/memory/checkpointer/saver.js";
import type { Progress } from "../lib/progress.js";
import { LatencyRecorder, type LatencySummary, median } from "../lib/stats.js";
import type { BenchSettings, Suite, SuiteReport } from "../lib/suite.js";
import { formatMs, formatRate, formatRatio, renderTable } from "../lib/table.js";
import {
  checkpointOperations,
  invokeOperation,
  OPERATIONS,
  type Operation,
  type TimedOperation,
} from "./checkpointer-workloads.js";

type TargetName = "ours" | "official";

/** What the suite measured, also in the `--json` output. */
export interface CheckpointerFigures {
  operation: Operation;
  ours: LatencySummary;
  official: LatencySummary;
  /** Median over rounds of ours p50 ÷ official p50: the goal is ≤ 1. */
  ratio: number;
  roundRatios: number[];
  /** CPU per call, µs, this process plus the server backends of the saver's database (median over rounds). */
  oursCpuUs: number;
  officialCpuUs: number;
  /** Median over rounds of ours CPU ÷ official CPU: the same question, steadier on a busy machine. */
  cpuRatio: number;
}

export interface CheckpointerSuiteReport extends SuiteReport {
  checkpointer?: CheckpointerFigures[];
}

interface Target {
  name: TargetName;
  saver: BaseCheckpointSaver;
  operations: Record<Operation, TimedOperation>;
  close(): Promise<void>;
}

async function openTarget(name: TargetName, url: string): Promise<Target> {
  if (name === "official") {
    // What PostgresSaver.fromConnString builds, plus an error listener: dropping the database at the end
    // terminates idle clients, and an unlistened pool error would crash the bench.
    const pool = new pg.Pool({ connectionString: url });
    pool.on("error", () => {});
    const saver = new PostgresSaver(pool);
    await saver.setup();
    return {
      name,
      saver,
      operations: { ...(await checkpointOperations(saver)), invoke: invokeOperation(saver) },
      close: () => saver.end(),
    };
  }
  const database: Database = await openDatabase(url);
  await migrate(database);
  const saver = new PostgresCheckpointSaver(database.db);
  return {
    name,
    saver,
    operations: { ...(await checkpointOperations(saver)), invoke: invokeOperation(saver) },
    close: () => database.close(),
  };
}

/** Sequential calls until `seconds` of timed work; the recorder gets each call's latency. */
async function timeCalls(
  operation: TimedOperation,
  seconds: number,
  recorder?: LatencyRecorder,
): Promise<void> {
  let timed = 0;
  do {
    await operation.before?.();
    const started = performance.now();
    await operation.call();
    const ms = performance.now() - started;
    recorder?.record(ms);
    timed += ms;
  } while (timed < seconds * 1_000);
}

/** CPU time in µs of this process and of the server processes connected to `database`. */
interface CpuSnapshot {
  client: number;
  /** Per server backend pid; empty when the server's /proc is not ours to read (a remote server). */
  server: Map<number, number>;
}

// Linux reports process times in clock ticks of 1/100 s (USER_HZ) in /proc/<pid>/stat.
const TICK_US = 10_000;

async function cpuSnapshot(admin: Database, database: string): Promise<CpuSnapshot> {
  const usage = process.cpuUsage();
  const pids = await queryRows<{ pid: number }>(
    admin.db,
    sql`select pid from pg_stat_activity where datname = ${database}`,
  );
  const server = new Map<number, number>();
  for (const { pid } of pids) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // Fields 14 and 15 of the line (utime, stime); the slice starts at field 3.
      server.set(pid, (Number(fields[11]) + Number(fields[12])) * TICK_US);
    } catch {
      // Not on this machine, or gone meanwhile: counted as nothing.
    }
  }
  return { client: usage.user + usage.system, server };
}

/** µs of CPU per call between two snapshots; NaN when no server process could be read. */
function cpuPerCall(before: CpuSnapshot, after: CpuSnapshot, calls: number): number {
  if (after.server.size === 0 || calls === 0) return Number.NaN;
  let server = 0;
  for (const [pid, us] of after.server) server += us - (before.server.get(pid) ?? 0);
  return (after.client - before.client + server) / calls;
}

async function freshDatabase(admin: Database, baseUrl: string): Promise<{ url: string; name: string }> {
  const name = `bench_ckpt_${randomBytes(5).toString("hex")}`;
  await admin.db.execute(sql`create database ${sql.identifier(name)}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

async function run(settings: BenchSettings, progress: Progress): Promise<CheckpointerSuiteReport> {
  const report = (fields: Partial<CheckpointerSuiteReport>): CheckpointerSuiteReport => ({
    suite: "checkpointer",
    measurements: [],
    comparisons: [],
    notes: [],
    ...fields,
  });
  const baseUrl = process.env["TEST_DATABASE_URL"];
  if (baseUrl === undefined || baseUrl === "") {
    return report({
      skipped: "TEST_DATABASE_URL not set (a PostgreSQL server; scripts/ci-postgres.sh prints one)",
    });
  }
  const admin = await openDatabase(baseUrl, { max: 2 });
  const databases: string[] = [];
  const targets: Target[] = [];
  const databaseOf = new Map<Target, string>();
  const loadBefore = os.loadavg()[0] ?? Number.NaN;
  try {
    for (const name of ["ours", "official"] as const) {
      const created = await freshDatabase(admin, baseUrl);
      databases.push(created.name);
      progress.note(`checkpointer: ${name} saver on ${redactUrl(created.url)}`);
      const target = await openTarget(name, created.url);
      targets.push(target);
      databaseOf.set(target, created.name);
    }
    const samples = new Map<string, LatencyRecorder[]>();
    const cpu = new Map<string, number[]>();
    for (let round = 0; round < settings.rounds; round++) {
      // Alternate who goes first, so neither always meets a warmer server cache or a quieter machine.
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const operation of OPERATIONS) {
        for (const target of order) {
          const op = target.operations[operation];
          const recorder = new LatencyRecorder();
          const label = `checkpointer ${operation} ${target.name} (round ${round + 1}/${settings.rounds})`;
          const database = databaseOf.get(target) ?? "";
          let cpuUs = Number.NaN;
          await progress.timed(label, settings.warmupS + settings.durationS, async () => {
            await timeCalls(op, settings.warmupS);
            const before = await cpuSnapshot(admin, database);
            await timeCalls(op, settings.durationS, recorder);
            cpuUs = cpuPerCall(before, await cpuSnapshot(admin, database), recorder.count);
          });
          const key = `${operation}/${target.name}`;
          samples.set(key, [...(samples.get(key) ?? []), recorder]);
          cpu.set(key, [...(cpu.get(key) ?? []), cpuUs]);
        }
      }
    }
    const figures = OPERATIONS.map((operation): CheckpointerFigures => {
      const ours = samples.get(`${operation}/ours`) ?? [];
      const official = samples.get(`${operation}/official`) ?? [];
      const roundRatios = ours.map((o, i) => o.summary().p50 / (official[i]?.summary().p50 ?? Number.NaN));
      const oursCpu = cpu.get(`${operation}/ours`) ?? [];
      const officialCpu = cpu.get(`${operation}/official`) ?? [];
      return {
        operation,
        ours: medianSummary(ours.map((r) => r.summary())),
        official: medianSummary(official.map((r) => r.summary())),
        ratio: median(roundRatios),
        roundRatios,
        oursCpuUs: median(oursCpu),
        officialCpuUs: median(officialCpu),
        cpuRatio: median(oursCpu.map((o, i) => o / (officialCpu[i] ?? Number.NaN))),
      };
    });
    const loadAfter = os.loadavg()[0] ?? Number.NaN;
    const table = renderTable(
      [
        { header: "operation" },
        { header: "ours p50 ms", align: "right" },
        { header: "official p50 ms", align: "right" },
        { header: "ours p99 ms", align: "right" },
        { header: "official p99 ms", align: "right" },
        { header: "calls ours/official", align: "right" },
        { header: "ours÷official p50", align: "right" },
        { header: "goal" },
        { header: "cpu µs/call ours", align: "right" },
        { header: "official", align: "right" },
        { header: "cpu ours÷official", align: "right" },
      ],
      figures.map((f) => [
        f.operation,
        formatMs(f.ours.p50),
        formatMs(f.official.p50),
        formatMs(f.ours.p99),
        formatMs(f.official.p99),
        `${f.ours.count}/${f.official.count}`,
        formatRatio(f.ratio),
        `≤ 1.00× ${f.ratio <= 1 ? "PASS" : "ABOVE"}`,
        formatRate(f.oursCpuUs),
        formatRate(f.officialCpuUs),
        formatRatio(f.cpuRatio),
      ]),
    );
    return report({
      checkpointer: figures,
      notes: [
        `ours = PostgresCheckpointSaver (drizzle + postgres.js), official = @langchain/langgraph-checkpoint-postgres PostgresSaver (pg); a fresh database each on ${redactUrl(baseUrl).replace(/\/[^/]*$/, "")}`,
        "latency of one call at a time (medians over rounds); ratio = ours p50 ÷ official p50, lower is better",
        "cpu = this process + the server backends of the saver's database, per call (putWrites includes an untimed put every third call); steadier than latency on a busy machine",
        ...table.split("\n"),
        `load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, on ${os.cpus().length} CPUs`,
      ],
    });
  } finally {
    await Promise.allSettled(targets.map((t) => t.close()));
    for (const name of databases) {
      await admin.db.execute(sql`drop database if exists ${sql.identifier(name)} with (force)`);
    }
    await admin.close();
  }
}

/** Per-field median of the rounds' summaries (counts add up). */
function medianSummary(rounds: readonly LatencySummary[]): LatencySummary {
  const pick = (field: keyof LatencySummary) => median(rounds.map((r) => r[field]));
  return {
    count: rounds.reduce((n, r) => n + r.count, 0),
    mean: pick("mean"),
    p50: pick("p50"),
    p90: pick("p90"),
    p99: pick("p99"),
    max: pick("max"),
  };
}

export const checkpointerSuite: Suite = {
  name: "checkpointer",
  summary: "checkpoint put/putWrites/getTuple and a 3-node graph invoke: ours vs the official PostgresSaver",
  run,
};
