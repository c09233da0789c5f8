import { type Config, databaseUrlOf } from "../config.js";
import { openDatabase } from "../db/client.js";
import { migrate } from "../db/migrate.js";

export async function migrateCommand(config: Config): Promise<void> {
  const database = await openDatabase(databaseUrlOf(config));
  try {
    const { applied } = await migrate(database, { log: (m) => process.stderr.write(`${m}\n`) });
    process.stdout.write(`${database.describe}: ${applied} migration(s) applied, schema up to date\n`);
  } finally {
    await database.close();
  }
}
