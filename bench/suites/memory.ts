/**
 * Long-term memory at scale: N items with 512-dimension vectors in the LangGraph store (`PgStore`, the path
 * the agents and `memory.put`/`memory.search` use), on in-process PGlite and on the PostgreSQL server
 * (TEST_DATABASE_URL). Per backend, in a fresh database:
 *
 * 1. insert: N items through `store.batch` (1,000 puts a batch: one embedding call and one transaction each)
 *    into the vector table without its HNSW index → items/s;
 * 2. index: build the HNSW index (cosine, pgvector defaults m 16, ef_construction 64) after the bulk insert,
 *    with `maintenance_work_mem` large enough for the graph → seconds;
 * 3. search: Q top-10 `store.search(…, { query })` one at a time (query embedding, embedder check, iterative
 *    HNSW scan, item fetch) → p50/p99 ms; also the bare top-10 SQL for comparison;
 * 4. recall@10 of those searches against the exact top-10 by cosine, computed here over all N vectors.
 *
 * Vectors are synthetic and clustered (64 Gaussian clusters on the unit sphere, each item ~0.7 cosine to its
 * centre; queries drawn the same way), from a seeded generator, served by a lookup "embedder" so that the
 * store's real code path runs without a model. Goals (issue 4): recall@10 ≥ 0.95 and median search
 * < 10 ms on the server.
 *
 * Size and targets from the environment, so a quick run is possible:
 *   MEMORY_BENCH_SIZE (default 100000), MEMORY_BENCH_QUERIES (default 200),
 *   MEMORY_BENCH_TARGETS (default "pglite,server"; the server needs TEST_DATABASE_URL).
 * e.g. `MEMORY_BENCH_SIZE=5000 MEMORY_BENCH_QUERIES=50 npm run bench -- --suite memory`
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { sql } from "drizzle-orm";
import { mulberry32, normal } from "../../src/agents/optimization/random.js";
import { type Database, openDatabase, queryRows, redactUrl } from "../../src/db/client.js";
import { migrate } from "../../src/db/migrate.js";
import { type Embedder, VECTOR_DIMENSIONS, vectorLiteral } from "../../src/memory/embeddings.js";
import { PgStore } from "../../src/memory/store/pg-store.js";
import type { Progress } from "../lib/progress.js";
import { LatencyRecorder, type LatencySummary } from "../lib/stats.js";
import type { Suite, SuiteReport } from "../lib/suite.js";
import { formatMs, formatRate, renderTable } from "../lib/table.js";

const CLUSTERS = 64;
const BATCH = 1_000;
const K = 10;

export interface MemoryFigures {
  target: string;
  items: number;
  insertItemsPerSec: number;
  indexBuildS: number;
  search: LatencySummary;
  /** The top-10 SQL alone (iterative HNSW scan), for what the store adds around it. */
  bareQuery: LatencySummary;
  recallAt10: number;
}

export interface MemorySuiteReport extends SuiteReport {
  memory?: MemoryFigures[];
}

interface Settings {
  size: number;
  queries: number;
  targets: string[];
}

function settingsFromEnv(): Settings {
  const int = (name: string, fallback: number) => {
    const raw = process.env[name];
    const n = raw === undefined || raw === "" ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
    return n;
  };
  const targets = (process.env["MEMORY_BENCH_TARGETS"] ?? "pglite,server").split(",").map((t) => t.trim());
  return { size: int("MEMORY_BENCH_SIZE", 100_000), queries: int("MEMORY_BENCH_QUERIES", 200), targets };
}

/** N unit vectors in `CLUSTERS` clusters, and queries drawn from the same clusters. */
export function syntheticVectors(count: number, seed: number, centres?: Float32Array[]) {
  const rng = mulberry32(seed);
  const unit = (v: Float32Array) => {
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    for (let i = 0; i < v.length; i++) v[i]! /= norm;
    return v;
  };
  const gaussian = () => {
    const v = new Float32Array(VECTOR_DIMENSIONS);
    for (let i = 0; i < v.length; i++) v[i] = normal(rng);
    return unit(v);
  };
  const cs = centres ?? Array.from({ length: CLUSTERS }, gaussian);
  const vectors = Array.from({ length: count }, () => {
    const centre = cs[Math.floor(rng() * cs.length)]!;
    const noise = gaussian();
    const v = new Float32Array(VECTOR_DIMENSIONS);
    // Equal-norm centre and noise: cosine to the centre ≈ 0.7, to a same-cluster neighbour ≈ 0.5.
    for (let i = 0; i < v.length; i++) v[i] = centre[i]! + noise[i]!;
    return unit(v);
  });
  return { centres: cs, vectors };
}

