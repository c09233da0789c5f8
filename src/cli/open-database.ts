import type { Config } from "../config.js";
import { type Database, openDatabase } from "../db/client.js";
import { resolveKeyring } from "../db/pii/resolve.js";

/** Opens the database at `url` with the configured PII keys (or the development key file), as `serve` does. */
export async function openConfiguredDatabase(
  config: Pick<Config, "DATA_DIR" | "PII_KEYS" | "PII_ACTIVE_KEY_ID" | "PII_INDEX_KEY" | "PII_KEYS_FILE">,
  url: string,
  options: { max?: number } = {},
): Promise<Database> {
  return openDatabase(url, { ...options, pii: await resolveKeyring(config, url) });
}
