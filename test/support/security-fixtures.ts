import { createHmac, type KeyObject, randomUUID, sign } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importJWK, type JWK, type JWTPayload, SignJWT } from "jose";
import WebSocket from "ws";
import type { Database } from "../../src/db/client.js";
import { createMarketingSystem, type MarketingSystem, type MarketingSystemOptions } from "../../src/index.js";
import { loadOrCreateDevKey } from "../../src/server/auth/dev-key.js";
import type { AuthOptions } from "../../src/server/auth/options.js";
import type { Listening } from "../../src/server/listen.js";
import type { AnyMethod } from "../../src/server/rpc/method.js";

/**
 * Security test fixtures: a real listening server with authentication on, token minting (honest tokens
 * and crafted attacks), real fetch and ws clients, and an HTTP server that counts the requests it gets
 * (to prove that no outbound fetch happened, or how many JWKS refetches did).
 */

export const ISSUER = "https://issuer.test";
export const AUDIENCE = "marketing-agents-test";

export interface SecuredServer {
  system: MarketingSystem;
  server: Listening;
  url: string;
  wsUrl: string;
  devKey: JWK;
  /** Where the development key lives: pass it as `auth.devKeyDir` to start a replica trusting the same key. */
  devKeyDir: string;
  /** A token signed with the server's development key; `claims` and `header` override the defaults. */
  mint(claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** Serves `createMarketingSystem` with auth required on `database` (which the caller owns and closes). */
export async function startSecuredServer(
  database: Database,
  options: {
    auth?: Partial<AuthOptions>;
    limits?: MarketingSystemOptions["limits"];
    methods?: AnyMethod[];
  } = {},
): Promise<SecuredServer> {
  const ownDir = options.auth?.devKeyDir === undefined;
  const devKeyDir = options.auth?.devKeyDir ?? (await mkdtemp(join(tmpdir(), "ma-auth-")));
  const system = await createMarketingSystem({
    database,
    approvalPolicy: "never",
    ...(options.methods ? { methods: options.methods } : {}),
    auth: {
      required: true,
      issuer: ISSUER,
      audience: AUDIENCE,
      revocationPollMs: 200,
      ...options.auth,
      devKeyDir,
    },
    limits: { wsPingIntervalMs: 60_000, ...options.limits },
  });
  const server = await system.listen({ port: 0 });
  const devKey = (await loadOrCreateDevKey(devKeyDir)).privateJwk;
  return {
    system,
    server,
    url: server.url,
    wsUrl: `${server.url.replace("http", "ws")}/ws`,
    devKey,
    devKeyDir,
    mint: (claims = {}, header = {}) => signWith(devKey, claims, header),
    async close() {
      await system.close();
      if (ownDir) await rm(devKeyDir, { recursive: true, force: true });
    },
  };
}

/** Default access-token claims: valid for 10 minutes, role marketer, tenant "acme". */
export function standardClaims(
  overrides: Record<string, unknown> = {},
): JWTPayload & Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: "user-1",
    jti: randomUUID(),
    iat: now,
    exp: now + 600,
    role: "marketer",
    tenant: "acme",
    ...overrides,
  };
}

/** Signs with a private JWK; a claim or header set to `undefined` is left out. */
export async function signWith(
  privateJwk: JWK,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const alg = (header.alg as string | undefined) ?? privateJwk.alg ?? "ES256";
  const payload = dropUndefined(standardClaims(claims));
  const protectedHeader = dropUndefined({ alg, typ: "at+jwt", kid: privateJwk.kid, ...header });
  return new SignJWT(payload)
    .setProtectedHeader(protectedHeader as { alg: string })
    .sign(await importJWK(privateJwk, alg));
}

const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** `alg: none`: header and payload, empty signature (B1). */
export function unsignedToken(claims: Record<string, unknown> = {}): string {
  return `${b64({ alg: "none", typ: "at+jwt" })}.${b64(standardClaims(claims))}.`;
}

