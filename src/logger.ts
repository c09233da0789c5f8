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
        // Pino matches exact paths (one `*` per level), so request shapes are listed one by one: a bare
        // object, `headers`, and `req.headers` / `request.headers` as loggers and frameworks nest them.
        paths: [
          "authorization",
          "*.authorization",
          "headers.authorization",
          "*.headers.authorization",
          "headers.cookie",
          "*.headers.cookie",
          // Browsers send their WebSocket token as the subprotocol pair `bearer, <token>`.
          'headers["sec-websocket-protocol"]',
          '*.headers["sec-websocket-protocol"]',
          "token",
          "*.token",
          "apiKey",
          "*.apiKey",
          "secret",
          "*.secret",
          "password",
          "*.password",
          "privateJwk",
          "*.privateJwk",
          // jose errors carry the token's claims, which may hold an email or a name.
          "*.payload",
          "email",
          "*.email",
          "*.*.email",
          "phone",
          "*.phone",
          "*.*.phone",
          "lead.name",
          "lead.notes",
          "*.lead.name",
          "*.lead.notes",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
