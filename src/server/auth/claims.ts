import type { JWTPayload } from "jose";
import { z } from "zod";
import { type Principal, Roles } from "./permissions.js";

/**
 * The claims we act on, validated like any other input: the role must be one of the closed set, the tenant
 * a short identifier (it prefixes thread keys and scopes every query), `jti` present so the token can be
 * revoked. Identity-provider specific claim names come from configuration.
 */
const Identifier = z.string().min(1).max(256);
/** Tenant ids: letters, digits and `. _ : -`, at most 64, starting with a letter or digit. */
export const TENANT_ID = /^[A-Za-z0-9][\w.:-]{0,63}$/;
const TenantId = z
  .string()
  .regex(TENANT_ID, "letters, digits and . _ : - (at most 64), starting with a letter or digit");

export interface Credential {
  issuer: string;
  jti: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface ClaimNames {
  roleClaim: string;
  tenantClaim: string;
}

export class ClaimsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClaimsError";
  }
}

/** Claims jose has already checked (signature, iss, aud, exp, typ) → who is calling. */
export function principalFromClaims(
  payload: JWTPayload,
  names: ClaimNames,
): { principal: Principal; credential: Credential } {
  const parsed = z
    .object({
      sub: Identifier,
      jti: Identifier,
      iss: Identifier,
      exp: z.number(),
      [names.roleClaim]: z.enum(Roles),
      [names.tenantClaim]: TenantId,
    })
    .safeParse(payload);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join(".") || "(claims)");
    throw new ClaimsError(`token claims refused: ${[...new Set(where)].join(", ")}`);
  }
  const claims = parsed.data as Record<string, unknown> & {
    sub: string;
    jti: string;
    iss: string;
    exp: number;
  };
  return {
    principal: {
      subject: claims.sub,
      role: claims[names.roleClaim] as Principal["role"],
      tenantId: claims[names.tenantClaim] as string,
    },
    credential: { issuer: claims.iss, jti: claims.jti, expiresAt: claims.exp * 1000 },
  };
}