/** Exact top-k by cosine (dot product of unit vectors), over every item. */
export function exactTopK(query: Float32Array, items: readonly Float32Array[], k: number): number[] {
  const best: { i: number; s: number }[] = [];
  for (let i = 0; i < items.length; i++) {
    const v = items[i]!;
    let s = 0;
    for (let d = 0; d < VECTOR_DIMENSIONS; d++) s += v[d]! * query[d]!;
    if (best.length < k || s > best[best.length - 1]!.s) {
      best.push({ i, s });
      best.sort((a, b) => b.s - a.s);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => b.i);
}

/** An "embedder" that looks texts up: `v:<i>` is item i's vector, `q:<j>` query j's. */
function lookupEmbedder(items: readonly Float32Array[], queries: readonly Float32Array[]): Embedder {
  const vectorOf = (text: string) => {
    const [kind, index] = text.split(":");
    const v = (kind === "q" ? queries : items)[Number(index)];
    if (!v) throw new Error(`no synthetic vector for ${text}`);
    return Array.from(v);
  };
  return {
    id: "bench-synthetic/512",
    dimensions: VECTOR_DIMENSIONS,
    model: {
      embedDocuments: async (texts: string[]) => texts.map(vectorOf),
      embedQuery: async (text: string) => vectorOf(text),
    },
  };
}

interface Backend {
  name: string;
  database: Database;
  /** Memory for the HNSW build: at least the graph's size (ARCHITECTURE.md). */
  maintenanceWorkMem: string;
  dispose(): Promise<void>;
}

async function openBackend(name: string, progress: Progress): Promise<Backend | string> {
  if (name === "pglite") {
    progress.note("memory: creating an in-process PGlite database (initdb takes a few seconds)");
    const database = await openDatabase("memory://");
    await migrate(database);
    // PGlite is WebAssembly with a 2 GB heap: leave room for the table itself.
    return { name: "PGlite", database, maintenanceWorkMem: "512MB", dispose: () => database.close() };
  }
  if (name === "server") {
    const baseUrl = process.env["TEST_DATABASE_URL"];
    if (baseUrl === undefined || baseUrl === "") return "server: TEST_DATABASE_URL not set";
    const admin = await openDatabase(baseUrl, { max: 2 });
    const db = `bench_memory_${randomBytes(4).toString("hex")}`;
    await admin.db.execute(sql`create database ${sql.identifier(db)}`);
    const url = new URL(baseUrl);
    url.pathname = `/${db}`;
    progress.note(`memory: fresh database on ${redactUrl(url.toString())}`);
    const database = await openDatabase(url.toString(), { max: 4 });
    await migrate(database);
    return {
      name: "PostgreSQL server",
      database,
      maintenanceWorkMem: "1GB",
      async dispose() {
        await database.close();
        await admin.db.execute(sql`drop database if exists ${sql.identifier(db)} with (force)`);
        await admin.close();
      },
    };
  }
  return `unknown target ${name} (known: pglite, server)`;
}

async function measure(
  backend: Backend,
  items: readonly Float32Array[],
  queries: readonly Float32Array[],
  truth: readonly number[][],
  progress: Progress,
): Promise<MemoryFigures> {
  const { db } = backend.database;
  const store = new PgStore({
    db,
    tenantId: "bench",
    embedder: lookupEmbedder(items, queries),
    fields: ["v"],
  });
  await db.execute(sql`drop index if exists memory_item_vectors_embedding_hnsw`);

  const insertStarted = performance.now();
  for (let start = 0; start < items.length; start += BATCH) {
    const end = Math.min(items.length, start + BATCH);
    await store.batch(
      Array.from({ length: end - start }, (_, j) => ({
        namespace: ["bench", `c${(start + j) % 16}`],
        key: `item-${start + j}`,
        value: { v: `v:${start + j}`, n: start + j },
      })),
    );
    if ((end / BATCH) % 10 === 0 || end === items.length)
      progress.note(`memory ${backend.name}: ${end} items inserted`);
  }
  const insertS = (performance.now() - insertStarted) / 1_000;

  progress.note(`memory ${backend.name}: building the HNSW index`);
  const indexStarted = performance.now();
  await db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('maintenance_work_mem', ${backend.maintenanceWorkMem}, true)`);
    await tx.execute(
      sql`create index memory_item_vectors_embedding_hnsw on memory_item_vectors using hnsw (embedding vector_cosine_ops)`,
    );
  });
  await db.execute(sql`analyze memory_item_vectors`);
  await db.execute(sql`analyze memory_items`);
  const indexBuildS = (performance.now() - indexStarted) / 1_000;

  const search = new LatencyRecorder();
  const bare = new LatencyRecorder();
  let hits = 0;
  const warmup = Math.min(20, queries.length);
  for (let round = 0; round < 2; round++) {
    for (let j = 0; j < queries.length; j++) {
      if (round === 0 && j >= warmup) break;
      const started = process.hrtime.bigint();
      const found = await store.search(["bench"], { query: `q:${j}`, limit: K });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (round === 0) continue;
      search.record(ms);
      const expected = new Set(truth[j]!.map((i) => `item-${i}`));
      hits += found.filter((f) => expected.has(f.key)).length;
    }
  }
  for (let j = 0; j < queries.length; j++) {
    const vector = vectorLiteral(Array.from(queries[j]!));
    const started = process.hrtime.bigint();
    await db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('hnsw.iterative_scan', 'relaxed_order', true)`);
      await queryRows(
        tx,
        sql`select item_id from memory_item_vectors where tenant_id = 'bench'
            order by embedding <=> ${vector}::vector limit ${K}`,
      );
    });
    bare.record(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return {
    target: backend.name,
    items: items.length,
    insertItemsPerSec: items.length / insertS,
    indexBuildS,
    search: search.summary(),
    bareQuery: bare.summary(),
    recallAt10: hits / (queries.length * K),
  };
}

