/**
 * The child side of bench/lib/child.ts: one JSON line on stdout says "listening at url", the IPC channel
 * answers CPU-usage questions, and SIGTERM closes the server before exiting.
 */
export function announce(url: string, details: Record<string, unknown>, close: () => Promise<void>): void {
  process.stdout.write(`${JSON.stringify({ ready: true, url, ...details })}\n`);
  process.on("message", (message) => {
    if (message === "cpu-usage") process.send?.({ cpuUsage: process.cpuUsage() });
  });
  // The benchmark died without stopping us: do not stay behind holding a port.
  process.once("disconnect", () => process.exit(0));
  process.once("SIGTERM", () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
