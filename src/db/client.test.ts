import { describe, expect, it } from "vitest";
import { DbError, openDatabase, redactUrl, sqlStateOf } from "./client.js";

describe("openDatabase URL handling", () => {
  it("rejects unknown schemes without echoing the password", async () => {
    const error = await openDatabase("mysql://root:hunter2@db/app").catch((e) => e);
    expect(error).toBeInstanceOf(DbError);
    expect(error.code).toBe("invalid_url");
    expect(error.message).not.toContain("hunter2");
  });

  it("rejects pglite:// without a directory and a pool too small to hold a lock", async () => {
    await expect(openDatabase("pglite://")).rejects.toMatchObject({ code: "invalid_url" });
    await expect(openDatabase("postgres://u:p@127.0.0.1:1/x", { max: 1 })).rejects.toMatchObject({
      code: "invalid_option",
    });
  });
});

describe("redactUrl", () => {
  it("hides passwords in userinfo and query", () => {
    expect(redactUrl("postgres://ma:s3cret@db:5432/app?sslmode=require")).toBe(
      "postgres://ma:***@db:5432/app?sslmode=require",
    );
    expect(redactUrl("postgresql://ma@db/app?password=s3cret")).toBe("postgresql://ma@db/app?password=***");
    expect(redactUrl("postgres://db/app")).toBe("postgres://db/app");
  });
});

describe("sqlStateOf", () => {
  it("finds the SQLSTATE through wrapping errors", () => {
    const driver = Object.assign(new Error("duplicate key"), { code: "23505" });
    expect(sqlStateOf(new Error("Failed query", { cause: driver }))).toBe("23505");
    expect(sqlStateOf(Object.assign(new Error("fs"), { code: "ENOENT" }))).toBeUndefined();
    expect(sqlStateOf("not an error")).toBeUndefined();
  });
});
