import { describe, expect, it } from "vitest";
import { nextRequestId } from "./request-id.js";

describe("request ids", () => {
  it("are distinct and fit the id pattern the logs and audit log accept", () => {
    const ids = Array.from({ length: 1_000 }, () => nextRequestId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[\w.:-]{1,128}$/);
  });
});
