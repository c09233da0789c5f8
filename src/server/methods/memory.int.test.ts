import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/support/database.js";
import type { Database } from "../../db/client.js";
import { upsertLead } from "../../db/leads.js";
import { createMemory } from "../../memory/service.js";
import { declaredMethods } from "../app.js";
import type { Principal, Role } from "../auth/permissions.js";
import { createDispatcher, type Dispatcher } from "../rpc/dispatcher.js";
import type { Services } from "./services.js";

/** The memory, knowledge and outcome methods through the real dispatcher: validation, permissions, tenants. */
let database: Database;
let dispatcher: Dispatcher;

beforeAll(async () => {
  database = await createTestDatabase();
  const services = {
    database,
    runner: {} as Services["runner"],
    version: "test",
    model: "offline",
    startedAt: new Date(),
    memory: createMemory({ db: database.db }),
  } satisfies Services;
  dispatcher = createDispatcher(declaredMethods(services), {});
});
afterAll(async () => database?.close());

let nextId = 1;
async function call(method: string, params: unknown, principal: Partial<Principal> = {}) {
  const who: Principal = { subject: "tester", role: "admin", tenantId: "tenant-a", ...principal };
  const response = await dispatcher.handle({ jsonrpc: "2.0", method, params, id: nextId++ }, () => ({
    principal: who,
    notify: () => {},
    signal: new AbortController().signal,
  }));
  return response as { result?: any; error?: { code: number; message: string; data?: any } };
}

describe("memory.*, knowledge.*, outcomes.* over JSON-RPC", () => {
  it("declares each method with its permission", () => {
    const permissions = Object.fromEntries(
      [
        "memory.put",
        "memory.search",
        "memory.forget",
        "knowledge.upsert",
        "knowledge.query",
        "outcomes.record",
      ].map((name) => [name, dispatcher.methods.get(name)?.permission]),
    );
    expect(permissions).toEqual({
      "memory.put": "memory:write",
      "memory.search": "memory:read",
      "memory.forget": "memory:write",
      "knowledge.upsert": "memory:write",
      "knowledge.query": "memory:read",
      "outcomes.record": "outcomes:write",
    });
  });

  it("puts and searches the caller's tenant only, with exact namespaces", async () => {
    const put = await call("memory.put", {
      namespace: ["leads", "50%_off"],
      key: "k1",
      value: { text: "asked about annual billing discounts" },
    });
    expect(put.result.item).toMatchObject({ namespace: ["leads", "50%_off"], key: "k1" });
    expect(typeof put.result.item.createdAt).toBe("string");
    await call("memory.put", {
      namespace: ["leads", "50xyoff"],
      key: "k2",
      value: { text: "annual billing" },
    });

    const found = await call("memory.search", { namespace: ["leads", "50%_off"], query: "billing discount" });
    expect(found.result.items.map((i: { key: string }) => i.key)).toEqual(["k1"]);
    expect(found.result.items[0].score).toBeGreaterThan(0);
    const otherTenant = await call(
      "memory.search",
      { namespace: ["leads"], query: "billing" },
      { tenantId: "tenant-b" },
    );
    expect(otherTenant.result.items).toEqual([]);
  });

  it("answers bad params with -32602 and a role without the permission with -32003", async () => {
    expect((await call("memory.put", { namespace: [], key: "k", value: {} })).error?.code).toBe(-32602);
    expect((await call("memory.put", { namespace: ["a.b"], key: "k", value: {} })).error).toMatchObject({
      code: -32602,
      data: { reason: "invalid_namespace" },
    });
    expect(
      (await call("memory.search", { namespace: ["leads"], filter: { n: { $regex: "x" } } })).error,
    ).toMatchObject({ code: -32602, data: { reason: "invalid_filter" } });
    const denied = async (method: string, params: unknown, role: Role) =>
      (await call(method, params, { role })).error?.code;
    expect(await denied("memory.put", { namespace: ["x"], key: "k", value: {} }, "analyst")).toBe(-32003);
    expect(await denied("memory.forget", { email: "a@b.co" }, "viewer")).toBe(-32003);
    expect(await denied("outcomes.record", {}, "viewer")).toBe(-32003);
    expect(await denied("memory.search", { namespace: [] }, "viewer")).toBeUndefined();
  });

  it("records outcomes idempotently, with not-found and conflict errors", async () => {
    const lead = await upsertLead(database.db, "tenant-a", {
      name: "Ann",
      email: "ann@example.com",
      source: "Google",
    });
    const params = { idempotencyKey: "hook-1", leadId: lead.id, event: "sent", variantId: "email-now-role" };
    const first = (await call("outcomes.record", params)).result;
    expect(first).toMatchObject({
      recorded: true,
      segment: "google/unscored",
      variant: { trials: 1, successes: 0 },
    });
    expect((await call("outcomes.record", params)).result).toMatchObject({
      recorded: false,
      outcomeId: first.outcomeId,
    });
    expect((await call("outcomes.record", { ...params, event: "clicked" })).error).toMatchObject({
      code: -32002,
      data: { reason: "idempotency_conflict" },
    });
    expect((await call("outcomes.record", params, { tenantId: "tenant-b" })).error?.code).toBe(-32004);
    expect((await call("outcomes.record", { ...params, event: "teleported" })).error?.code).toBe(-32602);
  });

  it("upserts knowledge and queries it as of a date", async () => {
    const upsert = await call("knowledge.upsert", {
      entities: [{ type: "company", name: "Acme Inc.", aliases: ["ACME"] }],
      facts: [
        {
          subject: { type: "company", name: "ACME" },
          predicate: "industry",
          value: "retail",
          validFrom: "2020-01-01T00:00:00Z",
        },
        {
          subject: { type: "company", name: "Acme" },
          predicate: "industry",
          value: "fintech",
          validFrom: "2024-01-01T00:00:00Z",
        },
      ],
    });
    expect(upsert.result.facts[1].superseded).toEqual([upsert.result.facts[0].fact.id]);
    const now = await call("knowledge.query", { query: "Acme industry" });
    expect(now.result.hits[0].fact).toMatchObject({
      statement: "Acme Inc. industry fintech",
      subject: { name: "Acme Inc." },
    });
    const then = await call("knowledge.query", { query: "Acme industry", asOf: "2022-06-01T00:00:00Z" });
    expect(then.result.hits.map((h: any) => h.fact.value)).toEqual([]);
    const valid2022 = await call("knowledge.query", {
      query: "Acme industry",
      validAt: "2022-06-01T00:00:00Z",
    });
    expect(valid2022.result.hits[0].fact.value).toBe("retail");
    expect((await call("knowledge.upsert", {})).error?.code).toBe(-32602);
  });

  it("forgets a person", async () => {
    const lead = await upsertLead(database.db, "tenant-a", { name: "Bo", email: "bo@example.com" });
    await call("memory.put", { namespace: ["leads", lead.id], key: "n", value: { text: "likes golf" } });
    const forgot = await call("memory.forget", { email: "BO@example.com" });
    expect(forgot.result).toMatchObject({ leadIds: [lead.id], erased: { leads: 1, storeItems: 1 } });
    expect((await call("memory.forget", {})).error?.code).toBe(-32602);
  });
});
