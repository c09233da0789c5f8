/**
 * Why a request was not authenticated. A closed set: the HTTP layer maps every code to 401 with an RFC 6750
 * `WWW-Authenticate` challenge, and the log records the code, never the token.
 */
export const AuthErrorCode = {
  /** No bearer token at all (RFC 6750 §3.1: the challenge then carries no error code). */
  MissingToken: "missing_token",
  /** Bad signature, algorithm, header, claims or format. */
  InvalidToken: "invalid_token",
  /** `exp` has passed (beyond the clock tolerance). */
  Expired: "expired",
  /** `(iss, jti)` is on the denylist. */
  Revoked: "revoked",
  /** The key source (JWKS URL) could not be reached: the token may be fine, we cannot tell. */
  KeysUnavailable: "keys_unavailable",
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    /** The jose error code (`ERR_JWT_EXPIRED`, …) when jose refused the token: for logs and tests. */
    readonly joseCode?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "AuthError";
  }
}

/** Authentication is configured in a way we refuse to run with (short secret, small RSA key, mixed keys). */
export class AuthConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AuthConfigError";
  }
}
