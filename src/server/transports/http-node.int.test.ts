import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "../../../test/support/database.js";
import { type SecuredServer, startSecuredServer } from "../../../test/support/security-fixtures.js";
import type { Database } from "../../db/client.js";

/**
 * `POST /rpc` has two paths: the node:http fast path (http-node.ts) and the Hono route behind it, which
 * serves what the fast path declines. Here every request goes to both on one real listening server
 * (`/rpc` takes the fast path; `/rpc?via=hono` does not match it and Hono serves it) and the answers
 * must be the same. A spy on the fast path proves which one answered.
 */

const taken: string[] = [];
vi.mock("./http-node.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("./http-node.js")>();
  return {
    ...real,
    nodeRpcHandler: (...args: Parameters<typeof real.nodeRpcHandler>) => {
      const handle = real.nodeRpcHandler(...args);
      return (request: Parameters<typeof handle>[0], response: Parameters<typeof handle>[1]) => {
        const took = handle(request, response);
        if (took) taken.push(request.url ?? "");
        return took;
      };
    },
  };
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Sent {
  /** Header lines in order; a name may repeat. */
  headers?: Array<[string, string]>;
  body?: string | Buffer;
  /** Send the body in two writes without a Content-Length (Transfer-Encoding: chunked). */
  chunked?: boolean;
}

/** A raw node:http client: repeated header lines and chunked bodies, which fetch cannot send. */
function post(url: string, sent: Sent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST" });
    const byName = new Map<string, string[]>();
    for (const [name, value] of sent.headers ?? []) byName.set(name, [...(byName.get(name) ?? []), value]);
    for (const [name, values] of byName)
      req.setHeader(name, values.length === 1 ? (values[0] as string) : values);
    const body = typeof sent.body === "string" ? Buffer.from(sent.body) : (sent.body ?? Buffer.alloc(0));
    if (!sent.chunked) req.setHeader("content-length", body.length);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on("error", reject);
    if (sent.chunked) {
      const half = Math.floor(body.length / 2);
      req.write(body.subarray(0, half));
      req.end(body.subarray(half));
    } else {
      req.end(body);
    }
  });
}

const compared = ["content-type", "cache-control", "x-content-type-options", "www-authenticate"] as const;

function comparable(reply: Reply) {
  return {
    status: reply.status,
    headers: Object.fromEntries(compared.map((name) => [name, reply.headers[name]])),
    retryAfter: reply.headers["retry-after"] !== undefined,
    body: reply.body === "" ? "" : JSON.parse(reply.body),
  };
}

let database: Database;
let server: SecuredServer;
let limited: SecuredServer;
let token: string;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startSecuredServer(database, { limits: { maxBodyBytes: 4096 } });
  limited = await startSecuredServer(database, { limits: { rateLimitPerMinute: 1, rateLimitBurst: 4 } });
  token = await server.mint({ sub: "parity", role: "admin" });
});
afterAll(async () => {
  await Promise.all([server?.close(), limited?.close()]);
  await database?.close();
});

const call = (method: string, params?: unknown, id: unknown = 1) =>
  JSON.stringify({ jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }), id });

async function both(target: SecuredServer, sent: Sent) {
  const before = taken.length;
  const fast = await post(`${target.url}/rpc`, sent);
  const tookFast = taken.length === before + 1;
  const hono = await post(`${target.url}/rpc?via=hono`, sent);
  expect(taken.length, "the Hono request must not go through the fast path").toBe(before + 1);
  return { fast, hono, tookFast };
}

