import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createServerDatabase,
  type ServerTestDatabase,
  serverTestUrl,
  TEST_PII_KEYRING,
} from "../../test/support/database.js";
import { createMarketingSystem, type MarketingSystem } from "../index.js";
import { createLogger } from "../logger.js";
import { type Database, openDatabase } from "./client.js";
import { migrate } from "./migrate.js";
import { openReaderDatabase, readerRoleSql } from "./reader-role.js";

/**
 * The MCP read tools on a SELECT-only database role (security-tests C6, OWASP LLM06): they read through
 * it, the write tools do not, and a role that can write is refused at start. Needs the PostgreSQL server
 * and a test login with CREATEROLE (scripts/ci-postgres.sh grants it).
 */
describe.skipIf(serverTestUrl() === undefined)("SELECT-only reader role (PostgreSQL server)", () => {
  const role = `ma_reader_${randomBytes(4).toString("hex")}`;
  let created: ServerTestDatabase;
  let admin: Database;
  let system: MarketingSystem;
  let leadId: string;
  const logged: string[] = [];

  beforeAll(async () => {
    created = await createServerDatabase();
    admin = await openDatabase(created.url, { pii: TEST_PII_KEYRING });
    await migrate(admin);
    const login = new URL(created.url).username;
    await admin.db.execute(sql.raw(readerRoleSql(role, login)));
    // Campaigns left unreadable, to see which tools act as the reader.
    await admin.db.execute(sql.raw(`REVOKE SELECT ON campaigns FROM "${role}"`));
    system = await createMarketingSystem({
      logger: createLogger(
        "error",
        new Writable({
          write: (chunk, _encoding, done) => {
            logged.push(String(chunk));
            done();
          },
        }),
      ),
      database: created.url,
      pii: TEST_PII_KEYRING,
      readerRole: role,
      approvalPolicy: "never",
    });
    leadId = (
      await system.leads.upsert({ name: "Ada Lovelace", email: "ada@example.com", company: "Analytical" })
    ).id;
  }, 60_000);
  afterAll(async () => {
    await system?.close();
    await admin?.close();
    await created?.drop();
    // Roles are cluster-wide: the database is gone, so nothing depends on it any more.
    const base = await openDatabase(serverTestUrl()!, { max: 2 });
    try {
      await base.db.execute(sql.raw(`DROP ROLE IF EXISTS "${role}"`));
    } finally {
      await base.close();
    }
  });

  async function client(): Promise<Client> {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await system.mcp.serve(serverSide);
    const c = new Client({ name: "test", version: "1.0.0" });
    await c.connect(clientSide);
    return c;
  }

  it("serves the read tools through the reader role and the write tools through the app's own", async () => {
    const mcp = await client();
    const read = await mcp.callTool({ name: "lead_get", arguments: { id: leadId } });
    expect(read.isError).toBeFalsy();
    expect((read.structuredContent as { lead: { name: string } }).lead.name).toBe("Ada Lovelace");
    // The reader may not read campaigns: the read tool fails, so it did act as the reader.
    const campaigns = await mcp.callTool({ name: "campaigns_list", arguments: {} });
    expect(campaigns.isError).toBe(true);
    // The client is told it failed, not the query (SQL and parameters stay in the server log).
    expect(JSON.stringify(campaigns.content)).toMatch(/internal error in campaigns_list \(request \d+\)/);
    expect(JSON.stringify(campaigns.content)).not.toMatch(/select|campaigns"|params/i);
    expect(logged.join("\n")).toMatch(/permission denied for table campaigns/);
    // A write tool runs as the app's role and succeeds.
    const stage = await mcp.callTool({
      name: "lead_update_stage",
      arguments: { id: leadId, stage: "contacted" },
    });
    expect(stage.isError).toBeFalsy();
    await mcp.close();
  });

  it("the reader's own pool cannot write", async () => {
    const reader = await openReaderDatabase(created.url, role, { pii: TEST_PII_KEYRING });
    try {
      const failure = await reader.db.execute(sql`delete from leads`).then(
        () => null,
        (error: Error) => error,
      );
      // drizzle wraps the driver's error: Postgres' own reason is its cause.
      expect(String((failure?.cause as Error | undefined)?.message)).toMatch(
        /permission denied for table leads/,
      );
    } finally {
      await reader.close();
    }
  });

  it("refuses, at start, a role that can write, and one the login cannot act as", async () => {
    await admin.db.execute(sql.raw(`GRANT INSERT ON leads TO "${role}"`));
    try {
      await expect(openReaderDatabase(created.url, role)).rejects.toThrow(
        new RegExp(`database role "${role}" can write to leads: a reader role must be SELECT-only`),
      );
    } finally {
      await admin.db.execute(sql.raw(`REVOKE INSERT ON leads FROM "${role}"`));
    }
    await expect(openReaderDatabase(created.url, "no_such_role_here")).rejects.toThrow(
      /cannot act as database role "no_such_role_here"/,
    );
  });
});

describe("reader role on embedded PGlite", () => {
  it("is refused with a clear reason", async () => {
    await expect(createMarketingSystem({ database: "memory://", readerRole: "reader" })).rejects.toThrow(
      /a connection role needs a PostgreSQL server/,
    );
  });
});
