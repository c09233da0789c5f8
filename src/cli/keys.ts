import type { Config } from "../config.js";
import { databaseUrlOf } from "../config.js";
import { migrate } from "../db/migrate.js";
import { generateKeyFile } from "../db/pii/keyring.js";
import { piiOf } from "../db/pii/registry.js";
import { describeKeyring } from "../db/pii/resolve.js";
import { rotateLeadKeys, rotateOutboxKeys, rotateRunEventKeys } from "../db/pii/rotate.js";
import { rotateCheckpointKeys } from "../memory/checkpointer/rotate-keys.js";
import { openConfiguredDatabase } from "./open-database.js";

export interface RotateKeysOptions {
  /** Also rewrite rows already under the active key: after PII_INDEX_KEY changed. */
  reindex?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `marketing-agents rotate-keys`: moves every encrypted value (leads, outbox, run events, thread state) to the active key
 * and recomputes blind indexes. Safe while servers run: each batch is a transaction, rows are locked while
 * rewritten, and a value under either key reads correctly as long as both keys are configured.
 */
export async function rotateKeysCommand(config: Config, options: RotateKeysOptions = {}): Promise<void> {
  const database = await openConfiguredDatabase(config, databaseUrlOf(config));
  const note = (line: string) => process.stderr.write(`${line}\n`);
  try {
    await migrate(database);
    note(describeKeyring(piiOf(database.db).keyring));
    const rotation = { all: options.reindex ?? false, dryRun: options.dryRun ?? false };
    const progress = ({ table, scanned, rewritten }: { table: string; scanned: number; rewritten: number }) =>
      note(`  ${table}: ${scanned} scanned, ${rewritten} ${options.dryRun ? "to rewrite" : "rewritten"}`);
    const leads = await rotateLeadKeys(database.db, { ...rotation, onProgress: progress });
    const outbox = await rotateOutboxKeys(database.db, { ...rotation, onProgress: progress });
    const runEvents = await rotateRunEventKeys(database.db, { ...rotation, onProgress: progress });
    const checkpoints = await rotateCheckpointKeys(database.db, {
      dryRun: rotation.dryRun,
      onProgress: (rewritten) => note(`  thread state: ${rewritten} values rewritten`),
    });
    const summary = {
      activeKeyId: piiOf(database.db).activeKeyId,
      dryRun: rotation.dryRun,
      leads,
      outbox,
      runEvents,
      checkpoints,
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return;
    }
    const verb = rotation.dryRun ? "would rewrite" : "rewrote";
    process.stdout.write(
      `${verb} ${leads.rewritten}/${leads.scanned} leads, ${outbox.rewritten}/${outbox.scanned} outbox messages, ` +
        `${runEvents.rewritten}/${runEvents.scanned} run events, ` +
        `${checkpoints.rewritten} thread-state values under key "${summary.activeKeyId}"\n` +
        (rotation.dryRun ? "" : "Retired keys can now be removed from PII_KEYS.\n"),
    );
  } finally {
    await database.close();
  }
}

/** `marketing-agents keys generate`: a fresh key file for PII_KEYS_FILE (or the values for PII_KEYS). */
export function generateKeysCommand(options: { keyId?: string; env?: boolean }): void {
  const file = generateKeyFile(options.keyId);
  if (options.env) {
    const [id, key] = Object.entries(file.keys)[0]!;
    process.stdout.write(`PII_KEYS=${id}:${key}\nPII_INDEX_KEY=${file.indexKey}\n`);
    return;
  }
  process.stdout.write(`${JSON.stringify(file, null, 2)}\n`);
}
