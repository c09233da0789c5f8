import cliProgress from "cli-progress";
import { type Config, databaseUrlOf } from "../config.js";
import { migrate } from "../db/migrate.js";
import { embeddingsFromConfig } from "../llm/provider.js";
import { embedderFromModel } from "../memory/embeddings.js";
import { createMemory } from "../memory/service.js";
import { openConfiguredDatabase } from "./open-database.js";

export interface MigrateCommandOptions {
  /** Re-embed stored memories made by another embedder than the configured one. */
  reembed?: boolean;
  /** With `reembed`: every memory, also those the configured embedder made. */
  all?: boolean;
}

export async function migrateCommand(config: Config, options: MigrateCommandOptions = {}): Promise<void> {
  const database = await openConfiguredDatabase(config, databaseUrlOf(config));
  try {
    const { applied } = await migrate(database, { log: (m) => process.stderr.write(`${m}\n`) });
    process.stdout.write(`${database.describe}: ${applied} migration(s) applied, schema up to date\n`);
    if (options.reembed) {
      const memory = createMemory({
        db: database.db,
        embedder: embedderFromModel(embeddingsFromConfig(config)),
      });
      // Progress on stderr, the summary on stdout; without a TTY (CI logs) a line every few seconds.
      const bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: "re-embedding {table} [{bar}] {value}/{total} memories, {eta_formatted} left",
          hideCursor: true,
          noTTYOutput: true,
          notTTYSchedule: 5_000,
        },
        cliProgress.Presets.legacy,
      );
      let started = false;
      const report = await memory.reembed({
        all: options.all === true,
        onProgress: (done, total, table) => {
          if (!started) {
            bar.start(total, done, { table });
            started = true;
          } else bar.update(done, { table });
        },
      });
      bar.stop();
      const parts = Object.entries(report.byTable).map(([table, n]) => `${n} ${table}`);
      process.stdout.write(
        `${report.total} memories re-embedded with ${report.embedder} (${parts.join(", ")}); searches use it from now on\n`,
      );
    }
  } finally {
    await database.close();
  }
}
