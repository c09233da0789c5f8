import { PassThrough } from "node:stream";
import { errors } from "jose";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";

/** Everything the logger wrote, once it has flushed. */
async function captured(log: (logger: ReturnType<typeof createLogger>) => void): Promise<string> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  const logger = createLogger("info", stream);
  log(logger);
  logger.flush();
  await new Promise((resolve) => setImmediate(resolve));
  return Buffer.concat(chunks).toString("utf8");
}

const token =
  "eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJhbm5AZXhhbXBsZS5jb20iLCJyb2xlIjoiYWRtaW4ifQ.c2lnbmF0dXJlLWJ5dGVz";

describe("log redaction (ASVS 5.0 16.2.5: no tokens or personal data in logs)", () => {
  it("logs a request without its Authorization header, cookies, WebSocket token or the lead's email", async () => {
    const output = await captured((logger) => {
      logger.info(
        {
          req: {
            method: "POST",
            url: "/rpc",
            headers: {
              authorization: `Bearer ${token}`,
              cookie: `session=${token}`,
              "sec-websocket-protocol": `bearer, ${token}`,
              "x-request-id": "req-42",
            },
          },
          params: {
            lead: {
              name: "Ann Example",
              email: "ann@example.com",
              phone: "+1 555 0100",
              notes: "met at expo",
            },
          },
          lead: { email: "bob@example.com", name: "Bob Example" },
        },
        "rpc request",
      );
    });
    const line = JSON.parse(output.trim());
    expect(line.msg).toBe("rpc request");
    expect(line.req.headers["x-request-id"]).toBe("req-42");
    expect(line.req.headers.authorization).toBe("[redacted]");
    for (const secret of [
      token,
      "ann@example.com",
      "bob@example.com",
      "+1 555 0100",
      "Ann Example",
      "met at expo",
    ]) {
      expect(output).not.toContain(secret);
    }
  });

  it("logs a jose error without the claims it carries", async () => {
    const error = new errors.JWTClaimValidationFailed('unexpected "aud" claim value', {
      sub: "ann@example.com",
      email: "ann@example.com",
    });
    const output = await captured((logger) => logger.warn({ err: error }, "token refused"));
    expect(output).toContain("unexpected");
    expect(output).not.toContain("ann@example.com");
  });
});
