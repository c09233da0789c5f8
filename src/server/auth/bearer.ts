/**
 * Where a bearer token may come from: the `Authorization` header (RFC 6750 §2.1), or, for browsers, whose
 * WebSocket API cannot set headers, the subprotocol pair `bearer, <token>` in `Sec-WebSocket-Protocol`.
 * Never from the query string: URLs end up in proxy and access logs.
 */
export const BEARER_SUBPROTOCOL = "bearer";

/** A compact JWS: three base64url parts (the signature may be empty, which verification then refuses). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function bearerFromAuthorization(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** `Sec-WebSocket-Protocol: bearer, <token>` → the token. */
export function bearerFromSubprotocols(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const offered = header.split(",").map((p) => p.trim());
  const at = offered.indexOf(BEARER_SUBPROTOCOL);
  if (at === -1) return undefined;
  const token = offered[at + 1];
  return token !== undefined && COMPACT_JWS.test(token) ? token : undefined;
}

/**
 * For ws's `handleProtocols`: answer `bearer` when offered, and never echo anything else, so the token a
 * browser sent as a "protocol" is not reflected into the response headers. We speak no other subprotocol.
 */
export function selectSubprotocol(protocols: Set<string>): string | false {
  return protocols.has(BEARER_SUBPROTOCOL) ? BEARER_SUBPROTOCOL : false;
}
