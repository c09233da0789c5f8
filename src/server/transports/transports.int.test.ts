import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { normalizeBatch, specMethods, specVectors } from "../../../test/support/spec-methods.js";
import type { ServerApp } from "../app.js";
import { localOperator } from "../auth/permissions.js";
import { type Listening, listen } from "../listen.js";
import { createDispatcher } from "../rpc/dispatcher.js";
import { mountHttpTransport } from "./http.js";
import { mountWebSocketTransport } from "./websocket.js";

const MAX_BODY = 4_096;
const MAX_WS = 2_048;

let server: Listening;

beforeAll(async () => {
  const dispatcher = createDispatcher(specMethods);
  const shutdown = new AbortController();
  const app = new Hono();
  const principalOf = () => localOperator;
  mountHttpTransport(app, dispatcher, {
    maxBodyBytes: MAX_BODY,
    principalOf,
    shutdownSignal: shutdown.signal,
  });
  mountWebSocketTransport(app, dispatcher, { principalOf, shutdownSignal: shutdown.signal });
  const serverApp: ServerApp = { app, dispatcher, shutdown };
  server = await listen(serverApp, { host: "127.0.0.1", port: 0, maxWsMessageBytes: MAX_WS });
});

afterAll(() => server.close());

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
}

/** A real ws client; resolves with the frames received within `quietMs` after the last one. */
async function openSocket(): Promise<WebSocket> {
  const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws`);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return ws;
}

function nextFrame(ws: WebSocket, timeoutMs = 300): Promise<unknown | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.off("message", onMessage);
      resolve(undefined);
    }, timeoutMs);
    const onMessage = (data: WebSocket.RawData) => {
      clearTimeout(timer);
      resolve(JSON.parse(data.toString()));
    };
    ws.once("message", onMessage);
  });
}

describe("JSON-RPC specification examples over HTTP (fetch)", () => {
  for (const vector of specVectors) {
    it(vector.name, async () => {
      const { status, json, text } = await post(vector.send);
      if (vector.expect === undefined) {
        expect(status).toBe(204);
        expect(text).toBe("");
      } else {
        expect(status).toBe(200);
        expect(normalizeBatch(json)).toEqual(normalizeBatch(vector.expect));
      }
    });
  }
});

describe("JSON-RPC specification examples over WebSocket (ws)", () => {
  let ws: WebSocket;
  beforeAll(async () => {
    ws = await openSocket();
  });
  afterAll(() => ws.close());

  for (const vector of specVectors) {
    it(vector.name, async () => {
      const frame = nextFrame(ws);
      ws.send(vector.send);
      const received = await frame;
      expect(normalizeBatch(received)).toEqual(normalizeBatch(vector.expect));
    });
  }
});

describe("limits and robustness", () => {
  it("answers an oversize HTTP body with 413 and a JSON-RPC error, then keeps serving", async () => {
    const big = JSON.stringify({ jsonrpc: "2.0", method: "sum", params: new Array(MAX_BODY).fill(1), id: 1 });
    const { status, json } = await post(big);
    expect(status).toBe(413);
    expect(json).toMatchObject({ error: { code: -32600 }, id: null });
    expect((await post('{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":2}')).json).toEqual({
      jsonrpc: "2.0",
      result: 3,
      id: 2,
    });
  });

  it("counts a chunked body with no Content-Length against the limit too", async () => {
    const chunk = new TextEncoder().encode("x".repeat(1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(`${server.url}/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: -32600 }, id: null });
  });

  it("closes a socket with 1009 when a frame exceeds the limit; other sockets keep working", async () => {
    const victim = await openSocket();
    const bystander = await openSocket();
    const closed = new Promise<number>((resolve) => victim.once("close", (code) => resolve(code)));
    victim.send(JSON.stringify({ jsonrpc: "2.0", method: "sum", params: new Array(MAX_WS).fill(1), id: 1 }));
    expect(await closed).toBe(1009);
    const frame = nextFrame(bystander);
    bystander.send('{"jsonrpc":"2.0","method":"subtract","params":[5,3],"id":"b"}');
    expect(await frame).toEqual({ jsonrpc: "2.0", result: 2, id: "b" });
    bystander.close();
  });

  it("reads a binary frame as UTF-8 JSON, and answers a call sent the moment the socket opens", async () => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws`);
    const first = nextFrame(ws, 2_000);
    ws.once("open", () => ws.send('{"jsonrpc":"2.0","method":"subtract","params":[9,4],"id":"early"}'));
    expect(await first).toEqual({ jsonrpc: "2.0", result: 5, id: "early" });
    const second = nextFrame(ws);
    ws.send(Buffer.from('{"jsonrpc":"2.0","method":"subtract","params":[7,1],"id":"bin-ü"}'), {
      binary: true,
    });
    expect(await second).toEqual({ jsonrpc: "2.0", result: 6, id: "bin-ü" });
    ws.close();
  });

  it("never sends a stack trace over either transport", async () => {
    const { json } = await post('{"jsonrpc":"2.0","method":"explode","id":1}');
    expect(json).toMatchObject({ error: { code: -32603 } });
    expect(JSON.stringify(json)).not.toMatch(/secret|at \/|\.ts:/);
    const ws = await openSocket();
    const frame = nextFrame(ws);
    ws.send('{"jsonrpc":"2.0","method":"explode","id":2}');
    expect(JSON.stringify(await frame)).not.toMatch(/secret|\.ts:/);
    ws.close();
  });

  it("answers wrong param types with -32602 and the zod issues over HTTP", async () => {
    const { json } = await post(
      '{"jsonrpc":"2.0","method":"subtract","params":{"minuend":"x","subtrahend":1},"id":9}',
    );
    expect(json).toMatchObject({ error: { code: -32602, data: { issues: [{ path: "minuend" }] } }, id: 9 });
  });
});
