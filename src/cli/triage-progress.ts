import { Presets, SingleBar } from "cli-progress";
import type { TriageTrainProgress } from "../agents/triage/model.js";
import type { TriageCliIo } from "./triage-io.js";

/**
 * Training progress on stderr, so stdout stays the result. A terminal gets a live bar (cli-progress
 * redraws from inside `update`, which matters: training is synchronous and no timer fires meanwhile);
 * anything else (CI logs, a pipe) gets one line per stage instead of a stream of carriage returns.
 */
export interface TrainingProgress {
  /** The listener for one training run; `label` names it ("held-out fit", "refit on all rows"). */
  track(label: string): (progress: TriageTrainProgress) => void;
  stop(): void;
}

export function trainingProgress(stderr: TriageCliIo["stderr"]): TrainingProgress {
  if (stderr.isTTY) {
    let bar: SingleBar | undefined;
    return {
      track(label) {
        bar?.stop();
        const current = new SingleBar(
          {
            stream: stderr as NodeJS.WritableStream,
            format: `${label} [{bar}] {percentage}% | {stage} | ETA {eta_formatted}`,
            hideCursor: true,
          },
          Presets.shades_classic,
        );
        bar = current;
        let started = false;
        return ({ done, total, stage }) => {
          if (!started) {
            current.start(total, 0, { stage });
            started = true;
          }
          current.update(done, { stage });
        };
      },
      stop: () => bar?.stop(),
    };
  }
  return {
    track(label) {
      let last = "";
      return ({ done, total, stage }) => {
        if (stage === last) return;
        last = stage;
        stderr.write(`${label}: ${stage} (${Math.floor((100 * done) / total)}%)\n`);
      };
    },
    stop() {},
  };
}
