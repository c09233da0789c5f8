import cliProgress from "cli-progress";

/**
 * Progress on stderr (stdout carries only the results): one bar per timed phase with the seconds left, and
 * plain lines for untimed steps. On a non-TTY (CI logs) the bar prints a line every second instead.
 */
export class Progress {
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  note(text: string): void {
    this.stream.write(`${text}\n`);
  }

  async timed<T>(label: string, seconds: number, work: () => Promise<T>): Promise<T> {
    const steps = Math.max(1, Math.round(seconds * 10));
    const bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format: "{label} [{bar}] {left}s left",
        barsize: 20,
        hideCursor: true,
        noTTYOutput: true,
        notTTYSchedule: 1_000,
      },
      cliProgress.Presets.legacy,
    );
    bar.start(steps, 0, { label, left: Math.ceil(seconds) });
    const started = Date.now();
    const timer = setInterval(() => {
      const elapsed = (Date.now() - started) / 1_000;
      bar.update(Math.min(steps, Math.round(elapsed * 10)), {
        left: Math.max(0, Math.ceil(seconds - elapsed)),
      });
    }, 250);
    try {
      return await work();
    } finally {
      clearInterval(timer);
      bar.update(steps, { left: 0 });
      bar.stop();
    }
  }
}
