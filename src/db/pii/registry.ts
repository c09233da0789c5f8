import type { Db } from "../client.js";
import { PiiCipher } from "./cipher.js";
import type { PiiKeyring } from "./keyring.js";

/**
 * Which cipher protects a database's personal data. Keyed by the drizzle dialect object, which a database
 * handle shares with every transaction opened on it, so `piiOf(tx)` finds the same cipher as `piiOf(db)`.
 */
const ciphers = new WeakMap<object, PiiCipher>();

const keyOf = (db: Db): object => (db as unknown as { dialect: object }).dialect;

export function attachPii(db: Db, keyring: PiiKeyring): PiiCipher {
  const cipher = new PiiCipher(keyring);
  ciphers.set(keyOf(db), cipher);
  return cipher;
}

export function hasPii(db: Db): boolean {
  return ciphers.has(keyOf(db));
}

export function piiOf(db: Db): PiiCipher {
  const cipher = ciphers.get(keyOf(db));
  if (!cipher) {
    throw new Error(
      "this database has no PII keys: open it with openDatabase(url, { pii }) or through createMarketingSystem",
    );
  }
  return cipher;
}
