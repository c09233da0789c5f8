import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { rpc } from "../../test/support/security-fixtures.js";
import { type ServerProcess, startServerProcess } from "../../test/support/server-process.js";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");

function cli(args: string[], env: Record<string, string>) {
  return run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  });
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe("marketing-agents token and serve with authentication", () => {
  it("binds beyond loopback only with auth on, and accepts the token the CLI printed", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "ma-token-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

    await expect(
      cli(["serve", "--port", "0"], { DATA_DIR: dataDir, HOST: "0.0.0.0", AUTH_REQUIRED: "false" }),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/refusing to bind 0\.0\.0\.0 with AUTH_REQUIRED=false/),
    });

    const { stdout } = await cli(
      ["token", "--role", "analyst", "--tenant", "acme", "--subject", "cli-user", "--ttl", "10m"],
      {
        DATA_DIR: dataDir,
      },
    );
    const token = stdout.trim();
    expect(token.split(".")).toHaveLength(3);

    // Not loopback, AUTH_REQUIRED unset: authentication turns itself on, with the same development key.
    const server: ServerProcess = await startServerProcess({
      DATA_DIR: dataDir,
      HOST: "0.0.0.0",
      DATABASE_URL: "memory://",
      RATE_LIMIT_PER_MINUTE: "60",
      RATE_LIMIT_BURST: "5",
    });
    cleanups.unshift(() => server.kill());
    expect(server.output()).toMatch(/auth +bearer JWT from local development key/);
    expect(server.output()).toMatch(/WARNING +tokens are verified with the local development key/);
    const url = server.url.replace("0.0.0.0", "127.0.0.1");
    expect((await rpc(url, "auth.whoami", {})).status).toBe(401);
    const whoami = await rpc(url, "auth.whoami", {}, token);
    expect(whoami.body.result).toMatchObject({ subject: "cli-user", role: "analyst", tenantId: "acme" });
    // The CLI server applies RATE_LIMIT_* (here one a second after a burst of 5).
    const bursts = await Promise.all(Array.from({ length: 20 }, () => rpc(url, "auth.whoami", {}, token)));
    expect(bursts.some((r) => r.status === 429)).toBe(true);
  }, 240_000);
});
