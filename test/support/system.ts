import { afterAll, beforeAll } from "vitest";
import type { Database } from "../../src/db/client.js";
import { createMarketingSystem, type MarketingSystem, type MarketingSystemOptions } from "../../src/index.js";

/** A JSON-RPC answer as tests read it: loose, since each test asserts on the parts it cares about. */
export interface RpcAnswer {
  result?: any;
  error?: { code: number; message: string; data?: any };
}

/**
 * A marketing system on a test database for the enclosing `describe`: opened before its tests, closed
 * after. `rpc` calls the real HTTP app in process (`system.httpApp().request`), as a client would.
 */
export function systemOn(
  open: () => Promise<Database>,
  options: Omit<MarketingSystemOptions, "database"> = {},
) {
  let database: Database | undefined;
  let system: MarketingSystem | undefined;
  let nextId = 1;
  beforeAll(async () => {
    database = await open();
    system = await createMarketingSystem({ ...options, database });
  });
  afterAll(async () => {
    await system?.close();
    await database?.close();
  });
  const opened = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is used before beforeAll opened it`);
    return value;
  };
  return {
    get database(): Database {
      return opened(database, "database");
    },
    get system(): MarketingSystem {
      return opened(system, "system");
    },
    async rpc(method: string, params?: unknown): Promise<RpcAnswer> {
      const response = await opened(system, "system")
        .httpApp()
        .request("/rpc", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
        });
      return (await response.json()) as RpcAnswer;
    },
  };
}
