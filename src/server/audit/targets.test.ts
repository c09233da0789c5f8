import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Principal } from "../auth/permissions.js";
import { defineMethod } from "../rpc/method.js";
import { auditTarget, withAuditTargets } from "./targets.js";

describe("audit targets", () => {
  it("names what a call acted on by id", () => {
    const id = "0b6f6c1e-3f7a-4a4e-9d7c-2c1a3e5b7d90";
    expect(auditTarget("leads.get", { id }, undefined)).toBe(`lead:${id}`);
    expect(auditTarget("leads.upsert", { lead: { email: "ann@x.com" } }, { lead: { id } })).toBe(
      `lead:${id}`,
    );
    expect(auditTarget("threads.get", { threadId: "t-1" }, undefined)).toBe("thread:t-1");
    expect(auditTarget("threads.run", { input: { message: "hi" } }, { threadId: "t-2" })).toBe("thread:t-2");
    expect(auditTarget("auth.revoke", { jti: "j-1" }, { revoked: true })).toBe("token:j-1");
    expect(auditTarget("system.health", {}, { status: "ok" })).toBeUndefined();
  });

  it("never records a value that is not an identifier (an email, free text)", () => {
    expect(auditTarget("leads.get", { id: "ann@example.com" }, undefined)).toBeUndefined();
    expect(auditTarget("threads.get", { threadId: "Ann Smith, 12 Main St" }, undefined)).toBeUndefined();
    expect(auditTarget("x.y", { id: "a".repeat(201) }, undefined)).toBeUndefined();
  });

  it("notes the target of a data method's call, even when it throws; system reads are left as they are", async () => {
    const targets = new WeakMap<Principal, string>();
    const get = defineMethod({
      name: "leads.get",
      description: "",
      permission: "leads:read",
      params: z.object({ id: z.string() }),
      result: z.null(),
      handler: () => {
        throw new Error("not found");
      },
    });
    const health = defineMethod({
      name: "system.health",
      description: "",
      permission: "system:read",
      params: z.object({}),
      result: z.null(),
      handler: () => null,
    });
    const [wrappedGet, wrappedHealth] = withAuditTargets([get, health], targets);
    expect(wrappedHealth).toBe(health);
    const principal: Principal = { subject: "s", role: "viewer", tenantId: "t" };
    const ctx = { requestId: "r", principal, notify: () => {}, signal: new AbortController().signal };
    await expect(wrappedGet?.handler({ id: "lead-1" }, ctx)).rejects.toThrow("not found");
    expect(targets.get(principal)).toBe("lead:lead-1");
  });
});
