import { sql } from "drizzle-orm";
import { type Database, queryRows } from "../db/client.js";
import { type PruneOptions, type PruneResult, pruneCheckpoints } from "./checkpointer/retention.js";
import { sweepExpiredItems } from "./store/sweep.js";

/**
 * Scheduled maintenance of the memory tables: checkpoint retention (`pruneCheckpoints`) and the sweep of
 * expired store items. Every replica schedules it; each run holds a cluster-wide advisory lock, and a
 * replica that finds the lock held by another skips its turn rather than queue behind it. Errors are
 * logged, never thrown out of the timer; the timer never keeps the process alive.
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
  /** False when another process held the maintenance lock: it was doing the same work, so this run did nothing. */
  ran: boolean;
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
   * Runs the jobs now, under the lock. Resolves with what was deleted (a job's failure is in `failed`);
   * rejects only when the lock cannot be taken (database unreachable). A call while a run of this process
   * is in progress gets that run's report.
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

  async function run(): Promise<MaintenanceReport> {
    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    // Held elsewhere: another replica is doing this very work now; queueing behind it would repeat it.
    // (Two replicas checking at the same instant may both pass; the lock then runs them one after the
    // other, and the second finds next to nothing to delete.)
    if (await lockHeldElsewhere(database)) {
      return {
        ran: false,
        startedAt,
        durationMs: Date.now() - started,
        checkpoints: null,
        memoryItems: null,
        failed: {},
      };
    }
    const done = await database.withAdvisoryLock(MAINTENANCE_LOCK_KEY, jobs);
    return { ran: true, startedAt, durationMs: Date.now() - started, ...done };
  }

  function runOnce(): Promise<MaintenanceReport> {
    inFlight ??= run()
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
      runOnce()
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
    runOnce,
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
