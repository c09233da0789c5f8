/**
 * The metrics endpoint on its own port (`METRICS_PORT`): scrapers reach it without an API token, and the
 * API port never answers `/metrics`. Expose it to the monitoring system only (Kubernetes: the
 * NetworkPolicy in k8s/ admits the monitoring namespace to this port and nothing else).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ServerMetrics } from "./metrics.js";

export interface MetricsListening {
  url: string;
  close(): Promise<void>;
}

export async function listenMetrics(
  metrics: ServerMetrics,
  options: { host: string; port: number },
): Promise<MetricsListening> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found: metrics are at /metrics\n");
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("use GET\n");
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => {
        response.writeHead(200, { "content-type": contentType });
        response.end(request.method === "HEAD" ? undefined : body);
      },
      () => {
        // A collector failed: say so without internals (the server log is not reachable from here).
        response.writeHead(500, { "content-type": "text/plain" }).end("metrics collection failed\n");
      },
    );
  });
  // Scrapers keep connections open: do not let them hold shutdown up.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
