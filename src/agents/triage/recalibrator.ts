/**
 * Keeps each tenant's outcome recalibration current without anyone running a command: every recorded
 * outcome schedules a refit of its tenant, debounced (a burst of outcomes is one refit) and in the
 * background (the outcome's caller never waits for it). The fit is stored, so every replica reads it;
 * the replica that recorded the outcomes is the one that refits.
 */
import type { Db } from "../../db/client.js";
import type { TriageModel } from "./model.js";
import type { Recalibration } from "./recalibration.js";
import {
  type RefitOptions,
  type RefitReport,
  readRecalibration,
  refitRecalibration,
  scoringModelRef,
} from "./recalibration-store.js";

export interface RecalibratorOptions extends Omit<RefitOptions, "now" | "force"> {
  db: Db;
  model: TriageModel;
  /** Wait this long after an outcome for others before refitting (default 2 s). */
  debounceMs?: number;
  clock?: () => Date;
  log?: {
    info(object: object, message: string): void;
    error(object: object, message: string): void;
  };
}

export interface TriageRecalibrator {
  /** The tenant's recalibration of the current scoring model, or null while there is none. */
  current(tenantId: string): Promise<Recalibration | null>;
  /** An outcome of the tenant was recorded: schedules a refit. Never throws, never waits. */
  noteOutcome(tenantId: string): void;
  /** Refits now (after any refit of the tenant in progress). */
  refit(tenantId: string, options?: { force?: boolean }): Promise<RefitReport>;
  /** Runs the scheduled refits now and resolves when none is scheduled or running. */
  flush(): Promise<void>;
  /** Cancels scheduled refits and waits for running ones. */
  close(): Promise<void>;
}

export function createRecalibrator(options: RecalibratorOptions): TriageRecalibrator {
  // The rest (minLabelled, windowDays, bandwidth, priorWeight) goes to every refit as it is.
  const { db, model, log, debounceMs = 2_000, clock = () => new Date(), ...refitOptions } = options;
  const scoringModel = scoringModelRef(model);
  const timers = new Map<string, NodeJS.Timeout>();
  /** Per tenant, the tail of its refits: refits of one tenant never overlap. */
  const chains = new Map<string, Promise<unknown>>();
  let closed = false;

  function refit(tenantId: string, { force }: { force?: boolean } = {}): Promise<RefitReport> {
    const previous = chains.get(tenantId) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() =>
        refitRecalibration(db, tenantId, model, {
          ...refitOptions,
          now: clock(),
          ...(force ? { force: true } : {}),
        }),
      );
    const tail = next.catch(() => undefined);
    chains.set(tenantId, tail);
    void tail.then(() => {
      if (chains.get(tenantId) === tail) chains.delete(tenantId);
    });
    return next;
  }

  function scheduled(tenantId: string): void {
    timers.delete(tenantId);
    refit(tenantId)
      .then((report) => {
        if (report.status === "fitted") {
          const { labelled, converted } = report.recalibration;
          log?.info({ tenantId, scoringModel, labelled, converted }, "triage recalibrated from outcomes");
        }
      })
      .catch((error: unknown) => {
        log?.error({ err: error, tenantId }, "triage recalibration failed; the previous one stays in use");
      });
  }

  return {
    current: (tenantId) => readRecalibration(db, tenantId, scoringModel),
    noteOutcome(tenantId) {
      if (closed) return;
      const pending = timers.get(tenantId);
      if (pending) clearTimeout(pending);
      const timer = setTimeout(() => scheduled(tenantId), debounceMs);
      // A pending refit never keeps the process alive: the next outcome schedules another.
      timer.unref();
      timers.set(tenantId, timer);
    },
    refit,
    async flush() {
      while (timers.size > 0 || chains.size > 0) {
        for (const [tenantId, timer] of [...timers]) {
          clearTimeout(timer);
          scheduled(tenantId);
        }
        await Promise.all([...chains.values()]);
      }
    },
    async close() {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.all([...chains.values()]);
    },
  };
}
