import { LlmOutputError } from "./errors.js";

type Fetch = typeof globalThis.fetch;

/**
 * A `fetch` whose response bodies fail when no bytes arrive for `idleMs`.
 *
 * The OpenAI SDK's `timeout` only covers the wait for response headers: a server that sends headers
 * and then stalls (a wedged local model mid-stream) would hang a call forever (verified with the
 * test server: a 300 ms timeout, a stream with 1 s gaps, 7 s to finish). Failing the body read after
 * `idleMs` of silence makes the configured timeout mean "no progress for that long".
 */
export function fetchWithIdleTimeout(idleMs: number, base: Fetch = globalThis.fetch): Fetch {
  return async (input, init) => {
    const response = await base(input, init);
    if (!response.body) return response;
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let timer: NodeJS.Timeout | undefined;
        const stalled = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new LlmOutputError("timeout", `model endpoint sent nothing for ${idleMs} ms`, 1)),
            idleMs,
          );
        });
        try {
          const { done, value } = await Promise.race([reader.read(), stalled]);
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          reader.cancel(error).catch(() => {});
          controller.error(error);
        } finally {
          clearTimeout(timer);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    const wrapped = new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    // The SDK logs `response.url`, which a constructed Response leaves empty.
    Object.defineProperty(wrapped, "url", { value: response.url });
    return wrapped;
  };
}
