import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/support/database.js";
import {
  openSocket,
  rpc,
  type SecuredServer,
  socketCall,
  startSecuredServer,
} from "../../../test/support/security-fixtures.js";
import type { Database } from "../../db/client.js";

/** The audit policy (`policy.ts`) through a real server: which calls leave a row, over HTTP and WS. */
let database: Database;
let server: SecuredServer;
beforeAll(async () => {
  database = await createTestDatabase();
  server = await startSecuredServer(database);
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe("audit policy", () => {
  it("records data-touching calls and refusals, not successful health and discovery reads", async () => {
    const [viaSocket, viaHttp] = [randomUUID(), randomUUID()];
    const token = await server.mint({ sub: "probe-and-work", role: "viewer", tenant: "acme" });
    expect((await rpc(server.url, "system.health", {}, token)).body.result.status).toBe("ok");
    expect((await rpc(server.url, "rpc.discover", {}, token)).body.result.openrpc).toBeDefined();
    expect((await rpc(server.url, "auth.whoami", {}, token)).body.result.subject).toBe("probe-and-work");
    const ws = await openSocket(server.wsUrl, { token });
    try {
      expect((await socketCall(ws, "system.health")).result.status).toBe("ok");
      expect((await socketCall(ws, "leads.get", { id: viaSocket })).error.code).toBe(-32004);
    } finally {
      ws.close();
    }
    const missing = await rpc(server.url, "leads.get", { id: viaHttp }, token);
    expect(missing.body.error.code).toBe(-32004);
    const denied = await rpc(server.url, "leads.upsert", { lead: { name: "Vi" } }, token);
    expect(denied.body.error.code).toBe(-32003);
    const invalid = await rpc(server.url, "system.health", { extra: 1 }, token);
    expect(invalid.body.error.code).toBe(-32602);
    expect((await rpc(server.url, "leads.nope", {}, token)).body.error.code).toBe(-32601);

    const admin = await server.mint({ sub: "root", role: "admin", tenant: "acme" });
    const entries = (await rpc(server.url, "audit.list", { actor: "probe-and-work" }, admin)).body.result
      .entries;
    expect(
      entries
        .map((e: { method: string; target: string | null; result: string }) => [e.method, e.target, e.result])
        .reverse(),
    ).toEqual([
      ["leads.get", `lead:${viaSocket}`, "error"],
      ["leads.get", `lead:${viaHttp}`, "error"],
      ["leads.upsert", null, "denied"],
      ["system.health", null, "error"],
      ["leads.nope", null, "error"],
    ]);
  });
});
