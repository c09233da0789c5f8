import { Socket } from "node:net";
import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { z } from "zod";
import type { ServerApp } from "../app.js";
import { localOperator } from "../auth/permissions.js";
import { type Listening, listen } from "../listen.js";
import { createDispatcher } from "../rpc/dispatcher.js";
import { defineMethod } from "../rpc/method.js";
import { mountWebSocketTransport } from "./websocket.js";

/**
 * WebSocket messages written per event-loop turn (ADR 0004), on a real server and a real ws client:
 * a socket's answers of one turn leave in one write, in order, and answers ready at shutdown go out
 * before the close frame.
 */

const echo = defineMethod({
  name: "test.echo",
  description: "Answers its params.",
  permission: "system:read",
  params: z.object({ n: z.number() }),
  result: z.object({ n: z.number() }),
  handler: (params) => params,
});

const untilShutdown = defineMethod({
  name: "test.untilShutdown",
  description: "Answers once the server starts shutting down.",
  permission: "system:read",
  params: z.object({}),
  result: z.string(),
  handler: (_params, ctx) =>
    new Promise<string>((resolve) => ctx.signal.addEventListener("abort", () => resolve("drained"))),
});

let server: Listening | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

async function start(coalesceAnswers?: boolean): Promise<Listening> {
  const dispatcher = createDispatcher([echo, untilShutdown]);
  const shutdown = new AbortController();
  const app = new Hono();
  mountWebSocketTransport(app, dispatcher, {
    principalOf: () => localOperator,
    shutdownSignal: shutdown.signal,
    ...(coalesceAnswers === undefined ? {} : { coalesceAnswers }),
  });
  const serverApp: ServerApp = { app, dispatcher, shutdown };
  server = await listen(serverApp, { host: "127.0.0.1", port: 0, maxWsMessageBytes: 65_536 });
  return server;
}

async function connect(listening: Listening): Promise<WebSocket> {
  const ws = new WebSocket(`${listening.url.replace("http", "ws")}/ws`);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return ws;
}

/** Sends the calls in one TCP write, so that the server reads them in one turn. */
function sendTogether(ws: WebSocket, calls: string[]): void {
  const tcp = (ws as unknown as { _socket: Socket })._socket;
  tcp.cork();
  for (const call of calls) ws.send(call);
  tcp.uncork();
}

/** Calls `test.echo` with n = id = 0…7, all in one TCP write. */
function sendEightEchoes(ws: WebSocket): void {
  sendTogether(
    ws,
    Array.from({ length: 8 }, (_, i) =>
      JSON.stringify({ jsonrpc: "2.0", method: "test.echo", params: { n: i }, id: i }),
    ),
  );
}

function received(ws: WebSocket, count: number): Promise<Array<{ id: number; result: { n: number } }>> {
  const answers: Array<{ id: number; result: { n: number } }> = [];
  return new Promise((resolve) => {
    ws.on("message", (data) => {
      answers.push(JSON.parse(String(data)));
      if (answers.length === count) resolve(answers);
    });
  });
}

/** The writes made on the server's end of the connection (Node's stream calls, not system calls). */
function serverSideWrites(port: number) {
  const single = vi.spyOn(Socket.prototype, "_write");
  const vectored = vi.spyOn(Socket.prototype, "_writev");
  const onServer = (contexts: unknown[]) => contexts.filter((s) => (s as Socket).localPort === port).length;
  return () => ({ single: onServer(single.mock.contexts), vectored: onServer(vectored.mock.contexts) });
}

describe("WebSocket answers per event-loop turn", () => {
  it("sends a socket's answers of one turn in one write, in the order they were ready", async () => {
    const listening = await start();
    const ws = await connect(listening);
    const writes = serverSideWrites(listening.port);
    const answers = received(ws, 8);
    sendEightEchoes(ws);
    const got = await answers;
    expect(got.map((a) => [a.id, a.result.n])).toEqual(Array.from({ length: 8 }, (_, i) => [i, i]));
    expect(writes()).toEqual({ single: 0, vectored: 1 });
    ws.close();
  });

  it("with coalescing off, writes each answer as it is ready", async () => {
    const listening = await start(false);
    const ws = await connect(listening);
    const writes = serverSideWrites(listening.port);
    const answers = received(ws, 8);
    sendEightEchoes(ws);
    expect((await answers).map((a) => a.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const { single, vectored } = writes();
    expect(single + vectored).toBeGreaterThan(1);
    ws.close();
  });

  it("sends an answer made ready by the shutdown before the close frame", async () => {
    const listening = await start();
    const ws = await connect(listening);
    const events: unknown[] = [];
    const closed = new Promise<void>((resolve) =>
      ws.on("close", (code) => {
        events.push({ closed: code });
        resolve();
      }),
    );
    ws.on("message", (data) => events.push(JSON.parse(String(data))));
    ws.send(JSON.stringify({ jsonrpc: "2.0", method: "test.untilShutdown", params: {}, id: 1 }));
    // A socket's messages are read in order: once the later call is answered, the first one is running.
    const pong = received(ws, 1);
    ws.send(JSON.stringify({ jsonrpc: "2.0", method: "test.echo", params: { n: 0 }, id: 2 }));
    await pong;
    await listening.close();
    server = undefined;
    await closed;
    expect(events.slice(1)).toEqual([{ jsonrpc: "2.0", result: "drained", id: 1 }, { closed: 1001 }]);
  });
});
