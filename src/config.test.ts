import { describe, expect, it } from "vitest";
import { ConfigError, databaseUrlOf, hasLlmEndpoint, loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("gives working defaults for an empty environment: embedded PGlite, loopback, offline", () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8787);
    expect(config.HOST).toBe("127.0.0.1");
    expect(databaseUrlOf(config)).toBe("pglite://./.data/pglite");
    expect(hasLlmEndpoint(config)).toBe(false);
  });

  it("coerces numbers and booleans and treats empty strings as unset", () => {
    const config = loadConfig({
      PORT: "9000",
      AUTH_REQUIRED: "yes",
      DATA_DIR: "/var/lib/ma/",
      OPENAI_API_KEY: "",
    });
    expect(config.PORT).toBe(9000);
    expect(config.AUTH_REQUIRED).toBe(true);
    expect(databaseUrlOf(config)).toBe("pglite:///var/lib/ma/pglite");
    expect(config.OPENAI_API_KEY).toBeUndefined();
  });

  it("names every bad variable in one readable error, without echoing secrets", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://root:hunter2@db/x", AUTH_REQUIRED: "maybe" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { issues, message } = error as ConfigError;
    expect(issues).toHaveLength(3);
    expect(message).toMatch(/PORT: .*\(got "eighty"\)/);
    expect(message).toMatch(/DATABASE_URL: must start with postgres:\/\//);
    expect(message).toMatch(/AUTH_REQUIRED: must be one of/);
    expect(message).not.toContain("hunter2");
  });

  it("points an OpenAI-compatible endpoint at the LLM path", () => {
    expect(hasLlmEndpoint(loadConfig({ OPENAI_BASE_URL: "http://localhost:11434/v1" }))).toBe(true);
  });
});
