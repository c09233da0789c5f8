/**
 * Checkpointer latency on the PostgreSQL server (TEST_DATABASE_URL): our PostgresCheckpointSaver (drizzle on
 * postgres.js, `src/memory/checkpointer`) against the official PostgresSaver (pg), each in a fresh database
 * of its own on the same server. Four operations, each timed one at a time (latency, not throughput):
 * `put` of a checkpoint whose state changes 3 of 5 channels, `putWrites` of a task's two writes, `getTuple`
 * of a thread's head (with its pending writes), and a full invoke of a three-node graph with checkpointing
 * on a thread that already has history. Targets alternate per operation and round, so all see the same
 * machine. Goal (issue 3): ours no slower, p50 ours ÷ official ≤ 1.0.
 *
 * A third target, ours with the `EncryptingSerializer` that production uses (AES-256-GCM of blobs and
 * writes), has rows of its own: what encryption costs. The goal stays plain saver against official, like
 * for like (the official saver has no encryption).
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
import { PiiCipher } from "../../src/db/pii/cipher.js";
import { ephemeralKeyring } from "../../src/db/pii/keyring.js";
import { EncryptingSerializer } from "../../src/memory/checkpointer/encrypting-serde.js";
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

const TARGETS = ["ours", "official", "ours+encryption"] as const;
type TargetName = (typeof TARGETS)[number];

/** Figures of one target for one operation, medians over rounds. */
export interface TargetFigures {
  latency: LatencySummary;
  /** CPU per call, µs, this process plus the server backends of the saver's database. */
  cpuUs: number;
}

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
  /** Ours with the EncryptingSerializer, as production runs it: information, not part of the goal. */
  encrypted: TargetFigures & {
    /** Median over rounds of p50 ours+encryption ÷ p50 official. */
    ratio: number;
    /** Median over rounds of p50 ours+encryption ÷ p50 ours: the latency encryption adds. */
    ratioToPlain: number;
    /** Median over rounds of CPU ours+encryption ÷ CPU official. */
    cpuRatio: number;
    /** Median over rounds of CPU ours+encryption ÷ CPU ours. */
    cpuRatioToPlain: number;
  };
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
  // Random keys of this run: the bench measures the sealing, not a key file.
  const saver =
    name === "ours+encryption"
      ? new PostgresCheckpointSaver(database.db, {
          serde: new EncryptingSerializer(new PiiCipher(ephemeralKeyring())),
        })
      : new PostgresCheckpointSaver(database.db);
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
    for (const name of TARGETS) {
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
      // Rotate who goes first, so no target always meets a warmer server cache or a quieter machine.
      const shift = round % targets.length;
      const order = [...targets.slice(shift), ...targets.slice(0, shift)];
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
      const rounds = (target: TargetName) => samples.get(`${operation}/${target}`) ?? [];
      const cpuOf = (target: TargetName) => cpu.get(`${operation}/${target}`) ?? [];
      const figuresOf = (target: TargetName): TargetFigures => ({
        latency: medianSummary(rounds(target).map((r) => r.summary())),
        cpuUs: median(cpuOf(target)),
      });
      /** Median over rounds of a ÷ b, each round's figures against the same round's. */
      const roundRatios = (a: number[], b: number[]) => a.map((x, i) => x / (b[i] ?? Number.NaN));
      const p50s = (target: TargetName) => rounds(target).map((r) => r.summary().p50);
      const ratios = roundRatios(p50s("ours"), p50s("official"));
      const ours = figuresOf("ours");
      const official = figuresOf("official");
      return {
        operation,
        ours: ours.latency,
        official: official.latency,
        ratio: median(ratios),
        roundRatios: ratios,
        oursCpuUs: ours.cpuUs,
        officialCpuUs: official.cpuUs,
        cpuRatio: median(roundRatios(cpuOf("ours"), cpuOf("official"))),
        encrypted: {
          ...figuresOf("ours+encryption"),
          ratio: median(roundRatios(p50s("ours+encryption"), p50s("official"))),
          ratioToPlain: median(roundRatios(p50s("ours+encryption"), p50s("ours"))),
          cpuRatio: median(roundRatios(cpuOf("ours+encryption"), cpuOf("official"))),
          cpuRatioToPlain: median(roundRatios(cpuOf("ours+encryption"), cpuOf("ours"))),
        },
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
      figures.flatMap((f) => [
        [
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
        ],
        [
          `${f.operation} (ours + encryption)`,
          formatMs(f.encrypted.latency.p50),
          formatMs(f.official.p50),
          formatMs(f.encrypted.latency.p99),
          formatMs(f.official.p99),
          `${f.encrypted.latency.count}/${f.official.count}`,
          formatRatio(f.encrypted.ratio),
          `info: ${formatRatio(f.encrypted.ratioToPlain)} plain`,
          formatRate(f.encrypted.cpuUs),
          formatRate(f.officialCpuUs),
          formatRatio(f.encrypted.cpuRatio),
        ],
      ]),
    );
    return report({
      checkpointer: figures,
      notes: [
        `ours = PostgresCheckpointSaver (drizzle + postgres.js), official = @langchain/langgraph-checkpoint-postgres PostgresSaver (pg); a fresh database each on ${redactUrl(baseUrl).replace(/\/[^/]*$/, "")}`,
        "latency of one call at a time (medians over rounds); ratio = ours p50 ÷ official p50, lower is better",
        "(ours + encryption) rows: the same saver with the EncryptingSerializer (AES-256-GCM of blobs and writes) that production uses, in a database of its own; not part of the goal (the official saver does not encrypt); 'info: N× plain' = its p50 ÷ ours plain p50, per round",
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
