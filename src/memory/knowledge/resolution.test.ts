import { describe, expect, it } from "vitest";
import { aliasKeys, canonicalName, mentionCandidates, shortNameKey } from "./resolution.js";

describe("entity resolution keys", () => {
  it('resolves "Acme Inc." and "ACME" (and other legal forms) to one company', () => {
    const keys = [
      "Acme Inc.",
      "ACME",
      "Acme, Incorporated",
      "The Acme Company",
      "acme corp",
      "ACME GmbH",
    ].map((n) => canonicalName("company", n));
    expect(new Set(keys)).toEqual(new Set(["acme"]));
    expect(canonicalName("company", "A.C.M.E. Ltd")).toBe("acme");
    expect(canonicalName("company", "Procter & Gamble Co.")).toBe("procter and gamble");
    expect(canonicalName("company", "Société Générale SA")).toBe("societe generale");
  });

  it("keeps a name that is only a legal form, and does not strip suffixes of other types", () => {
    expect(canonicalName("company", "The Company")).toBe("company");
    expect(canonicalName("product", "Widget Co")).toBe("widget co");
    expect(canonicalName("person", "Seán O'Brien")).toBe("sean obrien");
    expect(canonicalName("topic", "!!!")).toBeNull();
  });

  it("derives distinct alias keys, emails included", () => {
    expect(aliasKeys("person", ["Ann Lee", "ann lee", "Ann.Lee@Example.com", ""])).toEqual([
      { key: "ann lee", alias: "Ann Lee" },
      { key: "email:ann.lee@example.com", alias: "Ann.Lee@Example.com" },
    ]);
  });

  it("proposes every run of up to four words of a question", () => {
    const candidates = mentionCandidates("Does ACME Inc. use Salesforce?");
    expect(candidates).toEqual(
      expect.arrayContaining(["acme", "acme inc", "salesforce", "does acme inc use"]),
    );
    expect(candidates).not.toContain("does acme inc use salesforce");
  });
});

describe("short names", () => {
  it("drops descriptive trailing words of companies, for mention lookup only", () => {
    expect(shortNameKey("company", "Northwind Analytics Ltd")).toBe("short:northwind");
    expect(shortNameKey("company", "Acme Software Group")).toBe("short:acme");
    expect(shortNameKey("company", "Acme")).toBeNull();
    expect(shortNameKey("company", "Analytics")).toBeNull();
    expect(shortNameKey("product", "Snowflake Analytics")).toBeNull();
    expect(mentionCandidates("at Northwind")).toEqual([
      "at",
      "northwind",
      "at northwind",
      "short:at",
      "short:northwind",
      "short:at northwind",
    ]);
  });
});
