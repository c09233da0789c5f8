import { describe, expect, it } from "vitest";
import { LlmOutputError, toLlmError } from "./errors.js";

describe("toLlmError", () => {
  it("maps the client's TimeoutError to code timeout, keeping the cause", () => {
    const cause = Object.assign(new Error("Request timed out."), { name: "TimeoutError" });
    const error = toLlmError(cause, 2);
    expect(error).toBeInstanceOf(LlmOutputError);
    expect(error).toMatchObject({ code: "timeout", attempts: 2, cause });
  });

  it("maps HTTP and connection failures to unavailable, naming the status", () => {
    const http = Object.assign(new Error("bad key"), { status: 401 });
    expect(toLlmError(http, 1)).toMatchObject({
      code: "unavailable",
      message: expect.stringMatching(/HTTP 401/),
    });
    expect(toLlmError(new Error("ECONNREFUSED"), 1)).toMatchObject({ code: "unavailable" });
  });

  it("lets a caller's abort through, but treats a caller's deadline as a timeout", () => {
    const aborted = new AbortController();
    aborted.abort();
    expect(toLlmError(new Error("AbortError"), 1, aborted.signal)).toBeUndefined();

    const deadline = new AbortController();
    deadline.abort(new DOMException("deadline", "TimeoutError"));
    expect(toLlmError(new Error("AbortError"), 1, deadline.signal)).toMatchObject({ code: "timeout" });
  });

  it("keeps an LlmOutputError, restamping its attempt count", () => {
    const inner = new LlmOutputError("timeout", "stalled", 1);
    expect(toLlmError(inner, 1)).toBe(inner);
    expect(toLlmError(inner, 3)).toMatchObject({ code: "timeout", attempts: 3, cause: inner });
  });
});
