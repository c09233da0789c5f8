import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type AnswerWriter, coalescingAnswerWriter } from "./answer-writer.js";

/**
 * The coalescing writer on a real node:http server and real sockets. Each server hands its requests to
 * `onRequest`, which decides when they are answered, so a test can put several answers in one turn.
 */

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(onRequest: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => onRequest(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

interface Reply {
  status: number;
  headers: IncomingMessage["headers"];
  body: string;
}

/** One POST on a connection of its own (no keep-alive agent): the answers travel on separate sockets. */
function post(url: string, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent: false });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Answers once `count` requests are in, all in one synchronous block: one turn of the event loop. */
function gather(count: number, answerAll: (held: Array<[IncomingMessage, ServerResponse, string]>) => void) {
  const held: Array<[IncomingMessage, ServerResponse, string]> = [];
  return (req: IncomingMessage, res: ServerResponse, body: string) => {
    held.push([req, res, body]);
    if (held.length === count) answerAll(held);
  };
}

describe("coalescingAnswerWriter", () => {
  it("writes each answer on its own response, with the JSON-RPC headers, after the turn it was given in", async () => {
    const answer: AnswerWriter = coalescingAnswerWriter();
    const writtenInTurn: boolean[] = [];
    const url = await serve(
      gather(12, (held) => {
        for (const [, res, body] of held) answer(res, JSON.stringify({ echoed: JSON.parse(body) }));
        // Nothing is on the wire before the turn ends, not even once this turn's callbacks and promises ran.
        void Promise.resolve().then(() => writtenInTurn.push(...held.map(([, res]) => res.headersSent)));
      }),
    );
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) => post(url, JSON.stringify({ id: i }))),
    );
    expect(writtenInTurn).toEqual(Array(12).fill(false));
    replies.forEach((reply, i) => {
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toEqual({ echoed: { id: i } });
      expect(reply.headers["content-type"]).toBe("application/json");
      expect(reply.headers["cache-control"]).toBe("no-store");
      expect(reply.headers["x-content-type-options"]).toBe("nosniff");
      expect(Number(reply.headers["content-length"])).toBe(Buffer.byteLength(reply.body));
    });
  });

  it("answers 204 with no body when there is nothing to send (notifications only)", async () => {
    const answer = coalescingAnswerWriter();
    const url = await serve((_req, res) => answer(res, undefined));
    const reply = await post(url, "{}");
    expect(reply.status).toBe(204);
    expect(reply.body).toBe("");
  });

  it("counts bytes, not characters, in Content-Length", async () => {
    const answer = coalescingAnswerWriter();
    const url = await serve((_req, res) => answer(res, JSON.stringify({ name: "Zoë Ångström ✓" })));
    const reply = await post(url, "{}");
    expect(JSON.parse(reply.body)).toEqual({ name: "Zoë Ångström ✓" });
  });

  it("skips an answer whose client went away while it waited, and still writes the others", async () => {
    const answer = coalescingAnswerWriter();
    const url = await serve(
      gather(3, (held) => {
        const [gone] = held;
        gone?.[0].socket.destroy();
        for (const [, res, body] of held) answer(res, body);
      }),
    );
    const settled = await Promise.allSettled([0, 1, 2].map((i) => post(url, `{"n":${i}}`)));
    const fulfilled = settled.filter((s): s is PromiseFulfilledResult<Reply> => s.status === "fulfilled");
    expect(settled.filter((s) => s.status === "rejected")).toHaveLength(1);
    expect(fulfilled.map((s) => JSON.parse(s.value.body).n).sort()).toHaveLength(2);
    expect(fulfilled.every((s) => s.value.status === 200)).toBe(true);
  });

  it("drops the connection of an answer that cannot be written, and still writes the others", async () => {
    const answer = coalescingAnswerWriter();
    const url = await serve(
      gather(3, (held) => {
        const [broken] = held;
        // Headers already sent: writing the answer's status line throws ERR_HTTP_HEADERS_SENT.
        broken?.[1].writeHead(200).flushHeaders();
        for (const [, res, body] of held) answer(res, body);
      }),
    );
    const settled = await Promise.allSettled([0, 1, 2].map((i) => post(url, `{"n":${i}}`)));
    const answered = settled.filter(
      (s) => s.status === "fulfilled" && s.value.headers["content-type"] === "application/json",
    );
    expect(answered).toHaveLength(2);
    // The broken one got its early status line and then a dropped connection, not a second answer.
    expect(settled.filter((s) => s.status === "rejected")).toHaveLength(1);
  });

  it("writes answers given while a turn's answers are being written in a later turn", async () => {
    const answer = coalescingAnswerWriter();
    const url = await serve(
      gather(2, (held) => {
        const [first, second] = held;
        if (!first || !second) return;
        // Written during the flush of the first answer: its 'finish' comes later, so hook the write itself.
        const end = first[1].end.bind(first[1]);
        first[1].end = ((...args: Parameters<typeof end>) => {
          const result = end(...args);
          answer(second[1], second[2]);
          return result;
        }) as (typeof first)[1]["end"];
        answer(first[1], first[2]);
      }),
    );
    const replies = await Promise.all([post(url, '{"n":0}'), post(url, '{"n":1}')]);
    expect(replies.map((r) => JSON.parse(r.body).n).sort()).toEqual([0, 1]);
  });
});
