import { describe, expect, it } from "vitest";
import { PiiCipher, PiiDecryptError } from "./cipher.js";
import { keyringFromConfig, keyringFromFile, PiiKeyError, parseKeyList } from "./keyring.js";
import { nameTokens } from "./lead-fields.js";

const key = (byte: number) => Buffer.alloc(32, byte).toString("base64");
const ring = (active: string, keys: Record<string, string>, indexKey = key(9)) =>
  keyringFromFile({ active, keys, indexKey }, "config");

describe("PII cipher", () => {
  const cipher = new PiiCipher(ring("k1", { k1: key(1) }));

  it("round-trips text under the active key, with a fresh IV every time", () => {
    const a = cipher.encrypt("ada@example.com", "leads.email|t1");
    const b = cipher.encrypt("ada@example.com", "leads.email|t1");
    expect(a).toMatch(/^pii1\.k1\./);
    expect(a).not.toBe(b);
    expect(a).not.toContain("ada@example.com");
    expect(cipher.decrypt(a, "leads.email|t1")).toBe("ada@example.com");
  });

  it("refuses a ciphertext moved to another column or tenant, or tampered with", () => {
    const sealed = cipher.encrypt("Ada Lovelace", "leads.name|t1");
    expect(() => cipher.decrypt(sealed, "leads.name|t2")).toThrow(PiiDecryptError);
    expect(() => cipher.decrypt(sealed, "leads.notes|t1")).toThrow(PiiDecryptError);
    const body = Buffer.from(sealed.slice("pii1.k1.".length), "base64url");
    body[body.length - 20]! ^= 1;
    expect(() => cipher.decrypt(`pii1.k1.${body.toString("base64url")}`, "leads.name|t1")).toThrow(
      /failed authentication/,
    );
  });

  it("names a missing key instead of failing obscurely, and decrypts under retired keys it still has", () => {
    const old = new PiiCipher(ring("k0", { k0: key(3) })).encrypt("x", "c");
    expect(() => cipher.decrypt(old, "c")).toThrow(/no PII key "k0"/);
    const both = new PiiCipher(ring("k1", { k0: key(3), k1: key(1) }));
    expect(both.decrypt(old, "c")).toBe("x");
    expect(both.isStale(old)).toBe(true);
    expect(both.isStale(both.encrypt("x", "c"))).toBe(false);
    expect(both.isStale("plaintext")).toBe(true);
  });

  it("blind indexes are deterministic per context and key, and reveal nothing by themselves", () => {
    const other = new PiiCipher(ring("k1", { k1: key(1) }, key(10)));
    expect(cipher.blindIndex("leads.email|t1", "ada@x.com")).toBe(
      cipher.blindIndex("leads.email|t1", "ada@x.com"),
    );
    expect(cipher.blindIndex("leads.email|t1", "ada@x.com")).not.toBe(
      cipher.blindIndex("leads.email|t2", "ada@x.com"),
    );
    expect(cipher.blindIndex("leads.email|t1", "ada@x.com")).not.toBe(
      other.blindIndex("leads.email|t1", "ada@x.com"),
    );
  });

  it("tokenizes names with accents folded", () => {
    expect(nameTokens("José  O'Neil-Smith")).toEqual(["jose", "o", "neil", "smith"]);
  });
});

describe("PII keyring configuration", () => {
  it("rejects short, malformed, duplicate and unknown-active keys with readable errors", async () => {
    expect(() => parseKeyList(`k1:${Buffer.alloc(16).toString("base64")}`)).toThrow(
      /exactly 32 bytes|at least 32/,
    );
    expect(() => parseKeyList("k1:not base64!")).toThrow(/not valid base64/);
    expect(() => parseKeyList(`k1:${key(1)},k1:${key(2)}`)).toThrow(/appears twice/);
    expect(() => parseKeyList(`bad id:${key(1)}`)).toThrow(PiiKeyError);
    await expect(keyringFromConfig({ PII_KEYS: `k1:${key(1)}` })).rejects.toThrow(/PII_INDEX_KEY/);
    await expect(
      keyringFromConfig({ PII_KEYS: `k1:${key(1)}`, PII_INDEX_KEY: key(2), PII_ACTIVE_KEY_ID: "k9" }),
    ).rejects.toThrow(/active PII key "k9"/);
    await expect(keyringFromConfig({})).resolves.toBeUndefined();
  });

  it("makes the last listed key active unless told otherwise", async () => {
    const ringA = await keyringFromConfig({ PII_KEYS: `k1:${key(1)},k2:${key(2)}`, PII_INDEX_KEY: key(3) });
    expect(ringA?.activeKeyId).toBe("k2");
    const ringB = await keyringFromConfig({
      PII_KEYS: `k1:${key(1)},k2:${key(2)}`,
      PII_INDEX_KEY: key(3),
      PII_ACTIVE_KEY_ID: "k1",
    });
    expect(ringB?.activeKeyId).toBe("k1");
  });
});
