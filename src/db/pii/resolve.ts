import { join } from "node:path";
import {
  ephemeralKeyring,
  keyringFromConfig,
  loadOrCreateDevKeyring,
  type PiiKeyConfig,
  type PiiKeyring,
} from "./keyring.js";

/**
 * The keyring a process uses: configured keys (PII_KEYS or PII_KEYS_FILE); for `memory://`, random keys that
 * die with the data; otherwise the development key file under `DATA_DIR/keys/`.
 */
export async function resolveKeyring(
  config: PiiKeyConfig & { DATA_DIR: string },
  databaseUrl: string,
): Promise<PiiKeyring> {
  const configured = await keyringFromConfig(config);
  if (configured) return configured;
  if (databaseUrl.startsWith("memory:")) return ephemeralKeyring();
  return loadOrCreateDevKeyring(join(config.DATA_DIR, "keys"));
}

/** One line for the startup log: where the keys come from, never the keys. */
export function describeKeyring(keyring: PiiKeyring): string {
  const ids = [...keyring.keys.keys()].join(", ");
  const where = {
    config: "PII_KEYS",
    file: "PII_KEYS_FILE",
    "dev-file": "the development key file under DATA_DIR/keys (configure PII_KEYS for production)",
    ephemeral: "random keys for an in-memory database",
  }[keyring.source];
  return `personal data encrypted with AES-256-GCM, active key "${keyring.activeKeyId}" of [${ids}], from ${where}`;
}
