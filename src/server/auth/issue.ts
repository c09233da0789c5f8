import { randomUUID } from "node:crypto";
import { importJWK, type JWK, SignJWT } from "jose";
import type { Role } from "./permissions.js";

export interface DevTokenRequest {
  role: Role;
  tenantId: string;
  subject: string;
  /** Lifetime in seconds. */
  ttlSeconds: number;
  issuer: string;
  audience: string;
  roleClaim?: string;
  tenantClaim?: string;
}

/** Longest lifetime of a development token: long-lived bearer tokens are what revocation cannot keep up with. */
export const MAX_DEV_TOKEN_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Signs an access token with the local development key: ES256, `typ: at+jwt` (RFC 9068), a random `jti`
 * so it can be revoked, `iat`/`exp`, and the role and tenant claims.
 */
export async function signDevToken(privateJwk: JWK, request: DevTokenRequest): Promise<string> {
  if (!Number.isInteger(request.ttlSeconds) || request.ttlSeconds <= 0) {
    throw new RangeError("ttlSeconds must be a positive integer");
  }
  if (request.ttlSeconds > MAX_DEV_TOKEN_TTL_SECONDS) {
    throw new RangeError(`ttl over ${MAX_DEV_TOKEN_TTL_SECONDS} s (7 days) refused`);
  }
  const key = await importJWK(privateJwk, "ES256");
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    [request.roleClaim ?? "role"]: request.role,
    [request.tenantClaim ?? "tenant"]: request.tenantId,
  })
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", ...(privateJwk.kid ? { kid: privateJwk.kid } : {}) })
    .setIssuer(request.issuer)
    .setAudience(request.audience)
    .setSubject(request.subject)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + request.ttlSeconds)
    .sign(key);
}

/** `90`, `90s`, `15m`, `1h`, `2d` → seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) throw new RangeError(`ttl "${text}" is not like 90s, 15m, 1h or 2d`);
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as "" | "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}
