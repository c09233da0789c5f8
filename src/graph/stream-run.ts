import type { RunEvent } from "./run-events.js";
import type { RunResult } from "./runner.js";

export type StreamItem = RunEvent | { type: "result"; result: RunResult };

/**
 * Turns a callback-style run into an async iterable of its events followed by its result. The run goes
 * on if the consumer stops iterating: leaving a stream cancels nothing.
 */
export async function* streamRun(
  start: (onEvent: (event: RunEvent) => void) => Promise<RunResult>,
): AsyncGenerator<StreamItem> {
  const queue: StreamItem[] = [];
  let wake: (() => void) | undefined;
  let failure: { error: unknown } | undefined;
  let finished = false;
  const push = (item: StreamItem) => {
    queue.push(item);
    wake?.();
  };
  start(push).then(
    (result) => {
      finished = true;
      push({ type: "result", result });
    },
    (error: unknown) => {
      finished = true;
      failure = { error };
      wake?.();
    },
  );
  for (;;) {
    const item = queue.shift();
    if (item) {
      yield item;
      if (item.type === "result") return;
      continue;
    }
    if (failure) throw failure.error;
    if (finished && queue.length === 0 && !failure) continue;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = undefined;
  }
}
