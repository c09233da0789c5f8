import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
 * Sessions over real HTTP and WebSocket clients: who may connect (E2), how a token's end reaches open
 * sockets (B8: revocation on this replica and another; expiry), roles (B9), tenants, and the audit trail.
 */

let database: Database;
let a: SecuredServer;
let b: SecuredServer;
beforeAll(async () => {
  database = await createTestDatabase();
  // Two replicas on one database trusting one key: a revocation made on one reaches the other by polling
  // (every 200 ms here).
  a = await startSecuredServer(database);
  b = await startSecuredServer(database, { auth: { devKeyDir: a.devKeyDir } });
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await database.close();
});

const admin = (server: SecuredServer, tenant = "acme") => server.mint({ sub: "root", role: "admin", tenant });

describe("E2: the WebSocket upgrade is authenticated before any socket exists", () => {
  it("answers 401 with a challenge to a missing, expired or forged token, and opens nothing", async () => {
    const baseline = a.server.openSockets();
    const now = Math.floor(Date.now() / 1000);
    for (const token of [undefined, await a.mint({ exp: now - 120, iat: now - 600 }), "x.y.z"]) {
      const outcome = await connect(a.wsUrl, token === undefined ? {} : { token });
      expect(outcome).toMatchObject({ opened: false, status: 401 });
      if (!outcome.opened)
        expect(outcome.headers["www-authenticate"]).toMatch(/^Bearer realm="marketing-agents"/);
    }
    expect(a.server.openSockets()).toBe(baseline);
  });

  it("accepts the token from the Authorization header, or as the `bearer, <token>` subprotocol pair", async () => {
    const fromHeader = await openSocket(a.wsUrl, { token: await a.mint({ sub: "header-user" }) });
    expect((await socketCall(fromHeader, "auth.whoami")).result.subject).toBe("header-user");
    const token = await a.mint({ sub: "browser-user" });
    const fromProtocol = await openSocket(a.wsUrl, { protocols: ["bearer", token] });
    // The server picks "bearer", never echoing the token into the response headers.
    expect(fromProtocol.protocol).toBe("bearer");
    expect((await socketCall(fromProtocol, "auth.whoami")).result.subject).toBe("browser-user");
    fromHeader.close();
    fromProtocol.close();
  });
});

describe("B8: revocation and expiry end sessions, including open sockets", () => {
  it("revokes (iss, jti): the next call gets 401 and sockets on both replicas close with 1008 within seconds", async () => {
    // One token, used on both replicas.
    const jti = crypto.randomUUID();
    const tokenA = await a.mint({ sub: "leaver", jti });
    const tokenB = tokenA;
    const onA = await openSocket(a.wsUrl, { token: tokenA });
    const onB = await openSocket(b.wsUrl, { token: tokenB });
    expect((await socketCall(onA, "auth.whoami")).result.subject).toBe("leaver");
    expect((await rpc(a.url, "auth.whoami", {}, tokenA)).status).toBe(200);
    const closeA = closed(onA);
    const closeB = closed(onB);

    const revokedAt = Date.now();
    const revoke = await rpc(a.url, "auth.revoke", { jti }, await admin(a));
    expect(revoke.body.result).toMatchObject({ revoked: true, jti, issuer: "https://issuer.test" });

    const next = await rpc(a.url, "auth.whoami", {}, tokenA);
    expect(next.status).toBe(401);
    expect(next.body.error.data.reason).toBe("revoked");
    expect(next.headers.get("www-authenticate")).toMatch(
      /error="invalid_token", error_description="token revoked"/,
    );

    const [atA, atB] = await Promise.all([closeA, closeB]);
    expect(atA).toMatchObject({ code: 1008, reason: "token revoked" });
    expect(atB).toMatchObject({ code: 1008, reason: "token revoked" });
    expect(atA.at - revokedAt).toBeLessThan(1_000);
    expect(atB.at - revokedAt).toBeLessThan(3_000);
    expect((await rpc(b.url, "auth.whoami", {}, tokenB)).status).toBe(401);
    // The same person's other tokens are untouched: revocation is per token.
    expect((await rpc(a.url, "auth.whoami", {}, await a.mint({ sub: "leaver" }))).status).toBe(200);
  });

  it("only an admin may revoke", async () => {
    const reply = await rpc(a.url, "auth.revoke", { jti: "anything" }, await a.mint({ role: "marketer" }));
    expect(reply.body.error).toMatchObject({ code: -32003, data: { permission: "auth:revoke" } });
  });

  it("closes a socket with 1008 when its token expires, and refuses it messages from then on", async () => {
    const now = Math.floor(Date.now() / 1000);
    const ws = await openSocket(a.wsUrl, { token: await a.mint({ exp: now + 2 }) });
    expect((await socketCall(ws, "auth.whoami")).result.role).toBe("marketer");
    const end = await closed(ws);
    expect(end).toMatchObject({ code: 1008, reason: "token expired" });
    expect(end.at).toBeLessThan((now + 2) * 1000 + 1_500);
  });
});

