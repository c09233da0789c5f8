import type { Config } from "../config.js";
import { TENANT_ID } from "../server/auth/claims.js";
import { loadOrCreateDevKey } from "../server/auth/dev-key.js";
import { AuthConfigError } from "../server/auth/errors.js";
import { parseTtl, signDevToken } from "../server/auth/issue.js";
import { devKeyDirOf } from "../server/auth/options.js";
import { type Role, Roles } from "../server/auth/permissions.js";
import { CliError } from "./read-input.js";

export interface TokenCommandOptions {
  role: string;
  tenant: string;
  subject: string;
  ttl: string;
}

/**
 * `marketing-agents token`: prints a development access token signed with the local key under
 * `DATA_DIR/auth/` (created on first use), the key the server verifies with when no JWKS URL, public key
 * or HS256 secret is configured. Only the token goes to stdout, so `TOKEN=$(marketing-agents token …)` works.
 */
export async function tokenCommand(config: Config, options: TokenCommandOptions): Promise<void> {
  if (!(Roles as readonly string[]).includes(options.role)) {
    throw new CliError(`--role must be one of ${Roles.join(", ")}`, 2);
  }
  if (!TENANT_ID.test(options.tenant)) {
    throw new CliError(
      "--tenant: letters, digits and . _ : - (at most 64), starting with a letter or digit",
      2,
    );
  }
  if (options.subject.length === 0 || options.subject.length > 256) {
    throw new CliError("--subject must be 1 to 256 characters", 2);
  }
  let ttlSeconds: number;
  try {
    ttlSeconds = parseTtl(options.ttl);
  } catch (error) {
    throw new CliError(`--ttl: ${(error as Error).message}`, 2);
  }
  const external = [
    config.AUTH_JWKS_URL && "AUTH_JWKS_URL",
    (config.AUTH_PUBLIC_KEYS || config.AUTH_PUBLIC_KEYS_FILE) && "AUTH_PUBLIC_KEYS",
    config.AUTH_HS256_SECRET && "AUTH_HS256_SECRET",
  ].filter(Boolean);
  if (external.length > 0) {
    process.stderr.write(
      `marketing-agents: warning: ${external.join(", ")} is set, so the server will not accept development tokens\n`,
    );
  }
  try {
    const { privateJwk } = await loadOrCreateDevKey(devKeyDirOf(config));
    const token = await signDevToken(privateJwk, {
      role: options.role as Role,
      tenantId: options.tenant,
      subject: options.subject,
      ttlSeconds,
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      roleClaim: config.AUTH_ROLE_CLAIM,
      tenantClaim: config.AUTH_TENANT_CLAIM,
    });
    process.stdout.write(`${token}\n`);
  } catch (error) {
    if (error instanceof AuthConfigError || error instanceof RangeError) throw new CliError(error.message, 2);
    throw error;
  }
}
