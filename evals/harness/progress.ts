import cliProgress from "cli-progress";

/**
 * Progress on stderr, so stdout carries only the metrics table. A suite announces how many steps it has
 * and names each one; the bar shows the suite, the step and the elapsed time. Off a TTY (CI logs)
 * cli-progress prints a line every few seconds instead of redrawing.
 */
export interface SuiteProgress {
  /** Total steps of the current suite (can grow once the suite knows its work). */
  setTotal(total: number): void;
  /** Completes `count` steps; `label` names what runs next. */
  advance(count?: number, label?: string): void;
  /** Names what runs now without completing a step. */
  label(label: string): void;
}

export interface ProgressReporter {
  startSuite(suite: string, total: number): SuiteProgress;
  endSuite(): void;
}

export const silentProgress: ProgressReporter = {
  startSuite: () => ({ setTotal() {}, advance() {}, label() {} }),
  endSuite() {},
};

export function barProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  let bar: cliProgress.SingleBar | null = null;
  return {
    startSuite(suite, total) {
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${suite.padEnd(12)} [{bar}] {value}/{total} {duration_formatted} {step}`,
          barsize: 24,
          hideCursor: true,
          noTTYOutput: true,
          notTTYSchedule: 5_000,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(1, total), 0, { step: "" });
      const current = bar;
      return {
        setTotal: (n) => current.setTotal(Math.max(1, n)),
        advance: (count = 1, label) => current.increment(count, label === undefined ? {} : { step: label }),
        label: (label) => current.update({ step: label }),
      };
    },
    endSuite() {
      if (!bar) return;
      bar.update(bar.getTotal(), { step: "done" });
      bar.stop();
      bar = null;
    },
  };
}
