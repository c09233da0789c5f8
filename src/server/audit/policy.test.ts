import { describe, expect, it } from "vitest";
import { localOperator } from "../auth/permissions.js";
import type { CallRecord } from "../rpc/dispatcher.js";
import { isAudited } from "./policy.js";

const record = (overrides: Partial<CallRecord>): CallRecord => ({
  method: "leads.get",
  permission: "leads:read",
  requestId: "r-1",
  principal: localOperator,
  outcome: "ok",
  durationMs: 1,
  ...overrides,
});

describe("audit policy", () => {
  it("audits every call that can touch tenant data, whatever its outcome", () => {
    for (const permission of [
      "leads:read",
      "leads:write",
      "threads:run",
      "audit:read",
      "auth:revoke",
    ] as const) {
      for (const outcome of ["ok", "error", "denied"] as const) {
        expect(isAudited(record({ permission, outcome }))).toBe(true);
      }
    }
  });

  it("leaves out successful system reads, but not their failures or refusals", () => {
    expect(isAudited(record({ method: "system.health", permission: "system:read" }))).toBe(false);
    expect(isAudited(record({ method: "rpc.discover", permission: null }))).toBe(false);
    expect(isAudited(record({ method: "system.health", permission: "system:read", outcome: "error" }))).toBe(
      true,
    );
    expect(isAudited(record({ method: "auth.whoami", permission: "system:read", outcome: "denied" }))).toBe(
      true,
    );
  });

  it("audits calls to methods that do not exist (probing)", () => {
    const { permission: _, ...unknown } = record({ method: "leads.dump" });
    expect(isAudited({ ...unknown, outcome: "error", code: -32601 })).toBe(true);
  });
});