describe("POST /rpc answers the same on the node:http fast path and through Hono", () => {
  const auth = (): Array<[string, string]> => [
    ["content-type", "application/json"],
    ["authorization", `Bearer ${token}`],
  ];
  const cases: Array<[string, () => Sent]> = [
    ["a call", () => ({ headers: auth(), body: call("auth.whoami", {}) })],
    [
      "a batch with a notification and an unknown method",
      () => ({
        headers: auth(),
        body: `[${call("auth.whoami", {}, 1)},{"jsonrpc":"2.0","method":"auth.whoami"},${call("nope", {}, "x")}]`,
      }),
    ],
    [
      "only notifications (204, no body)",
      () => ({ headers: auth(), body: '{"jsonrpc":"2.0","method":"auth.whoami"}' }),
    ],
    [
      "malformed JSON (-32700)",
      () => ({ headers: auth(), body: '{"jsonrpc":"2.0","method":"foo","params":"bar","baz]' }),
    ],
    ["an empty batch (-32600)", () => ({ headers: auth(), body: "[]" })],
    ["invalid params (-32602)", () => ({ headers: auth(), body: call("leads.get", { id: 42 }) })],
    [
      "a body starting with a byte order mark",
      () => ({
        headers: auth(),
        body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(call("auth.whoami", {}))]),
      }),
    ],
    ["a chunked body", () => ({ headers: auth(), body: call("auth.whoami", {}), chunked: true })],
    [
      "no token (401 with a challenge)",
      () => ({ headers: [["content-type", "application/json"]], body: call("auth.whoami") }),
    ],
    [
      "a forged token",
      () => ({
        headers: [["authorization", "Bearer x.y.z"]],
        body: call("auth.whoami"),
      }),
    ],
    [
      "two Authorization lines",
      () => ({
        headers: [...auth(), ["authorization", `Bearer ${token}`]],
        body: call("auth.whoami"),
      }),
    ],
    [
      "a declared body over the limit (413)",
      () => ({ headers: auth(), body: call("auth.whoami", { pad: "x".repeat(5000) }) }),
    ],
    [
      "a chunked body over the limit (413)",
      () => ({
        headers: auth(),
        body: call("auth.whoami", { pad: "x".repeat(5000) }),
        chunked: true,
      }),
    ],
  ];

  for (const [name, sent] of cases) {
    it(name, async () => {
      const { fast, hono, tookFast } = await both(server, sent());
      expect(tookFast, "the fast path served /rpc").toBe(true);
      expect(comparable(fast)).toEqual(comparable(hono));
      expect(fast.status).not.toBe(500);
    });
  }

  it("refuses over the rate limit the same way, from one budget per caller", async () => {
    const caller = await limited.mint({ sub: "limited", role: "admin" });
    const sent = {
      headers: [["authorization", `Bearer ${caller}`]] as Array<[string, string]>,
      body: call("auth.whoami", {}),
    };
    const first = await both(limited, sent);
    expect([first.fast.status, first.hono.status]).toEqual([200, 200]);
    const second = await both(limited, sent);
    expect([second.fast.status, second.hono.status]).toEqual([200, 200]);
    const third = await both(limited, sent);
    expect(third.fast.status).toBe(429);
    // The wait is counted from each request's own moment.
    const waitless = (reply: Reply) => {
      const seen = comparable(reply);
      expect(seen.body.error.data.retryAfterMs).toBeGreaterThan(0);
      seen.body.error.data.retryAfterMs = "some";
      return seen;
    };
    expect(waitless(third.fast)).toEqual(waitless(third.hono));
    expect(JSON.parse(third.fast.body).error.code).toBe(-32005);
  });
});

describe("what the fast path leaves to Hono", () => {
  it("a browser request (Origin), Server-Sent Events and other paths are served by Hono", async () => {
    const before = taken.length;
    const fromPage = await post(`${server.url}/rpc`, {
      headers: [
        ["origin", "https://evil.example"],
        ["authorization", `Bearer ${token}`],
      ],
      body: call("auth.whoami", {}),
    });
    expect(fromPage.status).toBe(403);
    const streaming = await post(`${server.url}/rpc`, {
      headers: [
        ["accept", "text/event-stream"],
        ["authorization", `Bearer ${token}`],
      ],
      body: call("auth.whoami", {}),
    });
    expect(streaming.status).toBe(200);
    expect(taken.length).toBe(before);
  });

  it("is off when asked", async () => {
    const plain = await server.system.listen({ port: 0, fastRpc: false });
    const before = taken.length;
    const reply = await post(`${plain.url}/rpc`, {
      headers: [["authorization", `Bearer ${token}`]],
      body: call("auth.whoami", {}),
    });
    expect(reply.status).toBe(200);
    expect(taken.length).toBe(before);
  });

  it("answers the same bytes when its answers are written one at a time (coalesceAnswers: false)", async () => {
    const oneByOne = await server.system.listen({ port: 0, coalesceAnswers: false });
    const before = taken.length;
    const sent: Sent = { headers: [["authorization", `Bearer ${token}`]], body: call("auth.whoami", {}) };
    const single = await post(`${oneByOne.url}/rpc`, sent);
    const together = await post(`${server.url}/rpc`, sent);
    expect(taken.length, "both took the fast path").toBe(before + 2);
    expect(single.status).toBe(200);
    expect(comparable(single)).toEqual(comparable(together));
  });

  it("keeps serving after a client drops a request halfway through its body", async () => {
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${server.url}/rpc`, {
        method: "POST",
        headers: { "content-length": "1000", authorization: `Bearer ${token}` },
      });
      req.on("error", () => resolve());
      req.write('{"jsonrpc":"2.0"');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    const after = await post(`${server.url}/rpc`, {
      headers: [["authorization", `Bearer ${token}`]],
      body: call("auth.whoami", {}),
    });
    expect(after.status).toBe(200);
  });
});
