import { randomBytes } from "node:crypto";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { Principal } from "../auth/permissions.js";

export interface McpSession {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  lastUsed: number;
}

/** 256 bits from the CSPRNG, URL-safe: not guessable, and visible-ASCII as the spec requires. */
export const newSessionId = () => randomBytes(32).toString("base64url");

/** Who owns a session: tenant and subject (a role change keeps the session, another person does not). */
export const ownerOf = (principal: Principal) => `${principal.tenantId}\u0000${principal.subject}`;

/**
 * Streamable HTTP sessions of this replica, keyed `<owner>:<session id>` (MCP security best practices):
 * a session id presented by anyone but its owner finds nothing, exactly like an unknown one. Bounded per
 * owner: the oldest session is closed when an owner opens one too many.
 */
export class McpSessions {
  private readonly byKey = new Map<string, McpSession>();

  constructor(private readonly maxPerOwner: number) {}

  get(principal: Principal, sessionId: string): McpSession | undefined {
    const session = this.byKey.get(`${ownerOf(principal)}:${sessionId}`);
    if (session) session.lastUsed = Date.now();
    return session;
  }

  add(principal: Principal, sessionId: string, session: McpSession): void {
    const owner = ownerOf(principal);
    const mine = [...this.byKey.entries()].filter(([key]) => key.startsWith(`${owner}:`));
    if (mine.length >= this.maxPerOwner) {
      const [oldestKey, oldest] = mine.sort(([, a], [, b]) => a.lastUsed - b.lastUsed)[0]!;
      this.byKey.delete(oldestKey);
      void oldest.transport.close();
    }
    this.byKey.set(`${owner}:${sessionId}`, session);
  }

  remove(principal: Principal, sessionId: string): void {
    this.byKey.delete(`${ownerOf(principal)}:${sessionId}`);
  }

  get size(): number {
    return this.byKey.size;
  }

  async closeAll(): Promise<void> {
    const all = [...this.byKey.values()];
    this.byKey.clear();
    await Promise.allSettled(all.map((s) => s.transport.close()));
  }
}
