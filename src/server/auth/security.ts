import type { Context, Hono } from "hono";
import { cors } from "hono/cors";
import type { Database } from "../../db/client.js";
import { type AuditLog, createAuditLog } from "../audit/audit-log.js";
import { combinePolicies } from "../limits/combine-policies.js";
import { idleTimeout } from "../limits/idle.js";
import { type ConnectionLimits, connectionDefaults } from "../limits/options.js";
import { originGuard } from "../limits/origin.js";
import { rateLimit, rateLimiter, socketRateLimit } from "../limits/rate-limit.js";
import type { Refusal } from "../limits/rpc-error-response.js";
import { createTokenBuckets } from "../limits/token-bucket.js";
import type { CallRecord } from "../rpc/dispatcher.js";
import type { AnyMethod } from "../rpc/method.js";
import type { SocketPolicy } from "../transports/websocket.js";
import { createKeySource, type KeySource } from "./key-sources.js";
import { authMethods } from "./methods.js";
import {
  type Admit,
  authenticate,
  authenticator,
  principalOf,
  type Session,
  sessionOf,
} from "./middleware.js";
import { type AuthOptions, authDefaults } from "./options.js";
import type { Principal } from "./permissions.js";
import { createRevocationList, type RevocationList } from "./revocation.js";
import { createSocketSessions, type SocketSessions } from "./socket-sessions.js";
import { createTokenVerifier } from "./verifier.js";

/**
 * Assembles authentication, the audit log and the connection limits into what `app.ts` mounts and what
 * `listen.ts` needs. It lives beside auth because the session (who is calling, with which token) is what
 * every other piece keys on: the rate limit's bucket, the socket's expiry and revocation, the audit actor.
 */
export interface ServerSecurity {
  /** For the startup banner: where keys come from, or "off". */
  readonly authentication: string;
  readonly keys: KeySource | undefined;
  /** Origin allowlist, CORS (when origins are configured), authentication and rate limit on /rpc and /ws. */
  mount(app: Hono): void;
  principalOf(c: Context): Principal;
  /**
   * Authentication and rate limit of one HTTP request from its head, for the node:http fast path of
   * `POST /rpc` (transports/http-node.ts); the same decisions `mount` installs as Hono middleware.
   */
  admit: Admit;
  /** Token expiry and revocation, rate limit and idle timeout for one WebSocket. */
  socketPolicy(c: Context): SocketPolicy;
  /** `auth.revoke`, `auth.whoami`, `audit.verify`, `audit.list`. */
  methods: AnyMethod[];
  /** Wraps methods so the audit log learns each call's target. */
  wrapMethods(methods: readonly AnyMethod[]): AnyMethod[];
  /** The dispatcher's `onCall`: one audit entry per call. */
  onCall(record: CallRecord): void;
  webSocket: { pingIntervalMs: number; maxBufferedBytes: number };
  sessions: SocketSessions;
  audit: AuditLog;
  revocations: RevocationList | undefined;
  /** Stops revocation polling and writes the audit entries still queued. */
  close(): Promise<void>;
}

export interface ServerSecurityOptions {
  auth?: Partial<AuthOptions>;
  limits?: Partial<ConnectionLimits>;
  log?: { warn: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
}

export async function createServerSecurity(
  database: Database,
  options: ServerSecurityOptions = {},
): Promise<ServerSecurity> {
  const auth: AuthOptions = { ...authDefaults, ...options.auth };
  const limits: ConnectionLimits = { ...connectionDefaults, ...options.limits };
  const log = options.log;

  let keys: KeySource | undefined;
  let revocations: RevocationList | undefined;
  if (auth.required) {
    keys = await createKeySource(auth);
    revocations = createRevocationList(database.db, {
      pollMs: auth.revocationPollMs,
      ...(log ? { log } : {}),
    });
    await revocations.start();
  }
  const verifier = keys ? createTokenVerifier(keys, auth) : null;
  const sessions = createSocketSessions(revocations);
  const audit = createAuditLog(database, log ? { log } : {});
  const buckets =
    limits.rateLimitPerMinute > 0
      ? createTokenBuckets({ perMinute: limits.rateLimitPerMinute, burst: limits.rateLimitBurst })
      : undefined;
  const callerKey = (p: Principal) => `${p.tenantId}\u0000${p.subject}`;
  const authOptions = { verifier, ...(revocations ? { revocations } : {}), ...(log ? { log } : {}) };
  const identify = authenticator(authOptions);
  const limit = buckets ? rateLimiter(buckets) : undefined;
  const admitted = (decided: Session | Refusal): Session | Refusal =>
    "refused" in decided ? decided : (limit?.(callerKey(decided.principal)) ?? decided);

  return {
    authentication: keys?.describe ?? "off",
    keys,
    mount(app) {
      // /mcp (MCP Streamable HTTP, src/mcp/http.ts) takes the same origin check, token and rate limit.
      for (const path of ["/rpc", "/ws", "/mcp"]) {
        app.use(path, originGuard({ allowed: limits.allowedOrigins }));
        if (path !== "/ws" && limits.allowedOrigins.length > 0) {
          const mcp = path === "/mcp";
          app.use(
            path,
            cors({
              origin: [...limits.allowedOrigins],
              allowMethods: mcp ? ["GET", "POST", "DELETE"] : ["POST"],
              allowHeaders: [
                "authorization",
                "content-type",
                "x-request-id",
                "last-event-id",
                ...(mcp ? ["mcp-session-id", "mcp-protocol-version"] : []),
              ],
              ...(mcp ? { exposeHeaders: ["mcp-session-id", "www-authenticate"] } : {}),
              maxAge: 600,
            }),
          );
        }
        app.use(path, authenticate(authOptions));
        if (buckets) app.use(path, rateLimit({ buckets, keyOf: (c) => callerKey(sessionOf(c).principal) }));
      }
    },
    principalOf,
    admit(head) {
      const decided = identify(head);
      return decided instanceof Promise ? decided.then(admitted) : admitted(decided);
    },
    socketPolicy(c) {
      const session = sessionOf(c);
      const policies = [sessions.policy(session.credential)];
      if (buckets) {
        policies.push(
          socketRateLimit({ buckets, key: callerKey(session.principal), floodStrikes: limits.floodStrikes }),
        );
      }
      // Last: only admitted messages count as activity.
      policies.push(idleTimeout(limits.wsIdleTimeoutMs));
      return combinePolicies(policies);
    },
    methods: [...authMethods({ revocations, issuer: auth.issuer }), ...audit.methods],
    wrapMethods: (methods) => audit.withTargets(methods),
    onCall: (record) => audit.onCall(record),
    webSocket: { pingIntervalMs: limits.wsPingIntervalMs, maxBufferedBytes: limits.wsMaxBufferedBytes },
    sessions,
    audit,
    revocations,
    async close() {
      revocations?.stop();
      await audit.close();
    },
  };
}
