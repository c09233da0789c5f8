import type { JWK } from "jose";
import { AuthConfigError } from "./errors.js";

/**
 * Which algorithm each key may verify. One key, one algorithm: a token's `alg` header never chooses how
 * a key is used, so an RSA public key can never be fed to HMAC as a secret (the HS/RS confusion attack;
 * ASVS 5.0 9.1.2, OWASP JWT Cheat Sheet) and `none` is never accepted (jose refuses it anyway).
 */
export const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/** NIST SP 800-131A and ASVS 5.0 11.2.3: RSA keys below 2048 bits are refused. */
export const MIN_RSA_BITS = 2048;
/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output, 256 bits. */
export const MIN_HMAC_SECRET_BYTES = 32;

const curveAlgorithm: Record<string, AsymmetricAlgorithm> = {
  "P-256": "ES256",
  "P-384": "ES384",
  "P-521": "ES512",
  Ed25519: "EdDSA",
};

export function isAsymmetricAlgorithm(alg: string): alg is AsymmetricAlgorithm {
  return (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg);
}

/** The algorithms a key of this type and curve can serve (RFC 7518 §3.1, RFC 8037). */
function compatibleAlgorithms(jwk: JWK): readonly AsymmetricAlgorithm[] {
  switch (jwk.kty) {
    case "RSA":
      return ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
    case "EC": {
      const alg = curveAlgorithm[jwk.crv ?? ""];
      return alg ? [alg] : [];
    }
    case "OKP":
      return jwk.crv === "Ed25519" ? ["EdDSA", "Ed25519"] : [];
    default:
      return [];
  }
}

/**
 * The single algorithm a configured public key verifies: its own `alg` member when present (checked
 * against its type), else the natural one for its type (RSA → RS256, P-256 → ES256, Ed25519 → EdDSA).
 * Refuses private keys, symmetric keys and RSA keys under 2048 bits.
 */
export function pinAlgorithm(jwk: JWK, label: string): AsymmetricAlgorithm {
  const privateMembers = ["d", "p", "q", "dp", "dq", "qi", "k"] as const;
  if (privateMembers.some((member) => jwk[member] !== undefined)) {
    throw new AuthConfigError(
      `${label}: contains private or secret key material; configure the public key only`,
    );
  }
  const compatible = compatibleAlgorithms(jwk);
  if (compatible.length === 0) {
    throw new AuthConfigError(
      `${label}: unsupported key type ${jwk.kty}${jwk.crv ? `/${jwk.crv}` : ""} (use RSA ≥ 2048 bits, EC P-256/384/521 or Ed25519)`,
    );
  }
  if (jwk.kty === "RSA") {
    const bits = rsaModulusBits(jwk);
    if (bits < MIN_RSA_BITS) {
      throw new AuthConfigError(
        `${label}: RSA key of ${bits} bits refused; modulusLength must be 2048 bits or larger`,
      );
    }
  }
  if (jwk.alg === undefined) return compatible[0]!;
  const declared = compatible.find((alg) => alg === jwk.alg);
  if (!declared) throw new AuthConfigError(`${label}: alg ${jwk.alg} does not fit a ${jwk.kty} key`);
  return declared;
}

function rsaModulusBits(jwk: JWK): number {
  const modulus = Buffer.from(jwk.n ?? "", "base64url");
  let start = 0;
  while (start < modulus.length && modulus[start] === 0) start++;
  if (start === modulus.length) return 0;
  return (modulus.length - start - 1) * 8 + (32 - Math.clz32(modulus[start]!));
}

/**
 * Decodes an HS256 secret given as base64 or base64url. It must be at least 256 bits, and it must look
 * like CSPRNG output rather than text: 32 random bytes are all printable ASCII with probability about
 * (95/256)^32 ≈ 1e-14, so an all-printable secret is a password or an encoded string, and is refused.
 */
export function decodeHmacSecret(encoded: string): Uint8Array {
  const trimmed = encoded.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new AuthConfigError(
      "AUTH_HS256_SECRET must be base64 or base64url (e.g. `openssl rand -base64 32`)",
    );
  }
  const bytes = new Uint8Array(Buffer.from(trimmed, "base64"));
  if (bytes.length < MIN_HMAC_SECRET_BYTES) {
    throw new AuthConfigError(
      `AUTH_HS256_SECRET is ${bytes.length * 8} bits; HS256 needs at least ${MIN_HMAC_SECRET_BYTES * 8} random bits`,
    );
  }
  if (bytes.every((b) => b >= 0x20 && b <= 0x7e)) {
    throw new AuthConfigError(
      "AUTH_HS256_SECRET decodes to printable text: use random bytes from a CSPRNG (`openssl rand -base64 32`), never a password",
    );
  }
  return bytes;
}
