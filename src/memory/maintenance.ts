import { hostname } from "node:os";
import { sql } from "drizzle-orm";
import { type Database, queryRows } from "../db/client.js";
import { type PruneOptions, type PruneResult, pruneCheckpoints } from "./checkpointer/retention.js";
import { maintenanceRuns } from "./maintenance.schema.js";
import { sweepExpiredItems } from "./store/sweep.js";

/**
 * Scheduled maintenance of the memory tables: checkpoint retention (`pruneCheckpoints`) and the sweep of
 * expired store items. Every replica schedules it, and the work is done about once per interval across
 * all of them: each run holds a cluster-wide advisory lock (a replica that finds it held skips its turn
 * rather than queue behind it), and a scheduled run that finds, in `maintenance_runs`, a run by any
 * replica less than an interval ago skips too. Errors are logged, never thrown out of the timer; the
 * timer never keeps the process alive.
 */

/** Advisory lock key of a maintenance run (ASCII "ma:maint"). */
export const MAINTENANCE_LOCK_KEY = 0x6d_61_3a_6d_61_69_6e_74n;

/** The subset of a pino logger maintenance writes to. */
export interface MaintenanceLog {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface MaintenanceOptions {
  database: Database;
  /** Time between scheduled runs, measured from the end of the previous one. 0 (default): none, `runOnce` only. */
  intervalMs?: number;
  /** The first scheduled run comes this long after `start()` (default: the interval, at most one minute). */
  firstRunAfterMs?: number;
  /** Checkpoint retention (see `pruneCheckpoints`; `threadId` and `batchSize` aside); `false` skips the prune. */
  checkpoints?: Pick<PruneOptions, "keepLast" | "keepYoungerThan"> | false;
  /** Delete expired store items (default true). */
  memoryItems?: boolean;
  /** The clock the store computes `expires_at` with. */
  clock?: () => Date;
  log?: MaintenanceLog;
}

export type MaintenanceJob = "checkpoints" | "memoryItems";

export interface MaintenanceReport {
  /** False when this run did nothing because another process was doing, or had just done, the same work. */
  ran: boolean;
  /** Why it did not run: the lock was held, or a run by `ranBy` finished less than an interval ago. */
  skipped?: { reason: "locked" } | { reason: "recent"; lastRunAt: string; ranBy: string };
  startedAt: string;
  durationMs: number;
  /** What the checkpoint prune deleted; null when it is off, did not run or failed. */
  checkpoints: PruneResult | null;
  /** Expired store items deleted; null when the sweep is off, did not run or failed. */
  memoryItems: number | null;
  /** Jobs that failed, with the error message; the others still ran. */
  failed: Partial<Record<MaintenanceJob, string>>;
}

export interface Maintenance {
  /** The schedule: every `intervalMs` (0: never). */
  readonly intervalMs: number;
  /**
   * Runs the jobs now, under the lock, however recently another replica ran them. Resolves with what was
   * deleted (a job's failure is in `failed`); rejects only when the lock cannot be taken (database
   * unreachable). A call while a run of this process is in progress gets that run's report.
   */
  runOnce(): Promise<MaintenanceReport>;
  /** Starts the schedule (no-op when `intervalMs` is 0 or it already runs). */
  start(): void;
  /** Stops the schedule and waits for a run in progress. Idempotent. */
  stop(): Promise<void>;
  /** The last scheduled or requested run's report, if any. */
  readonly lastReport: MaintenanceReport | undefined;
}

export const DEFAULT_FIRST_RUN_MAX_MS = 60_000;
/** The `maintenance_runs` row of this schedule. */
const SCHEDULE = "memory";
/**
 * A scheduled run skips when the last run (by any replica) ended less than this share of an interval ago:
 * timers drift, and a replica's own next turn must not be skipped for coming a few milliseconds early.
 */
const RECENT_SHARE = 0.9;
const RAN_BY = `${hostname()}:${process.pid}`;

export function createMaintenance(options: MaintenanceOptions): Maintenance {
  const { database } = options;
  const intervalMs = options.intervalMs ?? 0;
  if (!Number.isInteger(intervalMs) || intervalMs < 0) {
    throw new RangeError(`maintenance intervalMs must be an integer ≥ 0, got ${intervalMs}`);
  }
  const firstRunAfterMs = options.firstRunAfterMs ?? Math.min(intervalMs, DEFAULT_FIRST_RUN_MAX_MS);
  const checkpoints = options.checkpoints ?? false;
  if (checkpoints) {
    const { keepLast, keepYoungerThan } = checkpoints;
    if (!Number.isInteger(keepLast) || keepLast < 0) {
      throw new RangeError(`maintenance keepLast must be an integer ≥ 0, got ${keepLast}`);
    }
    if (!Number.isFinite(keepYoungerThan) || keepYoungerThan < 0) {
      throw new RangeError(`maintenance keepYoungerThan must be milliseconds ≥ 0, got ${keepYoungerThan}`);
    }
  }
  const sweep = options.memoryItems ?? true;
  const clock = options.clock ?? (() => new Date());
  const log = options.log;

  let inFlight: Promise<MaintenanceReport> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let scheduled = false;
  let lastReport: MaintenanceReport | undefined;

  async function jobs(): Promise<Omit<MaintenanceReport, "ran" | "startedAt" | "durationMs">> {
    const report: Omit<MaintenanceReport, "ran" | "startedAt" | "durationMs"> = {
      checkpoints: null,
      memoryItems: null,
      failed: {},
    };
    if (checkpoints) {
      try {
        report.checkpoints = await pruneCheckpoints(database.db, checkpoints);
      } catch (error) {
        report.failed.checkpoints = messageOf(error);
        log?.error({ err: error, job: "checkpoints" }, "maintenance: checkpoint prune failed");
      }
    }
    if (sweep) {
      try {
        report.memoryItems = await sweepExpiredItems(database.db, { now: clock() });
      } catch (error) {
        report.failed.memoryItems = messageOf(error);
        log?.error({ err: error, job: "memoryItems" }, "maintenance: memory item sweep failed");
      }
    }
    return report;
  }

  async function run(scheduled: boolean): Promise<MaintenanceReport> {
    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    const skip = (skipped: NonNullable<MaintenanceReport["skipped"]>): MaintenanceReport => ({
      ran: false,
      skipped,
      startedAt,
      durationMs: Date.now() - started,
      checkpoints: null,
      memoryItems: null,
      failed: {},
    });
    // Held elsewhere: another replica is doing this very work now; queueing behind it would repeat it.
    if (await lockHeldElsewhere(database)) return skip({ reason: "locked" });
    const done = await database.withAdvisoryLock(MAINTENANCE_LOCK_KEY, async () => {
      // Checked under the lock: two replicas whose timers fire together run one after the other, and the
      // second finds the first's row here.
      // The record is a courtesy between replicas: when it cannot be read or written, the jobs still run.
      if (scheduled) {
        const last = await lastRun(database).catch((error: unknown) => {
          log?.error({ err: error }, "maintenance: could not read when it last ran");
          return null;
        });
        if (last && last.agoMs < intervalMs * RECENT_SHARE) return { recent: last };
      }
      const report = await jobs();
      await markRun(database).catch((error: unknown) => {
        log?.error({ err: error }, "maintenance: could not record this run");
      });
      return { report };
    });
    if (done.recent) {
      const { lastRunAt, ranBy } = done.recent;
      return skip({ reason: "recent", lastRunAt, ranBy });
    }
    return { ran: true, startedAt, durationMs: Date.now() - started, ...done.report! };
  }

  function runOnce(scheduled = false): Promise<MaintenanceReport> {
    inFlight ??= run(scheduled)
      .then((report) => {
        lastReport = report;
        return report;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  function schedule(delayMs: number): void {
    timer = setTimeout(() => {
      timer = undefined;
      runOnce(true)
        .then((report) => {
          if (report.ran && (report.checkpoints?.checkpoints || report.memoryItems)) {
            log?.info(
              {
                checkpoints: report.checkpoints,
                memoryItems: report.memoryItems,
                durationMs: report.durationMs,
              },
              "maintenance: pruned checkpoints and swept expired memory items",
            );
          }
        })
        .catch((error: unknown) => {
          log?.error({ err: error }, "maintenance run failed");
        })
        .finally(() => {
          if (scheduled) schedule(intervalMs);
        });
    }, delayMs);
    // A pending maintenance run must never keep the process alive.
    timer.unref();
  }

  return {
    intervalMs,
    runOnce: () => runOnce(false),
    start() {
      if (intervalMs === 0 || scheduled) return;
      scheduled = true;
      schedule(firstRunAfterMs);
    },
    async stop() {
      scheduled = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight?.catch(() => undefined);
    },
    get lastReport() {
      return lastReport;
    },
  };
}

/** The last run of the schedule by any replica, timed by the database's clock (replicas' clocks differ). */
async function lastRun(
  database: Database,
): Promise<{ agoMs: number; lastRunAt: string; ranBy: string } | null> {
  const [row] = await queryRows<{ ago_ms: number | string; last_run_at: Date | string; ran_by: string }>(
    database.db,
    sql`select extract(epoch from (now() - last_run_at)) * 1000 as ago_ms, last_run_at, ran_by
        from maintenance_runs where schedule = ${SCHEDULE}`,
  );
  if (!row) return null;
  return {
    agoMs: Number(row.ago_ms),
    lastRunAt: new Date(row.last_run_at).toISOString(),
    ranBy: row.ran_by,
  };
}

async function markRun(database: Database): Promise<void> {
  await database.db
    .insert(maintenanceRuns)
    .values({ schedule: SCHEDULE, lastRunAt: sql`now()`, ranBy: RAN_BY })
    .onConflictDoUpdate({ target: maintenanceRuns.schedule, set: { lastRunAt: sql`now()`, ranBy: RAN_BY } });
}

/**
 * Whether some session holds the maintenance lock. pg_locks shows an int64 advisory key as two oids: the
 * high 32 bits in `classid`, the low 32 in `objid`, with `objsubid` 1.
 */
async function lockHeldElsewhere(database: Database): Promise<boolean> {
  const high = (MAINTENANCE_LOCK_KEY >> 32n).toString();
  const low = (MAINTENANCE_LOCK_KEY & 0xff_ff_ff_ffn).toString();
  const [row] = await queryRows<{ held: boolean }>(
    database.db,
    sql`select exists (
          select 1 from pg_locks
          where locktype = 'advisory' and granted and objsubid = 1
            and classid = ${high}::bigint::oid and objid = ${low}::bigint::oid) as held`,
  );
  return row?.held === true;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
