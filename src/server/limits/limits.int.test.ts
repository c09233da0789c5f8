import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { z } from "zod";
import { createTestDatabase } from "../../../test/support/database.js";
import {
  closed,
  connect,
  openSocket,
  rpc,
  type SecuredServer,
  socketCall,
  startSecuredServer,
} from "../../../test/support/security-fixtures.js";
import type { Database } from "../../db/client.js";
import { defineMethod } from "../rpc/method.js";

/**
 * Traffic limits against a real listening server with real clients: the per-caller rate limit (C6 over HTTP,
 * E4 over WebSocket), the Origin allowlist (E1), backpressure (E5), idle and missed-pong termination (E6).
 */

const blob = defineMethod({
  name: "test.blob",
  description: "returns `size` bytes of text",
  permission: "system:read",
  params: z.object({ size: z.number().int().min(0).max(1_000_000) }),
  result: z.string(),
  handler: ({ size }) => "x".repeat(size),
});

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

describe("C6: per-caller rate limit over HTTP", () => {
  let server: SecuredServer;
  beforeAll(async () => {
    // One call a second after a burst of 5: slow enough that even a loaded machine spends the burst.
    server = await startSecuredServer(database, { limits: { rateLimitPerMinute: 60, rateLimitBurst: 5 } });
  });
  afterAll(() => server.close());

  it("answers 429 with Retry-After and -32005 once the burst is spent; other callers are unaffected", async () => {
    const greedy = await server.mint({ sub: "greedy" });
    const replies = [];
    for (let i = 0; i < 12; i++) replies.push(await rpc(server.url, "auth.whoami", {}, greedy));
    const limited = replies.filter((r) => r.status === 429);
    expect(replies.slice(0, 5).every((r) => r.status === 200)).toBe(true);
    expect(limited.length).toBeGreaterThan(0);
    const first = limited[0]!;
    expect(Number(first.headers.get("retry-after"))).toBe(
      Math.ceil(first.body.error.data.retryAfterMs / 1000),
    );
    expect(first.body).toMatchObject({
      jsonrpc: "2.0",
      error: { code: -32005, message: "Rate limited", data: { retryAfterMs: expect.any(Number) } },
      id: null,
    });
    expect(first.body.error.data.retryAfterMs).toBeLessThanOrEqual(1_000);
    expect((await rpc(server.url, "auth.whoami", {}, await server.mint({ sub: "polite" }))).status).toBe(200);
    const last = limited[limited.length - 1]!;
    await new Promise((resolve) => setTimeout(resolve, last.body.error.data.retryAfterMs + 50));
    expect((await rpc(server.url, "auth.whoami", {}, greedy)).status).toBe(200);
  });
});

describe("E4: a flooding WebSocket client", () => {
  let server: SecuredServer;
  beforeAll(async () => {
    server = await startSecuredServer(database, {
      limits: { rateLimitPerMinute: 600, rateLimitBurst: 20, floodStrikes: 20 },
    });
  });
  afterAll(() => server.close());

  it("E4: a client flooding 1000 messages is throttled (-32005), then closed with 1008; another client's p99 stays flat", async () => {
    const bystander = await openSocket(server.wsUrl, { token: await server.mint({ sub: "bystander" }) });
    const timeCalls = async (n: number) => {
      const latencies: number[] = [];
      for (let i = 0; i < n; i++) {
        const started = performance.now();
        const reply = await socketCall(bystander, "system.health");
        expect(reply.result.status).toBe("ok");
        latencies.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return latencies;
    };
    const baseline = await timeCalls(8);

    const flooder = await openSocket(server.wsUrl, { token: await server.mint({ sub: "flooder" }) });
    const frames: any[] = [];
    flooder.on("message", (data) => frames.push(JSON.parse(data.toString())));
    const end = closed(flooder);
    const during = timeCalls(8);
    const floodStarted = performance.now();
    for (let i = 0; i < 1000 && flooder.readyState === WebSocket.OPEN; i++) {
      flooder.send(JSON.stringify({ jsonrpc: "2.0", method: "system.health", id: i }));
    }
    expect(await end).toMatchObject({ code: 1008, reason: "rate limit exceeded" });
    const floodMs = performance.now() - floodStarted;
    const latencies = await during;

    const refused = frames.filter((f) => f.error?.code === -32005);
    // The burst, plus what refilled (10 a second) while the flood lasted: far from the 1000 sent.
    expect(frames.filter((f) => f.result).length).toBeLessThanOrEqual(20 + Math.ceil(floodMs / 100) + 1);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ error: { data: { retryAfterMs: expect.any(Number) } } });
    expect(typeof refused[0].id).toBe("number");
    // Flat within the noise of two shared cores (the flooding client runs in this process too). Measured
    // here: bystander max 63 ms with the limit, 598 ms with it off (the server answering the whole flood).
    expect(percentile(latencies, 99)).toBeLessThan(Math.max(5 * percentile(baseline, 99), 500));
    bystander.close();
  });
});

