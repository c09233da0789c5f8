import { mkdtemp, rm } from "node:fs/promises";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { rpcCall, type ServerProcess, startServerProcess } from "../support/server-process.js";

/**
 * security-tests.md G4, on a real `marketing-agents serve` child process: SIGTERM stops readiness, lets an
 * HTTP call in flight get its answer, closes WebSockets with 1001 and exits with 0 well inside the 30 s
 * `terminationGracePeriodSeconds` of k8s/deployment.yaml (which spends 3 s of it in a preStop sleep first);
 * the run it stopped is then continued by the next process on the same database.
 */
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const lead = {
  name: "Priya Raman",
  email: "priya.sigterm@northwind.example",
  company: "Northwind",
  source: "Reference",
  totalVisits: 6,
  timeOnSite: 1850,
};

/** Resolves on the socket's close with its code; `opened` once the upgrade succeeded. */
function openSocket(url: string): { opened: Promise<void>; closed: Promise<number> } {
  const ws = new WebSocket(`${url.replace("http", "ws")}/ws`);
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  return { opened, closed };
}

/**
 * GET /readyz on a new connection, as the kubelet probes (no keep-alive): the HTTP status, or the
 * connection error's code once nothing listens any more.
 */
function readiness(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const request = get(`${url}/readyz`, { agent: false, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once("timeout", () => request.destroy(new Error("timeout")));
    request.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe("serve on SIGTERM (G4)", () => {
  it("stops being ready, answers the call in flight, closes sockets with 1001, exits 0 in seconds; the run resumes", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "ma-sigterm-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    // Each agent step waits 2 s: a run is certainly in flight when the signal comes.
    const server: ServerProcess = await startServerProcess({
      DATA_DIR: dataDir,
      APPROVAL_POLICY: "never",
      FAULT_STEP_DELAY_MS: "2000",
    });
    cleanups.unshift(() => server.kill("SIGKILL"));
    expect(await readiness(server.url)).toBe(200);

    const socket = openSocket(server.url);
    await socket.opened;
    const inFlight = fetch(`${server.url}/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "threads.run",
        params: { threadId: "sigterm-in-flight", input: { lead } },
      }),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));
    // Wait until the run has started (its thread exists; the run then sleeps in its first step).
    for (let i = 0; i < 100; i++) {
      const found = await rpcCall(server.url, "threads.get", { threadId: "sigterm-in-flight" });
      if (found.result) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const signalledAt = Date.now();
    const exited = server.kill("SIGTERM");

    expect(await socket.closed).toBe(1001);
    // The listener closed with the sockets: a new connection, like the kubelet's probe, is refused. (A
    // keep-alive connection opened before the signal may still be answered until it closes: the preStop
    // sleep in k8s/deployment.yaml is what takes the pod out of the Service before the signal.)
    expect(await readiness(server.url)).toBe("ECONNREFUSED");

    // The call in flight is answered (its run stopped as cancelled, checkpoints kept), not reset.
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(answered.body.result.threadId).toBe("sigterm-in-flight");
    expect(answered.body.result.status).toBe("cancelled");

    expect(await exited).toBe(0);
    const elapsed = Date.now() - signalledAt;
    // 30 s grace minus the 3 s preStop sleep leaves 27 s; serve's own deadline is 25 s. Expect far less.
    expect(elapsed).toBeLessThan(10_000);
    expect(server.output()).toContain("SIGTERM: draining and closing");

    // What a rolling update means for that run: the next replica continues the thread from its checkpoints.
    const next = await startServerProcess({ DATA_DIR: dataDir, APPROVAL_POLICY: "never" });
    cleanups.unshift(() => next.kill("SIGKILL"));
    const stopped = (await rpcCall(next.url, "threads.get", { threadId: "sigterm-in-flight" })).result;
    expect(stopped.next.length).toBeGreaterThan(0);
    const resumed = (await rpcCall(next.url, "threads.resume", { threadId: "sigterm-in-flight" })).result;
    expect(resumed.status).toBe("success");
    expect(resumed.state.triageResult.class).toBe("hot");
    expect(await next.kill("SIGTERM")).toBe(0);
  }, 300_000);
});