describe("B9 and tenants: what a principal may do, and on which data", () => {
  it("answers -32003 to a role without the permission, over HTTP and WS, and audits the denial", async () => {
    const viewer = await a.mint({ sub: "viewer-1", role: "viewer" });
    const http = await rpc(a.url, "leads.upsert", { lead: { name: "Nope" } }, viewer, {
      "x-request-id": "deny-1",
    });
    expect(http.body.error).toEqual({
      code: -32003,
      message: "Forbidden",
      data: { permission: "leads:write" },
    });
    const ws = await openSocket(a.wsUrl, { token: viewer });
    expect((await socketCall(ws, "audit.list")).error).toMatchObject({ code: -32003 });
    ws.close();

    const list = await rpc(a.url, "audit.list", { actor: "viewer-1" }, await admin(a));
    const denial = list.body.result.entries.find((e: any) => e.requestId === "deny-1");
    expect(denial).toMatchObject({
      actor: "viewer-1",
      role: "viewer",
      method: "leads.upsert",
      result: "denied",
    });
    expect(denial.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.now() - Date.parse(denial.at)).toBeLessThan(60_000);
    expect(list.body.result.entries.map((e: any) => e.method)).toContain("audit.list");
  });

  it("keeps tenants apart: B cannot read A's lead, run on it, or see A's thread", async () => {
    const alice = await a.mint({ sub: "alice", tenant: "acme" });
    const bob = await a.mint({ sub: "bob", tenant: "globex" });
    const lead = (
      await rpc(a.url, "leads.upsert", { lead: { name: "Ann", email: "ann@acme.example" } }, alice)
    ).body.result.lead;
    expect((await rpc(a.url, "leads.get", { id: lead.id }, alice)).body.result.lead.id).toBe(lead.id);
    expect((await rpc(a.url, "leads.get", { id: lead.id }, bob)).body.error).toMatchObject({ code: -32004 });
    expect(
      (await rpc(a.url, "threads.run", { input: { lead: { id: lead.id } } }, bob)).body.error,
    ).toMatchObject({ code: -32004 });

    const threadId = "shared-name";
    const aliceRun = await rpc(
      a.url,
      "threads.run",
      { threadId, input: { message: "acme secret plan" } },
      alice,
    );
    expect(aliceRun.body.result.threadId).toBe(threadId);
    expect((await rpc(a.url, "threads.get", { threadId }, bob)).body.error).toMatchObject({ code: -32004 });
    // The same thread name in tenant B is B's own thread: it starts empty, without A's messages.
    const bobRun = await rpc(a.url, "threads.run", { threadId, input: { message: "globex plan" } }, bob);
    const bobMessages = JSON.stringify(bobRun.body.result.state.messages ?? []);
    expect(bobMessages).toContain("globex plan");
    expect(bobMessages).not.toContain("acme secret plan");
    // Audit entries are tenant-scoped too.
    const globexAudit = await rpc(a.url, "audit.list", { limit: 500 }, await admin(a, "globex"));
    expect(globexAudit.body.result.entries.every((e: any) => e.actor !== "alice")).toBe(true);
  });
});

