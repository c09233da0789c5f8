import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../../config.js";

/** How bearer tokens are verified. One key source at most: a JWKS URL, public keys, or an HS256 secret. */
export interface AuthOptions {
  /** Verify bearer tokens on `/rpc` and `/ws`. Off: every caller is the local operator (loopback only). */
  required: boolean;
  /** Expected `iss`. Also the issuer of development tokens. */
  issuer: string;
  /** Expected `aud` (one of the token's audiences must match). */
  audience: string;
  /** An identity provider's JWKS endpoint (https; http only on loopback, for tests). */
  jwksUrl?: string;
  /** Public keys inline: PEM block(s) (SPKI or certificate), one JWK, or a JWKS `{ "keys": [...] }`. */
  publicKeys?: string;
  /** An HS256 secret, base64: at least 256 random bits. Symmetric: whoever verifies can also sign. */
  hs256Secret?: string;
  /** Where the local development key pair lives when no key source is configured. */
  devKeyDir: string;
  /** Algorithms accepted from the JWKS URL (default RS256, ES256). Static keys pin their own. */
  algorithms?: string[];
  /** Required `typ` header: `at+jwt` (RFC 9068) keeps ID tokens from passing as access tokens. */
  tokenType: string;
  /** Allowed clock skew for `exp`, `nbf` and `iat`, in seconds. */
  clockToleranceSeconds: number;
  /** When set, tokens must carry `iat` and be younger than this, whatever their `exp`. */
  maxTokenAgeSeconds?: number;
  /** The claim holding the role (one of admin, marketer, analyst, agent, viewer). */
  roleClaim: string;
  /** The claim holding the tenant id. */
  tenantClaim: string;
  /** How often each replica reads new revocations from the database. */
  revocationPollMs: number;
  /** Least time between two JWKS fetches caused by unknown `kid`s (jose `cooldownDuration`). */
  jwksCooldownMs: number;
}

export const authDefaults = {
  required: false,
  issuer: "marketing-agents",
  audience: "marketing-agents",
  devKeyDir: "./.data/auth",
  tokenType: "at+jwt",
  clockToleranceSeconds: 30,
  roleClaim: "role",
  tenantClaim: "tenant",
  revocationPollMs: 2_000,
  jwksCooldownMs: 30_000,
} satisfies Partial<AuthOptions>;

/** Options from the parsed configuration; `required` is decided by the caller (it depends on the bind address). */
export async function authOptionsFromConfig(config: Config, required: boolean): Promise<AuthOptions> {
  const publicKeys =
    config.AUTH_PUBLIC_KEYS ??
    (config.AUTH_PUBLIC_KEYS_FILE ? await readFile(config.AUTH_PUBLIC_KEYS_FILE, "utf8") : undefined);
  return {
    ...authDefaults,
    required,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    devKeyDir: devKeyDirOf(config),
    tokenType: config.AUTH_TOKEN_TYPE,
    clockToleranceSeconds: config.AUTH_CLOCK_TOLERANCE_SECONDS,
    roleClaim: config.AUTH_ROLE_CLAIM,
    tenantClaim: config.AUTH_TENANT_CLAIM,
    revocationPollMs: config.AUTH_REVOCATION_POLL_MS,
    ...(config.AUTH_JWKS_URL ? { jwksUrl: config.AUTH_JWKS_URL } : {}),
    ...(publicKeys ? { publicKeys } : {}),
    ...(config.AUTH_HS256_SECRET ? { hs256Secret: config.AUTH_HS256_SECRET } : {}),
    ...(config.AUTH_ALGORITHMS ? { algorithms: config.AUTH_ALGORITHMS } : {}),
    ...(config.AUTH_MAX_TOKEN_AGE_SECONDS ? { maxTokenAgeSeconds: config.AUTH_MAX_TOKEN_AGE_SECONDS } : {}),
  };
}

/** `DATA_DIR/auth`: shared by the server and `marketing-agents token`. */
export function devKeyDirOf(config: Pick<Config, "DATA_DIR">): string {
  return join(config.DATA_DIR, "auth");
}