async function run(_settings: unknown, progress: Progress): Promise<MemorySuiteReport> {
  const report = (fields: Partial<MemorySuiteReport>): MemorySuiteReport => ({
    suite: "memory",
    measurements: [],
    comparisons: [],
    notes: [],
    ...fields,
  });
  const settings = settingsFromEnv();
  progress.note(
    `memory: ${settings.size} synthetic items × ${VECTOR_DIMENSIONS} dims, ${settings.queries} queries`,
  );
  const { centres, vectors: items } = syntheticVectors(settings.size, 1);
  const { vectors: queries } = syntheticVectors(settings.queries, 2, centres);
  progress.note("memory: exact top-10 of every query (brute force, for recall)");
  const truth = queries.map((q) => exactTopK(q, items, K));

  const figures: MemoryFigures[] = [];
  const skipped: string[] = [];
  const loadBefore = os.loadavg()[0] ?? Number.NaN;
  for (const name of settings.targets) {
    const backend = await openBackend(name, progress);
    if (typeof backend === "string") {
      skipped.push(backend);
      continue;
    }
    try {
      figures.push(await measure(backend, items, queries, truth, progress));
    } finally {
      await backend.dispose();
    }
  }
  if (figures.length === 0) return report({ skipped: skipped.join("; ") || "no target" });
  const loadAfter = os.loadavg()[0] ?? Number.NaN;
  const table = renderTable(
    [
      { header: "target" },
      { header: "items", align: "right" },
      { header: "insert items/s", align: "right" },
      { header: "HNSW build s", align: "right" },
      { header: "search p50 ms", align: "right" },
      { header: "p99 ms", align: "right" },
      { header: "bare SQL p50 ms", align: "right" },
      { header: "recall@10", align: "right" },
      { header: "goal (server)" },
    ],
    figures.map((f) => [
      f.target,
      formatRate(f.items),
      formatRate(f.insertItemsPerSec),
      f.indexBuildS.toFixed(1),
      formatMs(f.search.p50),
      formatMs(f.search.p99),
      formatMs(f.bareQuery.p50),
      f.recallAt10.toFixed(3),
      f.target === "PostgreSQL server"
        ? `recall ≥ 0.95 ${f.recallAt10 >= 0.95 ? "PASS" : "BELOW"}, p50 < 10 ms ${f.search.p50 < 10 ? "PASS" : "ABOVE"}`
        : "",
    ]),
  );
  return report({
    memory: figures,
    notes: [
      "store.batch inserts (1,000 puts a batch) before the HNSW index exists, then one index build; searches are store.search top-10, one at a time",
      ...table.split("\n"),
      ...skipped.map((s) => `skipped ${s}`),
      `load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, on ${os.cpus().length} CPUs`,
    ],
  });
}

export const memorySuite: Suite = {
  name: "memory",
  summary: "long-term store at MEMORY_BENCH_SIZE × 512 dims: insert, HNSW build, top-10 latency, recall@10",
  run,
};
