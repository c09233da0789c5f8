import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import sampleLeads from "../../examples/leads.json" with { type: "json" };
import { createTestDatabase } from "../../test/support/database.js";
import { createMarketingSystem, type MarketingSystem } from "../index.js";
import type { Listening } from "./listen.js";

let system: MarketingSystem;
let server: Listening;

beforeAll(async () => {
  system = await createMarketingSystem({ database: await createTestDatabase() });
  server = await system.listen({ port: 0 });
});

afterAll(async () => {
  await system.close();
  await system.database.close();
});

let nextId = 1;
async function rpc(method: string, params?: unknown) {
  const response = await fetch(`${server.url}/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", method, params, id: nextId++ }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { result?: any; error?: { code: number; message: string; data?: any } };
}

const [hot, cold, spam] = sampleLeads;

describe("server end to end (PGlite)", () => {
  it("is live and ready, and says which database and model it runs on", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await rpc("system.health")).result).toMatchObject({
      status: "ok",
      database: { driver: "pglite", reachable: true },
      model: "offline",
    });
  });

  it("documents every method with its permission in rpc.discover", async () => {
    const { result } = await rpc("rpc.discover");
    const names = result.methods.map((m: { name: string }) => m.name);
    expect(names).toEqual(
      expect.arrayContaining(["system.health", "leads.upsert", "leads.get", "threads.run"]),
    );
    expect(result.methods.find((m: { name: string }) => m.name === "leads.upsert")["x-permission"]).toBe(
      "leads:write",
    );
  });

  it("tells caches not to keep answers and browsers not to sniff them, refusals included", async () => {
    const answer = await fetch(`${server.url}/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", method: "system.health", id: 1 }),
    });
    const tooLarge = await fetch(`${server.url}/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(2 * 1024 * 1024),
    });
    expect(tooLarge.status).toBe(413);
    for (const response of [answer, tooLarge]) {
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("content-type")).toBe("application/json");
      await response.body?.cancel();
    }
  });

  it("upserts a lead by email, case-insensitively, and reads it back", async () => {
    const first = (await rpc("leads.upsert", { lead: { name: "Ana", email: "Ana@Example.com" } })).result
      .lead;
    const second = (await rpc("leads.upsert", { lead: { email: "ana@example.com", company: "Acme" } })).result
      .lead;
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ name: "Ana", company: "Acme" });
    expect((await rpc("leads.get", { id: first.id })).result.lead.company).toBe("Acme");
  });

  it("answers bad input with the right error and keeps serving", async () => {
    expect((await rpc("leads.get", { id: "00000000-0000-4000-8000-000000000000" })).error).toMatchObject({
      code: -32004,
      message: "lead not found",
    });
    const invalid = (await rpc("leads.get", { id: "not-a-uuid" })).error;
    expect(invalid).toMatchObject({ code: -32602, data: { issues: [{ path: "id" }] } });
    expect((await rpc("leads.upsert", { lead: { company: "No name or email" } })).error?.code).toBe(-32602);
    expect((await rpc("threads.run", { input: {} })).error?.code).toBe(-32602);
    const malformed = await fetch(`${server.url}/rpc`, { method: "POST", body: '{"jsonrpc":"2.0",' });
    expect(await malformed.json()).toMatchObject({ error: { code: -32700 }, id: null });
    expect(
      (await rpc("threads.run", { input: { lead: { id: "00000000-0000-4000-8000-000000000000" } } })).error,
    ).toMatchObject({
      code: -32004,
    });
    expect((await rpc("system.health")).result.status).toBe("ok");
  });

  it("routes a hot lead triage → engagement → optimization → engagement, waits for approval, then queues", async () => {
    const { result } = await rpc("threads.run", { input: { lead: hot } });
    const { state } = result;
    expect(result.status).toBe("interrupted");
    expect(state.triageResult).toMatchObject({ class: "hot", model: "offline" });
    expect(state.triageResult.factors.length).toBeGreaterThan(0);
    expect(state.handoffs.map((h: { from: string; to: string }) => `${h.from}→${h.to}`)).toEqual([
      "triage→engagement",
      "engagement→optimization",
      "optimization→engagement",
    ]);
    for (const h of state.handoffs) expect(h.reason.length).toBeGreaterThan(10);
    const selected = state.optimizationResult.selected.variantId;
    expect(state.engagementResult.drafts.map((d: { variantId: string }) => d.variantId)).toContain(selected);
    expect(result.interrupts).toEqual([
      { id: expect.any(String), value: expect.objectContaining({ kind: "approval", variantId: selected }) },
    ]);
    const stored = (await rpc("leads.get", { id: state.lead.id })).result.lead;
    expect(stored).toMatchObject({ class: "hot", stage: "triaged" });
    expect(stored.score).toBeCloseTo(state.triageResult.score, 6);

    const resumed = (
      await rpc("threads.resume", { threadId: result.threadId, value: { decision: { action: "approve" } } })
    ).result;
    expect(resumed.status).toBe("success");
    expect(resumed.state.delivery).toMatchObject({
      status: "queued",
      variantId: selected,
      approvedBy: "local",
    });
    expect(resumed.state.handoffs.at(-1)).toMatchObject({ from: "engagement", to: "end" });
    const again = await rpc("threads.resume", {
      threadId: result.threadId,
      value: { decision: { action: "approve" } },
    });
    expect(again.error).toMatchObject({ code: -32002 });
  });

  it("routes a cold lead to a nurture campaign and a disqualified one to the end", async () => {
    const coldRun = (await rpc("threads.run", { input: { lead: cold } })).result.state;
    expect(coldRun.triageResult.class).toBe("cold");
    expect(coldRun.handoffs.map((h: { to: string }) => h.to)).toEqual(["optimization", "end"]);
    const spamRun = (await rpc("threads.run", { input: { lead: spam } })).result.state;
    expect(spamRun.triageResult.class).toBe("disqualified");
    expect(spamRun.handoffs).toEqual([expect.objectContaining({ from: "triage", to: "end" })]);
    expect(spamRun.handoffs[0].reason).toMatch(/mailinator\.com/);
  });

  it("serializes concurrent runs on one thread: enqueue runs all in order, reject refuses the extras", async () => {
    const threadId = "race-thread";
    const runs = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        rpc("threads.run", {
          threadId,
          multitask: "enqueue",
          input: { message: `draft a follow-up email #${i}` },
        }),
      ),
    );
    for (const r of runs) expect(r.result).toMatchObject({ threadId, status: "success" });
    const last = runs.map((r) => r.result.state).sort((a, b) => b.messages.length - a.messages.length)[0];
    expect(last.messages.filter((m: { role: string }) => m.role === "user")).toHaveLength(5);
    expect(last.handoffs).toHaveLength(10);

    const rejected = await Promise.all(
      Array.from({ length: 4 }, () =>
        rpc("threads.run", { threadId, input: { message: "campaign budget?" } }),
      ),
    );
    const ok = rejected.filter((r) => r.result);
    const busy = rejected.filter((r) => r.error);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of busy) expect(r.error).toMatchObject({ code: -32002, data: { threadId } });
  });

  it("runs the same methods over WebSocket", async () => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws`);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const reply = new Promise<any>((resolve) =>
      ws.once("message", (data) => resolve(JSON.parse(data.toString()))),
    );
    ws.send(
      JSON.stringify({ jsonrpc: "2.0", method: "threads.run", params: { input: { lead: cold } }, id: "w1" }),
    );
    const response = await reply;
    expect(response.id).toBe("w1");
    expect(response.result.state.triageResult.class).toBe("cold");
    expect(response.result.status).toBe("success");
    ws.close();
  });
});

/** Reads an SSE response into its events: `{ id, data }` with data parsed as JSON. */
async function readSse(response: Response): Promise<{ id: string; data: any }[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split("\n");
      const id =
        lines
          .find((l) => l.startsWith("id:"))
          ?.slice(3)
          .trim() ?? "";
      const data = lines
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trim())
        .join("\n");
      return { id, data: JSON.parse(data) };
    });
}

describe("streaming runs", () => {
  const streamCall = (params: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...headers },
      body: JSON.stringify({ jsonrpc: "2.0", method: "threads.stream", params, id: "s1" }),
    });

  it("streams run events as SSE notifications, then the response; a reconnect with Last-Event-ID gets the rest", async () => {
    const response = await streamCall({ input: { lead: cold } });
    expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
    const events = await readSse(response);
    const notifications = events.slice(0, -1);
    const final = events.at(-1)!;
    expect(notifications.every((e) => e.data.method === "threads.event")).toBe(true);
    expect(notifications.map((e) => e.data.params.type)).toEqual(
      expect.arrayContaining(["start", "update", "handoff", "end"]),
    );
    const runId = final.data.result.runId;
    expect(notifications[0]!.id).toBe(`${runId}:1`);
    expect(final.data).toMatchObject({ id: "s1", result: { status: "success" } });

    const resumed = await readSse(await streamCall({ runId }, { "last-event-id": `${runId}:2` }));
    expect(resumed.slice(0, -1).map((e) => e.data.params.seq)).toEqual(
      notifications.slice(2).map((e) => e.data.params.seq),
    );
    expect(resumed.at(-1)!.data.result.runId).toBe(runId);
  });

  it("streams over WebSocket as frames, and a client that leaves early cancels nothing", async () => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws`);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const frames: any[] = [];
    const done = new Promise<void>((resolve) =>
      ws.on("message", (data) => {
        const frame = JSON.parse(data.toString());
        frames.push(frame);
        if (frame.id === "w2") resolve();
      }),
    );
    ws.send(
      JSON.stringify({
        jsonrpc: "2.0",
        method: "threads.stream",
        params: { input: { lead: hot } },
        id: "w2",
      }),
    );
    await done;
    ws.close();
    const types = frames.filter((f) => f.method === "threads.event").map((f) => f.params.type);
    expect(types).toContain("interrupt");
    expect(frames.at(-1).result.status).toBe("interrupted");

    // Leave in the middle of a second run: it still finishes and is readable afterwards.
    const quitter = new WebSocket(`${server.url.replace("http", "ws")}/ws`);
    await new Promise((resolve) => quitter.once("open", resolve));
    const first = new Promise<any>((resolve) =>
      quitter.once("message", (d) => resolve(JSON.parse(d.toString()))),
    );
    quitter.send(
      JSON.stringify({
        jsonrpc: "2.0",
        method: "threads.stream",
        params: { threadId: "left-early", input: { lead: cold } },
        id: 1,
      }),
    );
    const start = await first;
    quitter.terminate();
    const joined = (await rpc("threads.stream", { runId: start.params.runId })).result;
    expect(joined).toMatchObject({ threadId: "left-early", status: "success" });
    expect((await rpc("threads.get", { threadId: "left-early" })).result.state.triageResult.class).toBe(
      "cold",
    );
  });
});
