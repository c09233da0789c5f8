import { Annotation, END, type LangGraphRunnableConfig, START, StateGraph } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../../src/db/client.js";
import {
  embedderOf,
  FeatureHashingEmbeddings,
  featureHashingEmbedder,
} from "../../../src/memory/embeddings.js";
import { PgStore } from "../../../src/memory/store/pg-store.js";
import { type MemoryBackend, manualClock } from "./backend.js";

export function storeContract(backend: MemoryBackend): void {
  describe(`long-term store (BaseStore) on ${backend.name}`, () => {
    let database: Database;
    const clock = manualClock();
    let store: PgStore;

    beforeAll(async () => {
      database = await backend.open();
      store = new PgStore({ db: database.db, tenantId: "tenant-a", clock: clock.now });
    });
    afterAll(async () => database?.close());

    it("puts, gets, updates and deletes an item", async () => {
      await store.put(["leads", "l1", "notes"], "n1", { text: "prefers email", n: 1 });
      const first = await store.get(["leads", "l1", "notes"], "n1");
      expect(first).toMatchObject({
        namespace: ["leads", "l1", "notes"],
        key: "n1",
        value: { text: "prefers email", n: 1 },
      });
      clock.advance(1_000);
      await store.put(["leads", "l1", "notes"], "n1", { text: "prefers phone", n: 2 });
      const second = await store.get(["leads", "l1", "notes"], "n1");
      expect(second?.value).toEqual({ text: "prefers phone", n: 2 });
      expect(second?.createdAt.getTime()).toBe(first?.createdAt.getTime());
      expect(second!.updatedAt.getTime()).toBe(first!.updatedAt.getTime() + 1_000);
      await store.delete(["leads", "l1", "notes"], "n1");
      expect(await store.get(["leads", "l1", "notes"], "n1")).toBeNull();
      // LangGraph's batch form: a null value deletes.
      await store.put(["x"], "k", { a: 1 });
      await store.batch([{ namespace: ["x"], key: "k", value: null }]);
      expect(await store.get(["x"], "k")).toBeNull();
    });

    it("runs a batch in order, writing consecutive puts together (the last put of a key wins)", async () => {
      const s = store.forTenant("tenant-batch");
      const results = await s.batch([
        { namespace: ["b"], key: "k1", value: { text: "first" } },
        { namespace: ["b"], key: "k2", value: { text: "second" } },
        { namespace: ["b"], key: "k1", value: { text: "first, again" } },
        { namespace: ["b"], key: "k1" },
        { namespace: ["b"], key: "k2", value: null },
        { namespace: ["b"], key: "k2" },
        { namespacePrefix: ["b"], query: "again", limit: 5 },
      ]);
      expect(results[0]).toBeUndefined();
      expect((results[3] as unknown as { value: unknown }).value).toEqual({ text: "first, again" });
      expect(results[5]).toBeNull();
      expect((results[6] as unknown as { key: string }[]).map((r) => r.key)).toEqual(["k1"]);
      // More puts than one multi-row statement takes (unindexed: the HNSW inserts are not what is tested).
      const many = Array.from({ length: 1_100 }, (_, i) => ({
        namespace: ["bulk"],
        key: `k${i}`,
        value: { n: i },
        index: false as const,
      }));
      await s.batch(many);
      expect(await s.search(["bulk"], { filter: { n: { $gte: 1_098 } } })).toHaveLength(2);
    });

    it("matches namespaces exactly: % and _ are ordinary characters, never patterns", async () => {
      const s = store.forTenant("tenant-ns");
      await s.put(["a%", "b"], "k", { text: "percent" });
      await s.put(["ab", "b"], "k", { text: "ab" });
      await s.put(["a_", "b"], "k", { text: "underscore" });
      await s.put(["aXb"], "k", { text: "axb" });
      await s.put(["a%b"], "k", { text: "a percent b" });
      expect((await s.get(["a_", "b"], "k"))?.value.text).toBe("underscore");
      expect(await s.get(["a%"], "k")).toBeNull();
      const texts = async (prefix: string[], query?: string) =>
        (await s.search(prefix, query ? { query } : {})).map((i) => i.value.text).sort();
      expect(await texts(["a%"])).toEqual(["percent"]);
      expect(await texts(["a_"])).toEqual(["underscore"]);
      expect(await texts(["a_"], "ab underscore percent")).toEqual(["underscore"]);
      expect(await texts(["a%b"])).toEqual(["a percent b"]);
      expect(await texts(["a_b"])).toEqual([]);
      expect(await s.listNamespaces({ prefix: ["a_"] })).toEqual([["a_", "b"]]);
      expect(await s.listNamespaces({ prefix: ["a%"] })).toEqual([["a%", "b"]]);
    });

    it("finds by prefix in semantic search exactly, whatever bytes sort next to the separator", async () => {
      const s = store.forTenant("tenant-prefix");
      const namespaces = [["a"], ["a", "x"], ["a-b"], ["a/b"], ["a0"], ["ab"], ["aé"], ["a ", "y"], ["b"]];
      for (const ns of namespaces) await s.put(ns, "k", { text: "same words everywhere" });
      const found = async (prefix: string[]) =>
        (await s.search(prefix, { query: "same words", limit: 20 })).map((i) => i.namespace.join("|")).sort();
      expect(await found(["a"])).toEqual(["a", "a|x"]);
      expect(await found(["a", "x"])).toEqual(["a|x"]);
      expect(await found(["a/b"])).toEqual(["a/b"]);
      expect(await found(["a "])).toEqual(["a |y"]);
      expect(await found(["aé"])).toEqual(["aé"]);
      expect(await found([])).toHaveLength(namespaces.length);
    });

    it("keeps labels with quotes, commas, braces, backslashes and unicode exactly", async () => {
      const s = store.forTenant("tenant-labels");
      const namespace = ['q"uote', "com,ma", "{brace}", "back\\slash", "sp ace", "naïve 名前", "NULL"];
      await s.put(namespace, "k'ey", { ok: true });
      expect((await s.get(namespace, "k'ey"))?.namespace).toEqual(namespace);
      expect(await s.listNamespaces({})).toEqual([namespace]);
    });

    it("rejects invalid namespaces and keys as LangGraph does", async () => {
      await expect(store.put([], "k", {})).rejects.toMatchObject({ code: "invalid_namespace" });
      await expect(store.put(["a.b"], "k", {})).rejects.toMatchObject({ code: "invalid_namespace" });
      await expect(store.put(["langgraph"], "k", {})).rejects.toMatchObject({ code: "invalid_namespace" });
      await expect(store.put([""], "k", {})).rejects.toMatchObject({ code: "invalid_namespace" });
      await expect(store.put(["ok"], "", {})).rejects.toMatchObject({ code: "invalid_input" });
    });

    describe("filters", () => {
      const s = () => store.forTenant("tenant-filters");
      beforeAll(async () => {
        const items = [
          { key: "a", value: { status: "active", score: 5, tags: ["x"], meta: { tier: "gold" } } },
          { key: "b", value: { status: "active", score: 3.5, tags: ["y"], meta: { tier: "silver" } } },
          { key: "c", value: { status: "paused", score: 10, meta: { tier: "gold" } } },
          { key: "d", value: { status: "active", score: "7" } },
        ];
        for (const item of items) await s().put(["products"], item.key, item.value, false);
      });
      const keys = async (filter: Record<string, unknown>) =>
        (await s().search(["products"], { filter })).map((i) => i.key).sort();

      it("applies $eq (also implicit and deep), $ne, $gt, $gte, $lt, $lte and $in", async () => {
        expect(await keys({ status: "active" })).toEqual(["a", "b", "d"]);
        expect(await keys({ status: { $eq: "paused" } })).toEqual(["c"]);
        expect(await keys({ tags: ["x"] })).toEqual(["a"]);
        expect(await keys({ meta: { tier: "gold" } })).toEqual(["a", "c"]);
        expect(await keys({ status: { $ne: "active" } })).toEqual(["c"]);
        expect(await keys({ score: { $gt: 5 } })).toEqual(["c"]);
        expect(await keys({ score: { $gte: 5 } })).toEqual(["a", "c"]);
        expect(await keys({ score: { $lt: 5 } })).toEqual(["b"]);
        expect(await keys({ score: { $lte: 5, $gt: 3.5 } })).toEqual(["a"]);
        expect(await keys({ status: { $in: ["paused", "gone"] } })).toEqual(["c"]);
        expect(await keys({ status: { $in: [] } })).toEqual([]);
        expect(await keys({ "meta.tier": "silver" })).toEqual(["b"]);
        expect(await keys({ status: "active", score: { $gte: 4 } })).toEqual(["a"]);
      });

      it("compares like with like: a number bound never matches a string value, and a missing field is $ne", async () => {
        expect(await keys({ score: { $gt: 6 } })).toEqual(["c"]);
        expect(await keys({ score: { $gt: "6" } })).toEqual(["d"]);
        expect(await keys({ tags: { $ne: ["x"] } })).toEqual(["b", "c", "d"]);
      });

      it("rejects unknown operators and malformed operands", async () => {
        await expect(keys({ score: { $regex: "." } })).rejects.toMatchObject({ code: "invalid_filter" });
        await expect(keys({ score: { $in: 3 } })).rejects.toMatchObject({ code: "invalid_filter" });
        await expect(keys({ score: { $gt: { a: 1 } } })).rejects.toMatchObject({ code: "invalid_filter" });
        await expect(keys({ score: { $gt: 1, plain: 2 } })).rejects.toMatchObject({ code: "invalid_filter" });
      });
    });

    describe("semantic, keyword and hybrid search", () => {
      const s = () => store.forTenant("tenant-search");
      beforeAll(async () => {
        const notes = {
          n1: "Prefers short emails in the morning about pricing",
          n2: "Asked for a product demo of the analytics dashboard",
          n3: "Company is migrating its CRM to Salesforce next quarter",
          n4: "Loves golf and sailing on weekends",
        };
        for (const [key, text] of Object.entries(notes))
          await s().put(["notes"], key, { text, internal: key }, ["text"]);
        await s().put(["notes"], "hidden", { text: "pricing emails morning" }, false);
      });

      it("ranks by cosine similarity of the indexed field, best first, and skips unindexed items", async () => {
        const results = await s().search(["notes"], { query: "pricing email in the morning", limit: 3 });
        expect(results[0]?.key).toBe("n1");
        expect(results).toHaveLength(3);
        const scores = results.map((r) => r.score!);
        expect([...scores].sort((a, b) => b - a)).toEqual(scores);
        expect(scores[0]).toBeGreaterThan(0.3);
        expect(scores[0]).toBeLessThanOrEqual(1.000001);
        expect(results.map((r) => r.key)).not.toContain("hidden");
        // Unindexed items are still found by filter.
        expect((await s().search(["notes"], { filter: { text: "pricing emails morning" } }))[0]?.key).toBe(
          "hidden",
        );
      });

      it("pages with limit and offset", async () => {
        const all = await s().search(["notes"], { query: "crm salesforce demo golf", limit: 4 });
        const page = await s().search(["notes"], { query: "crm salesforce demo golf", limit: 2, offset: 1 });
        expect(page.map((p) => p.key)).toEqual(all.slice(1, 3).map((p) => p.key));
      });

      it("keyword mode matches stemmed words; hybrid fuses both rankings", async () => {
        const keyword = await s().search(["notes"], { query: "migration to salesforce", mode: "keyword" });
        expect(keyword.map((r) => r.key)).toEqual(["n3"]);
        const hybrid = await s().search(["notes"], { query: "dashboards demo", mode: "hybrid", limit: 4 });
        expect(hybrid[0]?.key).toBe("n2");
        expect(hybrid[0]!.score).toBeCloseTo(2 / 61, 10);
        expect(await s().search(["notes"], { query: "the of and", mode: "keyword" })).toEqual([]);
      });

      it("combines a query with filters and a namespace prefix", async () => {
        const results = await s().search(["notes"], {
          query: "pricing",
          filter: { internal: { $in: ["n3", "n4"] } },
        });
        expect(results.map((r) => r.key).sort()).toEqual(["n3", "n4"]);
        expect(await s().search(["other"], { query: "pricing" })).toEqual([]);
      });
    });

    it("expires items after their TTL, refreshes it on read, and sweeps expired rows", async () => {
      const s = store.forTenant("tenant-ttl");
      await s.put(["session"], "short", { text: "temporary" }, undefined, { ttl: 1 });
      await s.put(["session"], "forever", { text: "kept" });
      clock.advance(45_000);
      expect(await s.get(["session"], "short")).not.toBeNull(); // refreshed: expires 60 s from now
      clock.advance(45_000);
      expect((await s.search(["session"], { query: "temporary" })).map((r) => r.key)).toContain("short");
      clock.advance(61_000);
      expect(await s.get(["session"], "short")).toBeNull();
      expect((await s.search(["session"])).map((r) => r.key)).toEqual(["forever"]);
      expect(await s.listNamespaces({})).toEqual([["session"]]);
      expect(await s.sweepExpired()).toBe(1);
      await expect(s.put(["session"], "bad", {}, undefined, { ttl: 0.5 })).rejects.toMatchObject({
        code: "invalid_input",
      });
    });

    it("lists namespaces by prefix and suffix with wildcards, to a depth, paged", async () => {
      const s = store.forTenant("tenant-list");
      for (const ns of [
        ["leads", "l1", "notes"],
        ["leads", "l1", "prefs"],
        ["leads", "l2", "notes"],
        ["segments", "google", "notes"],
      ]) {
        await s.put(ns, "k", { v: 1 });
      }
      expect(await s.listNamespaces({ prefix: ["leads"] })).toEqual([
        ["leads", "l1", "notes"],
        ["leads", "l1", "prefs"],
        ["leads", "l2", "notes"],
      ]);
      expect(await s.listNamespaces({ suffix: ["notes"] })).toHaveLength(3);
      expect(await s.listNamespaces({ prefix: ["*", "l1"] })).toEqual([
        ["leads", "l1", "notes"],
        ["leads", "l1", "prefs"],
      ]);
      expect(await s.listNamespaces({ suffix: ["*", "notes"] })).toHaveLength(3);
      expect(await s.listNamespaces({ maxDepth: 1 })).toEqual([["leads"], ["segments"]]);
      expect(await s.listNamespaces({ maxDepth: 2, limit: 1, offset: 1 })).toEqual([["leads", "l2"]]);
    });

    it("keeps tenants apart (C3): B's search for an identical vector never returns A's row", async () => {
      const a = store.forTenant("tenant-c3-a");
      const b = store.forTenant("tenant-c3-b");
      const value = { text: "Acme's CFO asked for the enterprise price list" };
      await a.put(["shared", "ns"], "same-key", value);
      await b.put(["shared", "ns"], "other-key", value);
      for (const mode of ["semantic", "keyword", "hybrid"] as const) {
        const found = await b.search(["shared"], { query: value.text, mode });
        expect(found.map((r) => r.key)).toEqual(["other-key"]);
      }
      expect(await b.search([], {})).toEqual([expect.objectContaining({ key: "other-key" })]);
      expect(await b.get(["shared", "ns"], "same-key")).toBeNull();
      await b.delete(["shared", "ns"], "same-key");
      expect(await a.get(["shared", "ns"], "same-key")).not.toBeNull();
      expect(await b.listNamespaces({})).toEqual([["shared", "ns"]]);
    });

    it("rejects vectors of the wrong dimension at write time and writes nothing", async () => {
      const wrong = embedderOf(new FeatureHashingEmbeddings({ dimensions: 384 }), "wrong-size/384");
      const s = new PgStore({ db: database.db, tenantId: "tenant-dims", embedder: wrong });
      await expect(s.put(["ns"], "k", { text: "hello" })).rejects.toMatchObject({
        code: "invalid_vector",
        message: expect.stringContaining("384 dimensions"),
      });
      expect(await s.get(["ns"], "k")).toBeNull();
    });

    it("refuses to search across embedders until everything is re-embedded", async () => {
      const other = embedderOf(featureHashingEmbedder().model, "another-model/512");
      const s = new PgStore({ db: database.db, tenantId: "tenant-mix", embedder: other });
      await s.put(["ns"], "k", { text: "from another model" });
      await expect(store.search(["ns"], { query: "model" })).rejects.toMatchObject({
        code: "embedder_mismatch",
      });
      await expect(s.search(["ns"], { query: "model" })).rejects.toMatchObject({ code: "embedder_mismatch" });
      // Filter-only listing compares no vectors and still works.
      expect(await s.search(["ns"])).toHaveLength(1);
      await s.delete(["ns"], "k");
      const { resetEmbedders } = await import("../../../src/memory/embedder-registry.js");
      await resetEmbedders(database.db, store.embedder);
    });

    it("serves graph nodes through config.store", async () => {
      const s = store.forTenant("tenant-graph");
      const State = Annotation.Root({ leadId: Annotation<string>(), recalled: Annotation<string[]>() });
      const remember = async (state: typeof State.State, config: LangGraphRunnableConfig) => {
        await config.store!.put(["leads", state.leadId, "memories"], "m1", {
          text: "asked about SSO and SCIM",
        });
        return {};
      };
      const recall = async (state: typeof State.State, config: LangGraphRunnableConfig) => {
        const found = await config.store!.search(["leads", state.leadId, "memories"], {
          query: "single sign-on SSO",
        });
        return { recalled: found.map((f) => String(f.value.text)) };
      };
      const graph = new StateGraph(State)
        .addNode("remember", remember)
        .addNode("recall", recall)
        .addEdge(START, "remember")
        .addEdge("remember", "recall")
        .addEdge("recall", END)
        .compile({ store: s });
      const out = await graph.invoke({ leadId: "lead-9" });
      expect(out.recalled).toEqual(["asked about SSO and SCIM"]);
    });
  });
}
