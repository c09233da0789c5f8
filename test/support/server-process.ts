import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");

export interface ServerProcess {
  url: string;
  process: ChildProcess;
  /** Everything the process wrote to stderr so far (startup banner, logs). */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `marketing-agents serve` as a real child process on a free port and waits for its banner.
 * Used by the crash and multi-replica tests: the process can be SIGKILLed like in production.
 */
/** The keys of `TEST_PII_KEYRING`, as a server process reads them from its environment. */
export const TEST_PII_ENV = {
  PII_KEYS: `test1:${Buffer.alloc(32, 7).toString("base64")}`,
  PII_INDEX_KEY: Buffer.alloc(32, 9).toString("base64"),
};

export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = 150_000,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", "--port", "0"], {
    cwd: root,
    // Replicas of one database share its PII keys, as production replicas share a secret.
    env: { ...process.env, LOG_LEVEL: "warn", ...TEST_PII_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.resume();
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in ${timeoutMs} ms:\n${stderr}`)),
      timeoutMs,
    );
    const onData = () => {
      const match = stderr.match(/listening on (http:\/\/[^\s]+)/);
      if (match) {
        clearTimeout(timer);
        child.stderr?.off("data", onData);
        resolveUrl(match[1]!);
      }
    };
    child.stderr?.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${stderr}`));
    });
  });
  return {
    url,
    process: child,
    output: () => stderr,
    kill: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** One JSON-RPC call over HTTP with fetch. */
export async function rpcCall(url: string, method: string, params?: unknown): Promise<any> {
  const response = await fetch(`${url}/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return response.json();
}
