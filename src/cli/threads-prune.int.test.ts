import { emptyCheckpoint, uuid6 } from "@langchain/langgraph-checkpoint";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createServerDatabase, serverTestUrl } from "../../test/support/database.js";
import { loadConfig } from "../config.js";
import { openDatabase } from "../db/client.js";
import { migrate } from "../db/migrate.js";
import { PostgresCheckpointSaver } from "../memory/checkpointer/saver.js";
import { threadsPruneCommand } from "./threads-prune.js";

const url = serverTestUrl();
if (url === undefined) {
  console.info("[cli] TEST_DATABASE_URL not set: `threads prune` end-to-end test on the server skipped");
}

describe.skipIf(url === undefined)("threads prune on the PostgreSQL server", () => {
  it("prunes old checkpoints of the configured database and reports the counts", async () => {
    const created = await createServerDatabase();
    try {
      const database = await openDatabase(created.url);
      try {
        await migrate(database);
        const saver = new PostgresCheckpointSaver(database.db);
        let config = { configurable: { thread_id: "lead-1" } } as Parameters<
          PostgresCheckpointSaver["put"]
        >[0];
        for (let step = 0; step < 5; step++) {
          const checkpoint = { ...emptyCheckpoint(), id: uuid6(step), channel_values: { n: step } };
          checkpoint.channel_versions = { n: step + 1 };
          config = await saver.put(
            config,
            checkpoint,
            { source: "loop", step, parents: {} },
            { n: step + 1 },
          );
        }
        await database.db.execute(sql`update thread_checkpoints set created_at = now() - interval '30 days'`);
      } finally {
        await database.close();
      }
      const printed: string[] = [];
      const result = await threadsPruneCommand(
        loadConfig({ DATABASE_URL: created.url }),
        { keepLast: "2", keepYoungerThan: "7d", json: true },
        (text) => printed.push(text),
      );
      expect(result).toEqual({ checkpoints: 3, writes: 0, blobs: 3, batches: 1 });
      expect(JSON.parse(printed.join(""))).toMatchObject({
        checkpoints: 3,
        keepLast: 2,
        keepYoungerThanMs: 604_800_000,
      });
    } finally {
      await created.drop();
    }
  });
});