describe("E1: browser origin allowlist", () => {
  let server: SecuredServer;
  beforeAll(async () => {
    server = await startSecuredServer(database, { limits: { allowedOrigins: ["https://app.example.com"] } });
  });
  afterAll(() => server.close());

  it("refuses a WebSocket from an origin not on the exact list with 403 before the upgrade: no socket", async () => {
    const token = await server.mint();
    const baseline = server.server.openSockets();
    for (const origin of [
      "https://evil.example",
      "https://app.example.com.evil.example",
      "http://app.example.com",
      "null",
    ]) {
      expect(await connect(server.wsUrl, { token, origin })).toMatchObject({ opened: false, status: 403 });
    }
    expect(server.server.openSockets()).toBe(baseline);
    const allowed = await openSocket(server.wsUrl, { token, origin: "https://app.example.com" });
    // No Origin header: not a browser page, so allowed (it still had to authenticate).
    const cli = await openSocket(server.wsUrl, { token });
    expect(server.server.openSockets()).toBe(baseline + 2);
    allowed.close();
    cli.close();
  });

  it("refuses a cross-origin POST from elsewhere, and answers CORS preflight for the allowed origin", async () => {
    const token = await server.mint();
    const evil = await rpc(server.url, "auth.whoami", {}, token, { origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    expect(evil.body).toMatchObject({
      error: { code: -32003, data: { reason: "origin not allowed" } },
      id: null,
    });
    const preflight = await fetch(`${server.url}/rpc`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    const ok = await rpc(server.url, "auth.whoami", {}, token, { origin: "https://app.example.com" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
  });
});

describe("E5: a client that stops reading", () => {
  let server: SecuredServer;
  beforeAll(async () => {
    server = await startSecuredServer(database, {
      limits: { wsMaxBufferedBytes: 256 * 1024 },
      methods: [blob],
    });
  });
  afterAll(() => server.close());

  it("is closed with 1013 once its unsent data passes the cap, instead of being buffered without bound", async () => {
    const ws = await openSocket(server.wsUrl, { token: await server.mint() });
    let results = 0;
    ws.on("message", () => results++);
    const end = closed(ws);
    ws.pause();
    // Fewer calls than the transport queues (16 running + 256 waiting), each answered with 128 KiB.
    const calls = 250;
    for (let i = 0; i < calls; i++) {
      ws.send(JSON.stringify({ jsonrpc: "2.0", method: "test.blob", params: { size: 128 * 1024 }, id: i }));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    ws.resume();
    expect(await end).toMatchObject({ code: 1013, reason: "client is not reading" });
    // What the kernel buffers plus the cap, not the 31 MiB the calls asked for.
    expect(results).toBeLessThan(calls);
  });
});

describe("E6: idle sockets and missed pongs", () => {
  it("closes a socket idle past the timeout, keeps a busy one, and the gauge returns to baseline", async () => {
    const server = await startSecuredServer(database, { limits: { wsIdleTimeoutMs: 400 } });
    try {
      const baseline = server.server.openSockets();
      const idle = await openSocket(server.wsUrl, { token: await server.mint() });
      const chatty = await openSocket(server.wsUrl, { token: await server.mint() });
      const end = closed(idle);
      for (let i = 0; i < 6; i++) {
        await socketCall(chatty, "system.health");
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      expect(await end).toMatchObject({ code: 1000, reason: "idle timeout" });
      expect(chatty.readyState).toBe(WebSocket.OPEN);
      chatty.close();
      await closed(chatty);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.server.openSockets()).toBe(baseline);
    } finally {
      await server.close();
    }
  });

  it("terminates a socket that stops answering pings; one that answers stays open", async () => {
    const server = await startSecuredServer(database, { limits: { wsPingIntervalMs: 200 } });
    try {
      const baseline = server.server.openSockets();
      const silent = await openSocket(server.wsUrl, { token: await server.mint(), autoPong: false });
      const alive = await openSocket(server.wsUrl, { token: await server.mint() });
      const end = await closed(silent);
      // terminate(): no close frame, so the client sees an abnormal closure.
      expect(end.code).toBe(1006);
      expect(alive.readyState).toBe(WebSocket.OPEN);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.server.openSockets()).toBe(baseline + 1);
      alive.close();
    } finally {
      await server.close();
    }
  });
});
