import { decodeProtectedHeader, errors, jwtVerify } from "jose";
import { ClaimsError, type Credential, principalFromClaims } from "./claims.js";
import { AuthError, AuthErrorCode } from "./errors.js";
import type { KeySource } from "./key-sources.js";
import type { AuthOptions } from "./options.js";
import type { Principal } from "./permissions.js";

export interface VerifiedToken {
  principal: Principal;
  credential: Credential;
}

export interface TokenVerifier {
  /** Verifies a compact JWS access token; throws `AuthError` when it is not acceptable. */
  verify(token: string): Promise<VerifiedToken>;
}

/** Tokens longer than this are refused before any parsing: real access tokens are 1–2 KiB. */
export const MAX_TOKEN_LENGTH = 8_192;

/** Header members that name a key by reference or embed one: never trusted, so tokens carrying them are refused. */
const KEY_REFERENCE_HEADERS = ["jku", "x5u", "jwk", "x5c"] as const;

type VerifierOptions = Pick<
  AuthOptions,
  | "issuer"
  | "audience"
  | "tokenType"
  | "clockToleranceSeconds"
  | "maxTokenAgeSeconds"
  | "roleClaim"
  | "tenantClaim"
>;

/**
 * jose `jwtVerify` with every option pinned: algorithms per key (no `none`, no HS/RS mixing), `exp`, `jti`
 * and `sub` required, `iss`/`aud` checked, `typ` checked (an ID token is not an access token: RFC 9068 §4,
 * ASVS 5.0 9.2.2), `clockTolerance` for skew, optional `maxTokenAge`.
 */
export function createTokenVerifier(keys: KeySource, options: VerifierOptions): TokenVerifier {
  const verifyOptions = {
    algorithms: keys.algorithms,
    issuer: options.issuer,
    audience: options.audience,
    typ: options.tokenType,
    clockTolerance: options.clockToleranceSeconds,
    requiredClaims: ["exp", "jti", "sub"],
    ...(options.maxTokenAgeSeconds ? { maxTokenAge: options.maxTokenAgeSeconds } : {}),
  };
  return {
    async verify(token) {
      if (token.length > MAX_TOKEN_LENGTH) {
        throw new AuthError(AuthErrorCode.InvalidToken, "token too long");
      }
      let header: Record<string, unknown>;
      try {
        header = decodeProtectedHeader(token) as Record<string, unknown>;
      } catch (error) {
        throw new AuthError(AuthErrorCode.InvalidToken, "malformed token", codeOf(error), { cause: error });
      }
      const reference = KEY_REFERENCE_HEADERS.find((name) => header[name] !== undefined);
      if (reference) {
        throw new AuthError(
          AuthErrorCode.InvalidToken,
          `"${reference}" header refused: keys come from configuration`,
        );
      }
      try {
        const { payload } = await jwtVerify(token, keys.getKey, verifyOptions);
        return principalFromClaims(payload, options);
      } catch (error) {
        throw toAuthError(error);
      }
    },
  };
}

function codeOf(error: unknown): string | undefined {
  return error instanceof errors.JOSEError ? error.code : undefined;
}

function toAuthError(error: unknown): AuthError {
  if (error instanceof errors.JWTExpired) {
    // jose reports `iat` older than maxTokenAge as JWTExpired too; say which one it was.
    const message = error.claim === "iat" ? "token too old (iat)" : "token expired";
    return new AuthError(AuthErrorCode.Expired, message, error.code, { cause: error });
  }
  if (error instanceof ClaimsError) return new AuthError(AuthErrorCode.InvalidToken, error.message);
  if (error instanceof errors.JWKSTimeout || isJwksFetchFailure(error)) {
    return new AuthError(AuthErrorCode.KeysUnavailable, "signing keys unavailable", codeOf(error), {
      cause: error,
    });
  }
  if (error instanceof errors.JOSEError) {
    return new AuthError(AuthErrorCode.InvalidToken, describeJoseError(error), error.code, { cause: error });
  }
  // jose throws TypeError for unusable keys (an RSA key under 2048 bits from a JWKS, a wrong key type).
  return new AuthError(AuthErrorCode.InvalidToken, "token cannot be verified", undefined, { cause: error });
}

/** jose reports a JWKS endpoint that answered badly or not at all as a generic error or a fetch TypeError. */
function isJwksFetchFailure(error: unknown): boolean {
  if (error instanceof errors.JWKSInvalid) return true;
  if (error instanceof errors.JOSEError && error.code === "ERR_JOSE_GENERIC") {
    return /JSON Web Key Set/.test(error.message);
  }
  return error instanceof TypeError && /fetch failed/.test(error.message);
}

function describeJoseError(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTClaimValidationFailed)
    return `claim "${error.claim}" refused (${error.reason})`;
  if (error instanceof errors.JOSEAlgNotAllowed) return "algorithm not allowed";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "signature verification failed";
  if (error instanceof errors.JWKSNoMatchingKey) return "no matching key";
  return "invalid token";
}