describe("the audit trail", () => {
  it("records each call of a batch with its own target, and never a token or personal data", async () => {
    const token = await a.mint({ sub: "auditor-subject" });
    const email = "pii.person@example.org";
    const created = await rpc(a.url, "leads.upsert", { lead: { name: "Pia Person", email } }, token);
    const other = await rpc(
      a.url,
      "leads.upsert",
      { lead: { name: "Otto", email: "otto@example.org" } },
      token,
    );
    const ids = [created.body.result.lead.id, other.body.result.lead.id];
    const batch = await fetch(`${a.url}/rpc`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        "x-request-id": "batch-7",
      },
      body: JSON.stringify(
        ids.map((id, i) => ({ jsonrpc: "2.0", method: "leads.get", params: { id }, id: i })),
      ),
    });
    expect(batch.status).toBe(200);

    const entries = (await rpc(a.url, "audit.list", { actor: "auditor-subject" }, await admin(a))).body.result
      .entries;
    const batchTargets = entries.filter((e: any) => e.requestId === "batch-7").map((e: any) => e.target);
    expect(batchTargets.sort()).toEqual(ids.map((id) => `lead:${id}`).sort());
    const everything = JSON.stringify(entries);
    expect(everything).not.toContain(email);
    expect(everything).not.toContain("Pia");
    expect(everything).not.toContain(token.split(".")[2]);
  });

  it("audit.list pages newest first", async () => {
    const token = await admin(a);
    const first = (await rpc(a.url, "audit.list", { limit: 2 }, token)).body.result;
    expect(first.entries).toHaveLength(2);
    expect(first.entries[0].id).toBeGreaterThan(first.entries[1].id);
    const second = (await rpc(a.url, "audit.list", { limit: 2, before: first.next }, token)).body.result;
    expect(second.entries[0].id).toBeLessThan(first.entries[1].id);
  });

  it("audit.verify passes on the untouched chain and names the row tampered with by raw SQL", async () => {
    const token = await admin(a);
    const healthy = (await rpc(a.url, "audit.verify", {}, token)).body.result;
    expect(healthy).toMatchObject({ ok: true });
    expect(healthy.checked).toBeGreaterThan(10);

    const victim = (await rpc(a.url, "audit.list", { actor: "viewer-1" }, token)).body.result.entries[0];
    await database.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    try {
      await database.db.execute(sql`update audit_log set result = 'ok' where id = ${victim.id}`);
      const broken = (await rpc(a.url, "audit.verify", {}, token)).body.result;
      expect(broken).toMatchObject({ ok: false, firstBroken: { id: victim.id, problem: "hash_mismatch" } });
    } finally {
      await database.db.execute(sql`update audit_log set result = ${victim.result} where id = ${victim.id}`);
      await database.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    }
    expect((await rpc(a.url, "audit.verify", {}, token)).body.result.ok).toBe(true);
  });
});

describe("A12 under authentication: failures are answered cleanly and audited as errors", () => {
  const explode = defineMethod({
    name: "test.explode",
    description: "throws with a secret in its message",
    permission: "system:read",
    params: z.object({ n: z.number() }).strict(),
    result: z.null(),
    handler: () => {
      throw new Error("db password hunter2 at /srv/app/src/x.ts:12");
    },
  });
  let server: SecuredServer;
  beforeAll(async () => {
    server = await startSecuredServer(database, { methods: [explode] });
  });
  afterAll(() => server.close());

  it("answers -32602 for wrong param types and -32603 (request id only) for a throwing handler", async () => {
    const token = await server.mint({ sub: "a12" });
    const invalid = await rpc(server.url, "test.explode", { n: "one" }, token, {
      "x-request-id": "a12-invalid",
    });
    expect(invalid.body.error).toMatchObject({ code: -32602, data: { issues: [{ path: "n" }] } });
    const thrown = await rpc(server.url, "test.explode", { n: 1 }, token, { "x-request-id": "a12-thrown" });
    expect(thrown.body).toEqual({
      jsonrpc: "2.0",
      error: { code: -32603, message: "Internal error", data: { requestId: "a12-thrown" } },
      id: expect.any(Number),
    });
    expect(JSON.stringify(thrown.body)).not.toMatch(/hunter2|\.ts:|\/srv/);
    const entries = (await rpc(server.url, "audit.list", { actor: "a12" }, await admin(server))).body.result
      .entries;
    expect(entries.map((e: any) => [e.requestId, e.result]).sort()).toEqual([
      ["a12-invalid", "error"],
      ["a12-thrown", "error"],
    ]);
  });
});
