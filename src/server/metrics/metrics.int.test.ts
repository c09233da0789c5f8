import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/support/database.js";
import type { Database } from "../../db/client.js";
import { createMarketingSystem, type MarketingSystem } from "../../index.js";

/** The metrics endpoint on its own port, scraped with fetch after real calls and a real run. */

let database: Database;
let system: MarketingSystem;
let api: string;
let metricsUrl: string;

beforeAll(async () => {
  database = await createTestDatabase();
  system = await createMarketingSystem({ database, approvalPolicy: "never", metrics: true });
  api = (await system.listen({ host: "127.0.0.1", port: 0 })).url;
  metricsUrl = (await system.metrics!.listen({ host: "127.0.0.1", port: 0 })).url;
}, 60_000);
afterAll(async () => {
  await system?.close();
  await database?.close();
});

const rpc = async (method: string, params: unknown = {}) =>
  (
    await fetch(`${api}/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    })
  ).json() as Promise<{ result?: unknown; error?: { code: number } }>;

async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const series = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

describe("metrics", () => {
  it("counts calls by method and outcome, and runs by status", async () => {
    const before = await scrape();
    expect(before.get('marketing_agents_runs_total{status="success"}')).toBe(0);

    for (let i = 0; i < 3; i++) expect((await rpc("system.health")).result).toBeDefined();
    expect((await rpc("leads.get", { id: "not-a-uuid" })).error?.code).toBe(-32602);
    expect((await rpc("no.such.method")).error?.code).toBe(-32601);
    const run = await rpc("threads.run", {
      input: {
        lead: { name: "Ada Lovelace", email: "ada@example.com", source: "Reference", totalVisits: 5 },
      },
    });
    expect(run.error).toBeUndefined();

    const after = await scrape();
    expect(after.get('marketing_agents_rpc_calls_total{method="system.health",outcome="ok"}')).toBe(3);
    expect(after.get('marketing_agents_rpc_calls_total{method="leads.get",outcome="error"}')).toBe(1);
    // A method name the client made up never becomes a label of its own.
    expect(after.get('marketing_agents_rpc_calls_total{method="(unknown)",outcome="error"}')).toBe(1);
    expect([...after.keys()].some((k) => k.includes("no.such.method"))).toBe(false);
    expect(after.get('marketing_agents_rpc_call_duration_seconds_count{method="system.health"}')).toBe(3);
    expect(after.get('marketing_agents_runs_total{status="success"}')).toBe(1);
    expect(after.get("marketing_agents_run_duration_seconds_count")).toBe(1);
    // Offline: no model, no tokens.
    expect(after.get("marketing_agents_llm_tokens_total")).toBe(0);
    expect(after.get("marketing_agents_audit_entries_dropped")).toBe(0);
    // The process metrics come along.
    expect(after.get("process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(after.has("nodejs_eventloop_lag_p99_seconds")).toBe(true);
  }, 60_000);

  it("serves only GET /metrics, and the API port does not serve metrics", async () => {
    expect((await fetch(metricsUrl.replace("/metrics", "/other"))).status).toBe(404);
    expect((await fetch(metricsUrl, { method: "POST" })).status).toBe(405);
    expect((await fetch(`${api}/metrics`)).status).toBe(404);
  });

  it("is off unless asked for", async () => {
    const plain = await createMarketingSystem({ database, approvalPolicy: "never" });
    try {
      expect(plain.metrics).toBeNull();
    } finally {
      await plain.close();
    }
  });
});
