import { describe, expect, it } from "vitest";
import { LlmOutputError } from "./errors.js";
import { fetchWithIdleTimeout } from "./transport.js";

/** A fetch whose body yields `parts`, waiting `gapMs` before each one. */
function slowFetch(parts: string[], gapMs: number): typeof fetch {
  return async () => {
    const encoder = new TextEncoder();
    let index = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, gapMs));
        const part = parts[index++];
        if (part === undefined) controller.close();
        else controller.enqueue(encoder.encode(part));
      },
    });
    const response = new Response(body, { status: 201, headers: { "x-test": "yes" } });
    Object.defineProperty(response, "url", { value: "http://model.test/v1/chat/completions" });
    return response;
  };
}

describe("fetchWithIdleTimeout", () => {
  it("passes a body that keeps flowing through unchanged, with status, headers and url", async () => {
    const response = await fetchWithIdleTimeout(100, slowFetch(["a", "b", "c"], 30))("http://model.test");
    expect(response.status).toBe(201);
    expect(response.headers.get("x-test")).toBe("yes");
    expect(response.url).toBe("http://model.test/v1/chat/completions");
    // 4 reads of 30 ms each take longer than the 100 ms limit in total: only silence counts.
    expect(await response.text()).toBe("abc");
  });

  it("fails the body with a timeout LlmOutputError after idleMs of silence", async () => {
    const response = await fetchWithIdleTimeout(50, slowFetch(["a", "b"], 1_000))("http://model.test");
    const started = Date.now();
    const error = await response.text().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmOutputError);
    expect(error).toMatchObject({ code: "timeout", message: expect.stringMatching(/nothing for 50 ms/) });
    expect(Date.now() - started).toBeLessThan(500);
  });
});
