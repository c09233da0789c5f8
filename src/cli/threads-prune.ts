import { z } from "zod";
import { type Config, databaseUrlOf } from "../config.js";
import { type PruneResult, pruneCheckpoints } from "../memory/checkpointer/retention.js";
import { openConfiguredDatabase } from "./open-database.js";
import { CliError } from "./read-input.js";

/** Options of `marketing-agents threads prune`, as commander hands them over (strings). */
export interface ThreadsPruneCliOptions {
  /** Newest checkpoints kept per thread namespace (the head is always kept). */
  keepLast?: string;
  /** Keep every checkpoint younger than this: `90s`, `30m`, `12h`, `7d`, `2w` or milliseconds. */
  keepYoungerThan?: string;
  /** Prune one thread only. */
  thread?: string;
  /** Print the counts as JSON. */
  json?: boolean;
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `90s`, `30m`, `12h`, `7d`, `2w`, `250ms`, or a bare number of milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(text);
  if (match === null) {
    throw new CliError(`"${text}" is not a duration: use e.g. 90s, 30m, 12h, 7d, 2w or milliseconds`, 2);
  }
  const unit = (match[2] ?? "ms") as keyof typeof UNIT_MS;
  return Math.round(Number(match[1]) * UNIT_MS[unit]);
}

/**
 * The flags, defaulting to the configured retention (CHECKPOINT_KEEP_LAST, CHECKPOINT_RETENTION_DAYS: by
 * default the last 20 steps of every thread and a week of full history), the policy `serve` applies on its
 * schedule.
 */
const optionsWithDefaults = (config: Pick<Config, "CHECKPOINT_KEEP_LAST" | "CHECKPOINT_RETENTION_DAYS">) =>
  z.object({
    keepLast: z.coerce.number().int().min(0).default(config.CHECKPOINT_KEEP_LAST),
    keepYoungerThan: z.string().default(`${config.CHECKPOINT_RETENTION_DAYS}d`),
    thread: z.string().min(1).optional(),
    json: z.boolean().default(false),
  });

/**
 * Delete old checkpoints (see `pruneCheckpoints`): safe while the server runs, from any replica, and as
 * often as a scheduler likes. Prints what it deleted.
 */
export async function threadsPruneCommand(
  config: Config,
  options: ThreadsPruneCliOptions,
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<PruneResult> {
  const parsed = optionsWithDefaults(config).safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `--${kebab(i.path.join("."))}: ${i.message}`);
    throw new CliError(issues.join("\n"), 2);
  }
  const { keepLast, thread, json } = parsed.data;
  const keepYoungerThan = parseDuration(parsed.data.keepYoungerThan);
  const database = await openConfiguredDatabase(config, databaseUrlOf(config));
  try {
    const result = await pruneCheckpoints(database.db, {
      keepLast,
      keepYoungerThan,
      ...(thread === undefined ? {} : { threadId: thread }),
    });
    write(
      json
        ? `${JSON.stringify({ ...result, keepLast, keepYoungerThanMs: keepYoungerThan })}\n`
        : `${database.describe}: pruned ${result.checkpoints} checkpoint(s), ${result.writes} write(s), ` +
            `${result.blobs} blob(s) (kept the last ${keepLast} per thread and everything younger than ` +
            `${parsed.data.keepYoungerThan}${thread === undefined ? "" : `, thread ${thread} only`})\n`,
    );
    return result;
  } finally {
    await database.close();
  }
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
