import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import { type Refusal, refusal, refusalResponse } from "../limits/rpc-error-response.js";
import { RpcCode } from "../rpc/errors.js";
import { bearerFromAuthorization, bearerFromSubprotocols } from "./bearer.js";
import type { Credential } from "./claims.js";
import { AuthError, AuthErrorCode } from "./errors.js";
import { localOperator, type Principal } from "./permissions.js";
import type { RevocationList } from "./revocation.js";
import type { TokenVerifier } from "./verifier.js";

/** Who is calling and with which token (`null` when authentication is off). */
export interface Session {
  principal: Principal;
  credential: Credential | null;
}

declare module "hono" {
  interface ContextVariableMap {
    authSession: Session;
  }
}

export interface AuthenticateOptions {
  /** `null` turns authentication off: every caller is the local operator (the server binds loopback only). */
  verifier: TokenVerifier | null;
  revocations?: RevocationList;
  /** The `realm` of the RFC 6750 challenge. */
  realm?: string;
  log?: { warn: (obj: object, msg: string) => void };
}

const defaults = { realm: "marketing-agents" } satisfies Partial<AuthenticateOptions>;

/** What authentication reads of a request: its headers, its path and peer for the log. */
export interface RequestHead {
  header(name: string): string | undefined;
  readonly path: string;
  remote(): string | undefined;
}

export type Authenticator = (head: RequestHead) => Session | Refusal | Promise<Session | Refusal>;

/** Authentication and whatever else admits a request (the rate limit), decided from its head. */
export type Admit = Authenticator;

/**
 * Decides who a request is, or why it is refused, from its head alone: shared by the Hono middleware
 * below and the node:http fast path for `POST /rpc`. Failures answer 401 with an RFC 6750 §3 challenge
 * and a JSON-RPC error body (-32001). The log records why (a closed code), never the token.
 */
export function authenticator(options: AuthenticateOptions): Authenticator {
  const { realm } = { ...defaults, ...options };
  const { verifier } = options;
  if (verifier === null) return () => localSession;
  return async (head) => {
    const isUpgrade = head.header("upgrade")?.toLowerCase() === "websocket";
    const token =
      bearerFromAuthorization(head.header("authorization")) ??
      (isUpgrade ? bearerFromSubprotocols(head.header("sec-websocket-protocol")) : undefined);
    try {
      if (token === undefined) throw new AuthError(AuthErrorCode.MissingToken, "bearer token required");
      const verified = await verifier.verify(token);
      if (options.revocations?.isRevoked(verified.credential)) {
        throw new AuthError(AuthErrorCode.Revoked, "token revoked");
      }
      return verified;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      options.log?.warn(
        { reason: error.code, jose: error.joseCode, path: head.path, remote: head.remote() },
        "authentication refused",
      );
      return refusalOf(error, realm);
    }
  };
}

/** Authentication off: every caller is the local operator (the server then binds to loopback only). */
const localSession: Session = { principal: localOperator, credential: null };

/**
 * Authenticates `/rpc`, `/mcp` and the `/ws` upgrade (see `authenticator`); on the upgrade path
 * node-server sends a refusal's status and headers and no socket is opened.
 */
export function authenticate(options: AuthenticateOptions): MiddlewareHandler {
  const decide = authenticator(options);
  if (options.verifier === null) {
    // Nothing to verify: not async, so no promise of our own per request (compose awaits next()).
    return (c, next) => {
      c.set("authSession", localSession);
      return next();
    };
  }
  return async (c, next) => {
    const decided = await decide(headOf(c));
    if ("refused" in decided) return refusalResponse(decided);
    c.set("authSession", decided);
    return next();
  };
}

function headOf(c: Context): RequestHead {
  return { header: (name) => c.req.header(name), path: c.req.path, remote: () => remoteOf(c) };
}

function refusalOf(error: AuthError, realm: string): Refusal {
  if (error.code === AuthErrorCode.KeysUnavailable) {
    // Not the caller's fault and not a verdict on the token: the identity provider is unreachable.
    return refusal(503, RpcCode.Unavailable, { reason: error.message }, { "retry-after": "5" });
  }
  // RFC 6750 §3.1: no error code when the request carried no credentials at all.
  const challenge =
    error.code === AuthErrorCode.MissingToken
      ? `Bearer realm="${realm}"`
      : `Bearer realm="${realm}", error="invalid_token", error_description="${error.message.replace(/["\\]/g, "'")}"`;
  return refusal(401, RpcCode.Unauthorized, { reason: error.code }, { "www-authenticate": challenge });
}

function remoteOf(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** The session `authenticate` set; throws if the route was mounted without it (a wiring bug). */
export function sessionOf(c: Context): Session {
  const session = c.get("authSession");
  if (session === undefined) throw new Error(`${c.req.path} is served without the authenticate middleware`);
  return session;
}

/**
 * The caller, as a fresh object on every call: the audit log pairs each call with its target by the
 * principal object's identity (see `audit/targets.ts`).
 */
export function principalOf(c: Context): Principal {
  return { ...sessionOf(c).principal };
}
