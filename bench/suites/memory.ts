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
 * Vectors are synthetic (see `syntheticDataset`: text-like `topics` by default, adversarial `tight-clusters`
 * on request), from a seeded generator, served by a lookup "embedder" so that the store's real code path
 * runs without a model. Goals (issue 4): recall@10 ≥ 0.95 and median search
 * < 10 ms on the server.
 *
 * Size and targets from the environment, so a quick run is possible:
 *   MEMORY_BENCH_SIZE (default 100000), MEMORY_BENCH_QUERIES (default 200),
 *   MEMORY_BENCH_TARGETS (default "pglite,server"; the server needs TEST_DATABASE_URL),
 *   MEMORY_BENCH_DATA (topics | tight-clusters), MEMORY_BENCH_EF (hnsw.ef_search; default the store's).
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
import { DEFAULT_EF_SEARCH } from "../../src/memory/store/search.js";
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
  dataset: Dataset;
  efSearch: number | undefined;
}

function settingsFromEnv(): Settings {
  const int = (name: string, fallback: number) => {
    const raw = process.env[name];
    const n = raw === undefined || raw === "" ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
    return n;
  };
  const targets = (process.env["MEMORY_BENCH_TARGETS"] ?? "pglite,server").split(",").map((t) => t.trim());
  const dataset = (process.env["MEMORY_BENCH_DATA"] ?? "topics") as Dataset;
  if (!DATASETS.includes(dataset)) throw new Error(`MEMORY_BENCH_DATA must be one of ${DATASETS.join(", ")}`);
  const ef = process.env["MEMORY_BENCH_EF"];
  return {
    size: int("MEMORY_BENCH_SIZE", 100_000),
    queries: int("MEMORY_BENCH_QUERIES", 200),
    targets,
    dataset,
    efSearch: ef === undefined || ef === "" ? undefined : int("MEMORY_BENCH_EF", 100),
  };
}

export const DATASETS = ["topics", "tight-clusters"] as const;
export type Dataset = (typeof DATASETS)[number];

const unit = (v: Float32Array) => {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
};

/**
 * Items and queries drawn from one distribution, from a seed:
 * - `topics` (default), like text embeddings: a low intrinsic dimension (32 latent factors, 200 topic
 *   centres, items spread around their topic) mapped into 512 dimensions, plus a little isotropic noise;
 * - `tight-clusters`, adversarial: 64 clusters on the unit sphere with every item at cosine ≈ 0.7 to its
 *   centre, so the ~1,500 members of a cluster are all about equally near a query (low contrast).
 */
export function syntheticDataset(kind: Dataset, items: number, queries: number, seed: number) {
  const rng = mulberry32(seed);
  const gaussian = (n: number) => Float32Array.from({ length: n }, () => normal(rng));
  let draw: () => Float32Array;
  if (kind === "tight-clusters") {
    const centres = Array.from({ length: CLUSTERS }, () => unit(gaussian(VECTOR_DIMENSIONS)));
    draw = () => {
      const centre = centres[Math.floor(rng() * centres.length)]!;
      const noise = unit(gaussian(VECTOR_DIMENSIONS));
      return unit(Float32Array.from(centre, (c, i) => c + noise[i]!));
    };
  } else {
    const latent = 32;
    const basis = Array.from({ length: latent }, () => gaussian(VECTOR_DIMENSIONS));
    const topics = Array.from({ length: 200 }, () => gaussian(latent));
    draw = () => {
      const topic = topics[Math.floor(rng() * topics.length)]!;
      const v = new Float32Array(VECTOR_DIMENSIONS);
      for (let l = 0; l < latent; l++) {
        const z = topic[l]! + 0.5 * normal(rng);
        const row = basis[l]!;
        for (let d = 0; d < VECTOR_DIMENSIONS; d++) v[d]! += z * row[d]!;
      }
      unit(v);
      for (let d = 0; d < VECTOR_DIMENSIONS; d++) v[d]! += 0.02 * normal(rng);
      return unit(v);
    };
  }
  return { items: Array.from({ length: items }, draw), queries: Array.from({ length: queries }, draw) };
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
        // Without FORCE: DROP DATABASE itself stops autovacuum workers (which a bulk load starts), while FORCE
        // tries to terminate them and needs pg_signal_backend, which the test role does not have.
        await admin.db.execute(sql`drop database if exists ${sql.identifier(db)}`);
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
  efSearch: number | undefined,
  progress: Progress,
): Promise<MemoryFigures> {
  const { db } = backend.database;
  const store = new PgStore({
    db,
    tenantId: "bench",
    embedder: lookupEmbedder(items, queries),
    fields: ["v"],
    ...(efSearch === undefined ? {} : { efSearch }),
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
      await tx.execute(
        sql`select set_config('hnsw.iterative_scan', 'relaxed_order', true),
                   set_config('hnsw.ef_search', ${String(efSearch ?? DEFAULT_EF_SEARCH)}, true)`,
      );
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
    `memory: ${settings.size} synthetic items (${settings.dataset}) × ${VECTOR_DIMENSIONS} dims, ${settings.queries} queries`,
  );
  const { items, queries } = syntheticDataset(settings.dataset, settings.size, settings.queries, 1);
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
      figures.push(await measure(backend, items, queries, truth, settings.efSearch, progress));
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
      `dataset ${settings.dataset}, hnsw.ef_search ${settings.efSearch ?? DEFAULT_EF_SEARCH}; store.batch inserts (1,000 puts a batch) before the HNSW index exists, then one index build; searches are store.search top-10, one at a time`,
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
