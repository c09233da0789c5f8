import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** What a server process announces on its first stdout line once it listens. */
export interface ReadyMessage {
  ready: true;
  url: string;
  [key: string]: unknown;
}

export interface ServerProcess {
  pid: number;
  ready: ReadyMessage;
  /** From spawn to the ready line. */
  startupMs: number;
  /** CPU time the server process has used so far (its `process.cpuUsage()`, asked over IPC). */
  cpuUsage(): Promise<NodeJS.CpuUsage>;
  /** The last lines the server wrote on stderr (its log), for error messages. */
  stderrTail(): string[];
  /** SIGTERM, then SIGKILL if the server has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
let cleanupInstalled = false;

/** A benchmark that dies (error, Ctrl-C) must not leave servers listening behind it. */
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

/**
 * Starts `file` (TypeScript, under tsx's loader) in its own Node process, so the server under test never
 * shares an event loop or a heap with the load generator. Resolves when the server prints its ready line.
 */
export function startServer(
  file: string,
  options: { args?: readonly string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  installCleanup();
  const spawnedAt = performance.now();
  const loader = import.meta.resolve("tsx");
  const child = spawn(process.execPath, ["--import", loader, file, ...(options.args ?? [])], {
    // The IPC channel only carries CPU-usage questions between measurements, never during the load.
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: { ...process.env, ...options.env },
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => live.delete(child));

  const tail: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
  });

  const stop = async (graceMs = 5_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      void stop(0);
      reject(new Error(`${label(file)} did not report ready within ${timeoutMs} ms${tailText(tail)}`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      const message = parseReady(line);
      if (!message) return;
      clearTimeout(timer);
      lines.close();
      // Keep draining stdout so a chatty server never blocks on a full pipe.
      child.stdout?.resume();
      resolve({
        pid: child.pid ?? -1,
        ready: message,
        startupMs: performance.now() - spawnedAt,
        cpuUsage: () => askCpuUsage(child),
        stderrTail: () => [...tail],
        stop,
      });
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${label(file)}: ${error.message}`, { cause: error }));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      // Let the stderr reader take the last lines before quoting them.
      setImmediate(() =>
        reject(
          new Error(
            `${label(file)} exited before it was ready (${signal ?? `code ${code}`})${tailText(tail)}`,
          ),
        ),
      );
    });
  });
}

function askCpuUsage(child: ChildProcess): Promise<NodeJS.CpuUsage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off("message", onMessage);
      reject(new Error("the server did not report its CPU usage within 5 s"));
    }, 5_000);
    const onMessage = (message: unknown) => {
      const usage = (message as { cpuUsage?: NodeJS.CpuUsage } | null)?.cpuUsage;
      if (usage === undefined) return;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve(usage);
    };
    child.on("message", onMessage);
    child.send("cpu-usage");
  });
}

function parseReady(line: string): ReadyMessage | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(line) as Partial<ReadyMessage>;
    return value.ready === true && typeof value.url === "string" ? (value as ReadyMessage) : undefined;
  } catch {
    return undefined;
  }
}

function label(file: string): string {
  return file.startsWith("file:") ? fileURLToPath(file) : file;
}

function tailText(tail: readonly string[]): string {
  return tail.length === 0 ? "" : `:\n  ${tail.slice(-8).join("\n  ")}`;
}
