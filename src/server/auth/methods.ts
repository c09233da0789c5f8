import { z } from "zod";
import { RpcCode, RpcError } from "../rpc/errors.js";
import { defineMethod } from "../rpc/method.js";
import { rolePermissions } from "./permissions.js";
import type { RevocationList } from "./revocation.js";

/** How long a revocation is kept when the caller does not say when the token expires. */
const DEFAULT_KEEP_MS = 30 * 24 * 3600 * 1000;

export function authMethods(options: { revocations: RevocationList | undefined; issuer: string }) {
  return [
    defineMethod({
      name: "auth.revoke",
      description:
        "Puts a token's (issuer, jti) on the denylist: its next call gets 401 and open WebSockets using it close with 1008 (on other replicas within the revocation poll interval).",
      permission: "auth:revoke",
      params: z
        .object({
          jti: z.string().min(1).max(256),
          /** Default: this server's configured issuer. */
          issuer: z.string().min(1).max(512).optional(),
          /** The token's `exp`, so the entry can be purged after it; default 30 days from now. */
          expiresAt: z.iso.datetime({ offset: true }).optional(),
        })
        .strict(),
      result: z.object({ revoked: z.literal(true), issuer: z.string(), jti: z.string() }),
      handler: async ({ jti, issuer, expiresAt }, ctx) => {
        if (!options.revocations) {
          throw new RpcError(RpcCode.Unavailable, "authentication is off: there are no tokens to revoke");
        }
        const revocation = {
          issuer: issuer ?? options.issuer,
          jti,
          expiresAt: expiresAt ? new Date(expiresAt) : new Date(Date.now() + DEFAULT_KEEP_MS),
        };
        await options.revocations.revoke(revocation, ctx.principal.subject);
        return { revoked: true as const, issuer: revocation.issuer, jti };
      },
    }),
    defineMethod({
      name: "auth.whoami",
      description:
        "The caller as the server sees it: subject, role, tenant and the permissions the role grants.",
      permission: "system:read",
      params: z.object({}).strict(),
      result: z.object({
        subject: z.string(),
        role: z.string(),
        tenantId: z.string(),
        permissions: z.array(z.string()),
      }),
      handler: (_params, ctx) => ({
        ...ctx.principal,
        permissions: [...rolePermissions[ctx.principal.role]].sort(),
      }),
    }),
  ];
}
