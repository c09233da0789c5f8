import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import { CliError } from "./read-input.js";
import { parseDuration, threadsPruneCommand } from "./threads-prune.js";

describe("parseDuration", () => {
  it("reads units and bare milliseconds", () => {
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("30m")).toBe(1_800_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("2w")).toBe(1_209_600_000);
    expect(parseDuration("1000")).toBe(1_000);
    expect(parseDuration("0")).toBe(0);
  });

  it("refuses anything else with a usage error", () => {
    for (const text of ["", "7 days", "-1d", "1y", "d"]) {
      expect(() => parseDuration(text)).toThrow(CliError);
    }
  });
});

describe("threadsPruneCommand options", () => {
  // Options are checked before any database is opened: a bad flag costs nothing.
  const config = loadConfig({ DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" });

  it("rejects a negative or fractional --keep-last", async () => {
    await expect(threadsPruneCommand(config, { keepLast: "-1" })).rejects.toThrow(/--keep-last/);
    await expect(threadsPruneCommand(config, { keepLast: "2.5" })).rejects.toThrow(/--keep-last/);
  });

  it("rejects a duration it cannot read", async () => {
    await expect(threadsPruneCommand(config, { keepYoungerThan: "soon" })).rejects.toMatchObject({
      exitCode: 2,
    });
  });
});
