import { fileURLToPath } from "node:url";
import { type ServerProcess, startServer } from "./child.js";

/** The server files a suite can start, each in its own process (bench/servers/). */
export const serverFiles = {
  httpEcho: fileURLToPath(new URL("../servers/http-echo.ts", import.meta.url)),
  wsEcho: fileURLToPath(new URL("../servers/ws-echo.ts", import.meta.url)),
  marketing: fileURLToPath(new URL("../servers/marketing.ts", import.meta.url)),
} as const;

export type ServerName = keyof typeof serverFiles;

export function startBenchServer(name: ServerName): Promise<ServerProcess> {
  return startServer(serverFiles[name]);
}

/** Ours answers `/rpc` and `/ws` on one origin; the echo servers answer on any path. */
export function endpoint(server: ServerProcess, transport: "http" | "ws", path: string): string {
  const base = server.ready.url.replace(/\/$/, "");
  return `${transport === "ws" ? base.replace(/^http/, "ws") : base}${path}`;
}

/** The `err.message` of the last error our server logged (pino JSON on stderr), if any. */
export function lastLoggedError(server: ServerProcess): string | undefined {
  for (const line of server.stderrTail().reverse()) {
    try {
      const entry = JSON.parse(line) as { err?: { message?: unknown }; msg?: unknown };
      if (typeof entry.err?.message === "string") return entry.err.message;
    } catch {
      if (line.trim()) return line.trim();
    }
  }
  return undefined;
}
