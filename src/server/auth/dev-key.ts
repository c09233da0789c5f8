import { join } from "node:path";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";
import { createPrivateFileOnce, readPrivateFile } from "../../private-file.js";
import { AuthConfigError } from "./errors.js";

/**
 * The local development signing key: an ES256 key pair created once under `DATA_DIR/auth/` (directory
 * 0700, file 0600) when no JWKS URL or public key is configured. The server verifies with its public half;
 * `marketing-agents token` signs with its private half. Anyone who can read the file can mint any role's
 * token, which is why the file must stay private and production deployments configure an identity provider.
 */
export const DEV_KEY_FILE = "dev-signing-key.json";

export interface DevKeyPair {
  /** The private JWK (with `kid` and `alg`); for signing development tokens. */
  privateJwk: JWK;
  /** The public JWK (with `kid`, `alg`, `use`); what the server verifies with. */
  publicJwk: JWK;
  path: string;
}

/** Loads the key pair from `dir`, creating it first if missing. Safe when several processes start at once. */
export async function loadOrCreateDevKey(dir: string): Promise<DevKeyPair> {
  const path = join(dir, DEV_KEY_FILE);
  const existing = await readDevKey(path);
  if (existing) return existing;
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  const privateJwk: JWK = { ...jwk, alg: "ES256", kid: await calculateJwkThumbprint(jwk) };
  await createPrivateFileOnce(path, `${JSON.stringify(privateJwk, null, 2)}\n`);
  const loaded = await readDevKey(path);
  if (!loaded) throw new AuthConfigError(`could not create the development key at ${path}`);
  return loaded;
}

/** Loads the key pair if it exists; undefined when it does not. */
export async function readDevKey(path: string): Promise<DevKeyPair | undefined> {
  const text = await readPrivateFile(path, (message) => new AuthConfigError(message));
  if (text === undefined) return undefined;
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(text) as JWK;
  } catch (error) {
    throw new AuthConfigError(`${path} is not a JSON Web Key; delete it to create a new one`, {
      cause: error,
    });
  }
  if (privateJwk.kty !== "EC" || privateJwk.crv !== "P-256" || typeof privateJwk.d !== "string") {
    throw new AuthConfigError(`${path} is not an ES256 private key; delete it to create a new one`);
  }
  const { d: _private, ...publicPart } = privateJwk;
  return { privateJwk, publicJwk: { ...publicPart, alg: "ES256", use: "sig" }, path };
}
