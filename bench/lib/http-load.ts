import autocannon from "autocannon";
import { LatencyRecorder, type LoadResult } from "./stats.js";

export interface HttpLoadOptions {
  url: string;
  /** The JSON-RPC request, sent as is on every call. */
  body: string;
  connections: number;
  durationS: number;
  /** True when a response body is the right answer; anything else counts as an error. */
  accept: (body: string) => boolean;
}

/**
 * POSTs `body` over `connections` keep-alive connections, one request in flight on each (pipelining 1,
 * as a browser or fetch client would), for `durationS` seconds. Latency comes from autocannon's per-request
 * timer (hrtime, sub-millisecond) rather than its histogram, which keeps whole milliseconds only.
 */
export function httpLoad(options: HttpLoadOptions): Promise<LoadResult> {
  const latencies = new LatencyRecorder();
  let ok = 0;
  let wrong = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: options.body,
        connections: options.connections,
        pipelining: 1,
        duration: options.durationS,
        verifyBody: (body) => {
          // autocannon hands over the body as the string it accumulated; the typings allow more.
          const good = options.accept(typeof body === "string" ? body : String(body ?? ""));
          if (!good) wrong++;
          return good;
        },
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        // The response event fires before the body check, so wrong bodies were counted as ok there.
        const requests = ok - wrong;
        resolve({
          requests,
          errors: result.errors + result.non2xx + result.mismatches,
          elapsedS: result.duration,
          reqPerSec: requests / result.duration,
          latency: latencies.summary(),
        });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 200 || statusCode >= 300) return;
      ok++;
      latencies.record(responseTime);
    });
  });
}
