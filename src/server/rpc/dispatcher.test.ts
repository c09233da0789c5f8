import { describe, expect, it } from "vitest";
import { z } from "zod";
import { normalizeBatch, specMethods, specVectors } from "../../../test/support/spec-methods.js";
import { localOperator, type Principal } from "../auth/permissions.js";
import { type CallRecord, createDispatcher } from "./dispatcher.js";
import { defineMethod } from "./method.js";

const context =
  (principal: Principal = localOperator) =>
  () => ({
    principal,
    notify: () => {},
    signal: new AbortController().signal,
  });

describe("JSON-RPC 2.0 specification examples", () => {
  const dispatcher = createDispatcher(specMethods);
  for (const vector of specVectors) {
    it(vector.name, async () => {
      const response = await dispatcher.handleText(vector.send, context());
      expect(normalizeBatch(response)).toEqual(normalizeBatch(vector.expect));
    });
  }
});

describe("dispatcher", () => {
  const calls: CallRecord[] = [];
  const logged: unknown[] = [];
  const dispatcher = createDispatcher(specMethods, {
    maxBatchSize: 3,
    onCall: (r) => calls.push(r),
    logError: (e) => logged.push(e),
  });

  it("answers wrong param types with -32602 and zod's issues", async () => {
    const response = await dispatcher.handleText(
      '{"jsonrpc":"2.0","method":"subtract","params":{"minuend":"42"},"id":7}',
      context(),
    );
    expect(response).toMatchObject({ error: { code: -32602, message: "Invalid params" }, id: 7 });
    const issues = (response as { error: { data: { issues: { path: string }[] } } }).error.data.issues;
    expect(issues.map((i) => i.path).sort()).toEqual(["minuend", "subtrahend"]);
  });

  it("hides a throwing handler's details behind -32603 and logs them", async () => {
    const response = await dispatcher.handleText('{"jsonrpc":"2.0","method":"explode","id":1}', context());
    expect(response).toMatchObject({ error: { code: -32603, message: "Internal error" }, id: 1 });
    const text = JSON.stringify(response);
    expect(text).not.toContain("secret");
    expect(text).not.toContain("db.ts");
    expect(response).not.toHaveProperty("result");
    expect(logged.at(-1)).toBeInstanceOf(Error);
  });

  it("refuses a method the caller's role does not grant, and records the denial", async () => {
    const viewer: Principal = { subject: "v", role: "viewer", tenantId: "t" };
    const response = await dispatcher.handleText(
      '{"jsonrpc":"2.0","method":"admin_only","id":1}',
      context(viewer),
    );
    expect(response).toMatchObject({ error: { code: -32003, data: { permission: "audit:read" } }, id: 1 });
    expect(calls.at(-1)).toMatchObject({ method: "admin_only", outcome: "denied", code: -32003 });
  });

  it("rejects batches over the limit as one Invalid Request", async () => {
    const batch = JSON.stringify(
      [1, 2, 3, 4].map((id) => ({ jsonrpc: "2.0", method: "subtract", params: [1, 1], id })),
    );
    const response = await dispatcher.handleText(batch, context());
    expect(response).toMatchObject({ error: { code: -32600 }, id: null });
  });

  it("rejects a wrong jsonrpc version and a non-scalar id", async () => {
    expect(
      await dispatcher.handleText('{"jsonrpc":"1.0","method":"sum","params":[1],"id":1}', context()),
    ).toEqual({
      jsonrpc: "2.0",
      error: { code: -32600, message: "Invalid Request" },
      id: 1,
    });
    expect(
      await dispatcher.handleText('{"jsonrpc":"2.0","method":"sum","params":[1],"id":{}}', context()),
    ).toEqual({
      jsonrpc: "2.0",
      error: { code: -32600, message: "Invalid Request" },
      id: null,
    });
  });

  it("describes itself as an OpenRPC document", async () => {
    const response = (await dispatcher.handleText(
      '{"jsonrpc":"2.0","method":"rpc.discover","id":1}',
      context(),
    )) as {
      result: { openrpc: string; methods: { name: string; params: { schema: { required?: string[] } }[] }[] };
    };
    expect(response.result.openrpc).toMatch(/^1\.3/);
    const subtract = response.result.methods.find((m) => m.name === "subtract");
    expect(subtract?.params[0]?.schema.required?.sort()).toEqual(["minuend", "subtrahend"]);
  });

  it("reserves rpc.* names and refuses duplicate declarations", () => {
    const declare = (name: string) =>
      defineMethod({
        name,
        description: "",
        permission: "system:read",
        params: z.unknown(),
        result: z.null(),
        handler: () => null,
      });
    expect(() => declare("rpc.mine")).toThrow(/reserved/);
    expect(() => createDispatcher([declare("a"), declare("a")])).toThrow(/twice/);
  });

  it("treats a result that breaks its own declaration as an internal error", async () => {
    const broken = createDispatcher([
      defineMethod({
        name: "broken",
        description: "",
        permission: "system:read",
        params: z.unknown(),
        result: z.number(),
        handler: () => "not a number" as unknown as number,
      }),
    ]);
    expect(await broken.handleText('{"jsonrpc":"2.0","method":"broken","id":1}', context())).toMatchObject({
      error: { code: -32603 },
    });
  });

  it("validates params and results with async refinements too", async () => {
    const checked = createDispatcher([
      defineMethod({
        name: "lookup",
        description: "",
        permission: "system:read",
        params: z.object({ code: z.string().refine(async (code) => code.startsWith("ok")) }),
        result: z.string().refine(async (value) => value.length < 10),
        handler: ({ code }) => code,
      }),
    ]);
    const send = (code: string) =>
      checked.handleText(
        JSON.stringify({ jsonrpc: "2.0", method: "lookup", params: { code }, id: 1 }),
        context(),
      );
    expect(await send("ok-1")).toEqual({ jsonrpc: "2.0", result: "ok-1", id: 1 });
    expect(await send("no")).toMatchObject({ error: { code: -32602 } });
    expect(await send("ok-but-far-too-long")).toMatchObject({ error: { code: -32603 } });
  });
});
