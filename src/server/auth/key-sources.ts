import { createPublicKey, X509Certificate } from "node:crypto";
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  createRemoteJWKSet,
  type JWK,
  type JWTVerifyGetKey,
} from "jose";
import { loadOrCreateDevKey } from "./dev-key.js";
import { AuthConfigError } from "./errors.js";
import { decodeHmacSecret, isAsymmetricAlgorithm, pinAlgorithm } from "./key-policy.js";
import { isLoopbackHost } from "./loopback.js";
import type { AuthOptions } from "./options.js";

/**
 * Where verification keys come from. Keys are chosen by our own configuration only: `jku`, `x5u`, `jwk`
 * and `x5c` token headers are never followed (the verifier refuses tokens that carry them), so a token
 * cannot point us at an attacker's key or make us fetch anything (ASVS 5.0 9.1.3).
 */
export interface KeySource {
  getKey: JWTVerifyGetKey;
  /** The only `alg` values accepted: pinned per key type. */
  algorithms: string[];
  /** For the startup banner: where keys come from, without secrets. */
  describe: string;
  kind: "jwks" | "public-keys" | "hs256" | "development";
}

const DEFAULT_JWKS_ALGORITHMS = ["RS256", "ES256"];

type KeyOptions = Pick<
  AuthOptions,
  "jwksUrl" | "publicKeys" | "hs256Secret" | "devKeyDir" | "algorithms" | "jwksCooldownMs"
>;

export async function createKeySource(options: KeyOptions): Promise<KeySource> {
  const configured = [options.jwksUrl, options.publicKeys, options.hs256Secret].filter(
    (v) => v !== undefined,
  );
  if (configured.length > 1) {
    // Mixing symmetric and asymmetric verification is how HS/RS confusion starts (ASVS 5.0 9.1.2).
    throw new AuthConfigError(
      "configure one key source: AUTH_JWKS_URL, AUTH_PUBLIC_KEYS(_FILE) or AUTH_HS256_SECRET, not several",
    );
  }
  if (options.jwksUrl) return remoteKeys(options.jwksUrl, options.algorithms, options.jwksCooldownMs);
  if (options.publicKeys) return staticKeys(options.publicKeys);
  if (options.hs256Secret) {
    // Imported once: handing jose the raw bytes would re-import the key on every verification.
    const secret = await crypto.subtle.importKey(
      "raw",
      decodeHmacSecret(options.hs256Secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    return {
      getKey: async () => secret,
      algorithms: ["HS256"],
      describe: "HS256 shared secret",
      kind: "hs256",
    };
  }
  const dev = await loadOrCreateDevKey(options.devKeyDir);
  return {
    ...localSet([dev.publicJwk]),
    describe: `local development key ${dev.path} (mint tokens with \`marketing-agents token\`)`,
    kind: "development",
  };
}

function remoteKeys(url: string, algorithms: string[] | undefined, cooldownMs: number): KeySource {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new AuthConfigError(`AUTH_JWKS_URL is not a URL`, { cause: error });
  }
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && isLoopbackHost(parsed.hostname))) {
    throw new AuthConfigError("AUTH_JWKS_URL must be https:// (plain http is accepted on loopback only)");
  }
  const pinned = algorithms ?? DEFAULT_JWKS_ALGORITHMS;
  const refused = pinned.filter((alg) => !isAsymmetricAlgorithm(alg));
  if (refused.length > 0 || pinned.length === 0) {
    throw new AuthConfigError(
      `AUTH_ALGORITHMS may list asymmetric algorithms only (RS256, PS256, ES256, EdDSA, …); refused: ${refused.join(", ") || "(empty)"}`,
    );
  }
  // jose fetches with redirect: "manual" and a 5 s timeout, caches keys 10 min, and refetches for an
  // unknown kid at most once per cooldown, so a stream of forged kids cannot make us hammer the IdP.
  const jwks = createRemoteJWKSet(parsed, { cooldownDuration: cooldownMs, timeoutDuration: 5_000 });
  return {
    getKey: jwks,
    algorithms: pinned,
    describe: `JWKS ${parsed.origin}${parsed.pathname}`,
    kind: "jwks",
  };
}

async function staticKeys(text: string): Promise<KeySource> {
  const jwks = await parsePublicKeys(text.trim());
  return { ...localSet(jwks), describe: `${jwks.length} configured public key(s)`, kind: "public-keys" };
}

/** A local key set where every key carries its pinned `alg`, so jose matches key and algorithm together. */
function localSet(keys: JWK[]): Pick<KeySource, "getKey" | "algorithms"> {
  const pinned = keys.map((jwk, i) => ({
    ...jwk,
    alg: pinAlgorithm(jwk, `public key #${i + 1}`),
    use: "sig",
  }));
  const getKey = createLocalJWKSet({ keys: pinned });
  return { getKey, algorithms: [...new Set(pinned.map((k) => k.alg))] };
}

/** PEM block(s), a JWK or a JWKS → public JWKs with a `kid` (RFC 7638 thumbprint when absent). */
export async function parsePublicKeys(text: string): Promise<JWK[]> {
  let keys: JWK[];
  if (text.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new AuthConfigError("AUTH_PUBLIC_KEYS looks like JSON but does not parse", { cause: error });
    }
    const set = json as { keys?: unknown };
    keys = (Array.isArray(set.keys) ? set.keys : [json]) as JWK[];
  } else {
    const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g)];
    if (blocks.length === 0) {
      throw new AuthConfigError("AUTH_PUBLIC_KEYS holds neither PEM blocks nor a JWK/JWKS");
    }
    keys = blocks.map(([pem, label]) => pemToJwk(pem, label ?? ""));
  }
  if (keys.length === 0) throw new AuthConfigError("AUTH_PUBLIC_KEYS holds an empty key set");
  return Promise.all(
    keys.map(async (jwk) => ({ ...jwk, kid: jwk.kid ?? (await calculateJwkThumbprint(jwk)) })),
  );
}

function pemToJwk(pem: string, label: string): JWK {
  // createPublicKey would happily derive a public key from a private one: refuse to hold private keys at all.
  if (label.includes("PRIVATE")) {
    throw new AuthConfigError(`AUTH_PUBLIC_KEYS contains a ${label}; configure the public key only`);
  }
  const key = label === "CERTIFICATE" ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  return key.export({ format: "jwk" }) as JWK;
}
