import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createPrivateFileOnce, readPrivateFile } from "../../private-file.js";

/**
 * The keys that protect personal data at rest: AES-256 data keys under short ids (every ciphertext names
 * the key that made it, so old keys keep decrypting while `rotate-keys` moves rows to the active one), and
 * one HMAC key for blind indexes (exact-match lookups on encrypted columns).
 */
export interface PiiKeyring {
  /** The key new writes use. */
  readonly activeKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
  readonly indexKey: Buffer;
  /** Where the keys came from, for the startup log: never the keys themselves. */
  readonly source: "config" | "file" | "dev-file" | "ephemeral";
}

export class PiiKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PiiKeyError";
  }
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const KEY_BYTES = 32;

/** The JSON shape of `PII_KEYS_FILE` and of the development key file. */
export interface PiiKeyFile {
  active: string;
  keys: Record<string, string>;
  indexKey: string;
}

function decodeKey(name: string, base64: string, minBytes = KEY_BYTES): Buffer {
  const key = Buffer.from(base64, "base64");
  // Buffer.from ignores junk silently; a round trip tells a real base64 key from a typo.
  if (key.toString("base64").replace(/=+$/, "") !== base64.trim().replace(/=+$/, "")) {
    throw new PiiKeyError(`${name} is not valid base64`);
  }
  if (key.length < minBytes) {
    throw new PiiKeyError(`${name} must be at least ${minBytes} random bytes (got ${key.length})`);
  }
  return key;
}

function dataKey(id: string, base64: string): Buffer {
  if (!KEY_ID.test(id)) throw new PiiKeyError(`PII key id "${id}" must be 1-32 of A-Z a-z 0-9 _ -`);
  const key = decodeKey(`PII key "${id}"`, base64);
  if (key.length !== KEY_BYTES) throw new PiiKeyError(`PII key "${id}" must be exactly 32 bytes (AES-256)`);
  return key;
}

/** `k1:BASE64,k2:BASE64` → keys by id. */
export function parseKeyList(spec: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const entry of spec
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(":");
    if (colon <= 0)
      throw new PiiKeyError(`PII_KEYS entry must be id:base64key (got "${entry.slice(0, 8)}…")`);
    const id = entry.slice(0, colon);
    if (keys.has(id)) throw new PiiKeyError(`PII key id "${id}" appears twice`);
    keys.set(id, dataKey(id, entry.slice(colon + 1)));
  }
  if (keys.size === 0) throw new PiiKeyError("PII_KEYS holds no key");
  return keys;
}

export function keyringOf(
  keys: Map<string, Buffer>,
  activeKeyId: string | undefined,
  indexKey: Buffer,
  source: PiiKeyring["source"],
): PiiKeyring {
  // Without an explicit choice the last key listed is the newest: append a key, then rotate.
  const active = activeKeyId ?? [...keys.keys()].at(-1);
  if (active === undefined || !keys.has(active)) {
    throw new PiiKeyError(`the active PII key "${active}" is not among the configured keys`);
  }
  return { activeKeyId: active, keys, indexKey, source };
}

export function keyringFromFile(file: PiiKeyFile, source: PiiKeyring["source"]): PiiKeyring {
  if (typeof file !== "object" || file === null || typeof file.keys !== "object" || file.keys === null) {
    throw new PiiKeyError(
      'a PII key file must be JSON {"active": id, "keys": {id: base64}, "indexKey": base64}',
    );
  }
  const keys = new Map(Object.entries(file.keys).map(([id, key]) => [id, dataKey(id, String(key))] as const));
  if (keys.size === 0) throw new PiiKeyError("the PII key file holds no key");
  return keyringOf(keys, file.active, decodeKey("indexKey", String(file.indexKey)), source);
}

export interface PiiKeyConfig {
  PII_KEYS?: string | undefined;
  PII_ACTIVE_KEY_ID?: string | undefined;
  PII_INDEX_KEY?: string | undefined;
  PII_KEYS_FILE?: string | undefined;
}

/** The keyring configured in the environment, or undefined when none is (development falls back to a file). */
export async function keyringFromConfig(config: PiiKeyConfig): Promise<PiiKeyring | undefined> {
  if (config.PII_KEYS_FILE !== undefined) {
    if (config.PII_KEYS !== undefined) throw new PiiKeyError("set PII_KEYS or PII_KEYS_FILE, not both");
    const text = await readFile(config.PII_KEYS_FILE, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new PiiKeyError(
        `cannot read PII_KEYS_FILE ${config.PII_KEYS_FILE}: ${error.code ?? error.message}`,
      );
    });
    let parsed: PiiKeyFile;
    try {
      parsed = JSON.parse(text) as PiiKeyFile;
    } catch {
      throw new PiiKeyError(`PII_KEYS_FILE ${config.PII_KEYS_FILE} is not JSON`);
    }
    const ring = keyringFromFile(parsed, "file");
    return config.PII_ACTIVE_KEY_ID
      ? keyringOf(new Map(ring.keys), config.PII_ACTIVE_KEY_ID, ring.indexKey, "file")
      : ring;
  }
  if (config.PII_KEYS === undefined) {
    if (config.PII_INDEX_KEY !== undefined) throw new PiiKeyError("PII_INDEX_KEY is set but PII_KEYS is not");
    return undefined;
  }
  if (config.PII_INDEX_KEY === undefined) {
    throw new PiiKeyError("PII_KEYS needs PII_INDEX_KEY too (base64 of at least 32 random bytes)");
  }
  return keyringOf(
    parseKeyList(config.PII_KEYS),
    config.PII_ACTIVE_KEY_ID,
    decodeKey("PII_INDEX_KEY", config.PII_INDEX_KEY),
    "config",
  );
}

/** A fresh random key file's content. `marketing-agents keys generate` prints one. */
export function generateKeyFile(
  keyId = `k${new Date().toISOString().slice(0, 10).replaceAll("-", "")}`,
): PiiKeyFile {
  return {
    active: keyId,
    keys: { [keyId]: randomBytes(KEY_BYTES).toString("base64") },
    indexKey: randomBytes(KEY_BYTES).toString("base64"),
  };
}

/** Random keys that live as long as the process: right for `memory://` databases, whose data dies with it. */
export function ephemeralKeyring(): PiiKeyring {
  return keyringFromFile(generateKeyFile("ephemeral"), "ephemeral");
}

export const DEV_PII_KEY_FILE = "pii-keys.json";

/**
 * The development keyring: created once under `DATA_DIR/keys/` (directory 0700, file 0600) when no keys are
 * configured. Keys beside the data they protect only guard against leaks of the database alone (a dump, a
 * replica, a backup); production configures PII_KEYS or PII_KEYS_FILE from a secret store.
 */
export async function loadOrCreateDevKeyring(dir: string): Promise<PiiKeyring> {
  const path = join(dir, DEV_PII_KEY_FILE);
  const existing = await readDevKeyFile(path);
  if (existing) return keyringFromFile(existing, "dev-file");
  await createPrivateFileOnce(path, `${JSON.stringify(generateKeyFile(), null, 2)}\n`);
  const created = await readDevKeyFile(path);
  if (!created) throw new PiiKeyError(`could not create the development PII keys at ${path}`);
  return keyringFromFile(created, "dev-file");
}

async function readDevKeyFile(path: string): Promise<PiiKeyFile | undefined> {
  const text = await readPrivateFile(path, (message) => new PiiKeyError(message));
  return text === undefined ? undefined : (JSON.parse(text) as PiiKeyFile);
}