/** HS256 over header.payload with an arbitrary byte string as the HMAC secret, e.g. a public key's PEM (B2). */
export function hmacToken(
  secret: string | Uint8Array,
  claims: Record<string, unknown> = {},
  header = {},
): string {
  const signingInput = `${b64({ alg: "HS256", typ: "at+jwt", ...header })}.${b64(standardClaims(claims))}`;
  return `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
}

/** RS256 with node:crypto, which (unlike jose) will sign with keys under 2048 bits: for B7. */
export function rs256Token(privateKey: KeyObject, claims: Record<string, unknown> = {}, header = {}): string {
  const signingInput = `${b64({ alg: "RS256", typ: "at+jwt", ...header })}.${b64(standardClaims(claims))}`;
  return `${signingInput}.${sign("sha256", Buffer.from(signingInput), privateKey).toString("base64url")}`;
}

/** The same token with its payload edited and the original signature kept (B3). */
export function withEditedPayload(token: string, edit: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
  return `${header}.${b64({ ...claims, ...edit })}.${signature}`;
}

function dropUndefined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

export interface RpcReply {
  status: number;
  headers: Headers;
  body: any;
}

let nextId = 1;
/** One JSON-RPC call over HTTP with real fetch. */
export async function rpc(
  url: string,
  method: string,
  params: unknown = {},
  token?: string,
  headers: Record<string, string> = {},
): Promise<RpcReply> {
  const response = await fetch(`${url}/rpc`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: "2.0", method, params, id: nextId++ }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

export type SocketOutcome =
  | { opened: true; ws: WebSocket }
  | { opened: false; status: number; headers: IncomingMessage["headers"] };

/** Opens a real ws client; resolves with the socket, or with the HTTP status if the upgrade was refused. */
export function connect(
  wsUrl: string,
  options: { token?: string; protocols?: string[]; origin?: string; autoPong?: boolean } = {},
): Promise<SocketOutcome> {
  const ws = new WebSocket(wsUrl, options.protocols ?? [], {
    ...(options.token ? { headers: { authorization: `Bearer ${options.token}` } } : {}),
    ...(options.origin ? { origin: options.origin } : {}),
    ...(options.autoPong === false ? { autoPong: false } : {}),
  });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ opened: true, ws }));
    ws.once("unexpected-response", (_req, res) => {
      resolve({ opened: false, status: res.statusCode ?? 0, headers: res.headers });
      res.resume();
      ws.terminate();
    });
    ws.once("error", reject);
  });
}

/** Opens a socket that must open. */
export async function openSocket(
  wsUrl: string,
  options: Parameters<typeof connect>[1] = {},
): Promise<WebSocket> {
  const outcome = await connect(wsUrl, options);
  if (!outcome.opened) throw new Error(`upgrade refused with ${outcome.status}`);
  return outcome.ws;
}

/** Sends one call on a socket and waits for the frame with its id. */
export function socketCall(
  ws: WebSocket,
  method: string,
  params: unknown = {},
  timeoutMs = 10_000,
): Promise<any> {
  const id = `s${nextId++}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.off("message", onMessage);
      reject(new Error(`no answer to ${method} in ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString());
      if (frame.id !== id) return;
      clearTimeout(timer);
      ws.off("message", onMessage);
      resolve(frame);
    };
    ws.on("message", onMessage);
    ws.send(JSON.stringify({ jsonrpc: "2.0", method, params, id }));
  });
}

/** Resolves with the close code (and reason) when the socket closes. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string; at: number }> {
  if (ws.readyState === WebSocket.CLOSED)
    return Promise.resolve({ code: -1, reason: "already closed", at: Date.now() });
  return new Promise((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })),
  );
}

export interface CountingServer {
  url: string;
  /** Requests received so far, by path. */
  hits: string[];
  /** Replace what it serves. */
  respond: (body: unknown) => void;
  close(): Promise<void>;
}

/** An HTTP server answering every request with JSON `body` and recording each request's path. */
export async function countingServer(body: unknown = {}): Promise<CountingServer> {
  let current = body;
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? "/");
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(current));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    respond: (next) => {
      current = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
