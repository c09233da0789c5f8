import { type Logger, pino } from "pino";

export type { Logger };

/**
 * Structured JSON logs on stderr (stdout stays free for CLI output). Tokens, keys and personal fields
 * are redacted wherever they appear in a logged object.
 */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          "authorization",
          "*.authorization",
          "headers.authorization",
          "token",
          "*.token",
          "apiKey",
          "*.apiKey",
          "email",
          "*.email",
          "lead.name",
          "lead.notes",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
