/**
 * Probe: what an embedded PGlite with pgvector does to the rest of the process.
 *
 * `npx tsx bench/probes/pglite-next-tick.ts` runs three fresh processes per round, two rounds, and prints
 * the best of four timings of `process.nextTick` in each:
 * - `none`: nothing else loaded.
 * - `in-process`: `PGlite.create("memory://", { extensions: { vector } })` in the main thread, then one query.
 * - `worker`: the same database in a worker thread; the main thread only waits for it.
 *
 * Measured on this machine (2026-12-07), ns per nextTick: none 41/43, in-process 250/257, worker 45/50
 * (PGlite without the extension, in scratch runs: 49–73).
 * Loading the vector extension in the main isolate makes every later nextTick ~5x dearer. A CPU profile
 * puts the time in `Runtime_DefineKeyedOwnPropertyInLiteral` and map transition lookups, the slow path
 * for the `{ [async_id_symbol]: … }` literal nextTick builds. HTTP requests build many such objects,
 * which is the embedded-database cost in bench/README ("Where the transport stands").
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const modes = ["none", "in-process", "worker"] as const;
type Mode = (typeof modes)[number];

async function openVectorDatabase(): Promise<{ close(): Promise<void> }> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { vector } = await import("@electric-sql/pglite-pgvector");
  const db = await PGlite.create("memory://", { extensions: { vector } });
  await db.query("select 1");
  return db;
}

/** The worker's side: open the database, say so, and stay alive until the process exits. */
const workerSource = `
  const { parentPort } = require("node:worker_threads");
  (async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const { vector } = await import("@electric-sql/pglite-pgvector");
    const db = await PGlite.create("memory://", { extensions: { vector } });
    await db.query("select 1");
    parentPort.postMessage("ready");
  })();
`;

async function nextTickNs(): Promise<number> {
  const noop = () => {};
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 4; round++) {
    const started = performance.now();
    for (let batch = 0; batch < 1000; batch++) {
      for (let i = 0; i < 1000; i++) process.nextTick(noop);
      await new Promise((resolve) => setImmediate(resolve));
    }
    best = Math.min(best, performance.now() - started);
  }
  return best; // ms per million = ns per call
}

async function child(mode: Mode): Promise<void> {
  const keep: unknown[] = [];
  if (mode === "in-process") keep.push(await openVectorDatabase());
  if (mode === "worker") {
    const worker = new Worker(workerSource, { eval: true });
    await new Promise((resolve) => worker.once("message", resolve));
    worker.unref();
    keep.push(worker);
  }
  process.stdout.write(`${(await nextTickNs()).toFixed(0)}\n`);
  process.exit(0);
}

const requested = process.argv[2] as Mode | undefined;
if (requested && modes.includes(requested)) {
  await child(requested);
} else {
  const self = fileURLToPath(import.meta.url);
  const results: Record<Mode, number[]> = { none: [], "in-process": [], worker: [] };
  for (let round = 1; round <= 2; round++) {
    for (const mode of modes) {
      process.stderr.write(`round ${round}/2: ${mode}…\n`);
      const run = spawnSync(process.execPath, ["--import", "tsx", self, mode], { encoding: "utf8" });
      if (run.status !== 0) throw new Error(`${mode} failed: ${run.stderr}`);
      results[mode].push(Number(run.stdout.trim()));
    }
  }
  console.log("ns per process.nextTick (best of 4 × 1e6 calls), two rounds:");
  for (const mode of modes) console.log(`  ${mode.padEnd(10)} ${results[mode].join("  ")}`);
}
