import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseModelJson, responseSchemaOf } from "./json-output.js";

describe("responseSchemaOf", () => {
  it("sends a closed, all-required object schema as strict, with additionalProperties: false everywhere", () => {
    const { schema, strict } = responseSchemaOf(
      z.object({
        score: z.number().min(0).max(100),
        tier: z.enum(["hot", "warm", "cold"]),
        reason: z.string().nullable(),
        factors: z.array(z.object({ name: z.string(), weight: z.number() })).max(5),
      }),
    );
    expect(strict).toBe(true);
    expect(schema).not.toHaveProperty("$schema");
    expect(schema["additionalProperties"]).toBe(false);
    const factors = (schema["properties"] as Record<string, { items: Record<string, unknown> }>)["factors"];
    expect(factors?.items["additionalProperties"]).toBe(false);
  });

  it.each([
    ["an optional property", z.object({ a: z.string(), b: z.string().optional() })],
    ["a string length limit", z.object({ a: z.string().min(1) })],
    ["a format with a pattern", z.object({ email: z.email() })],
    ["an untyped node", z.object({ payload: z.unknown() })],
    ["an open record", z.object({ tags: z.record(z.string(), z.string()) })],
    ["a non-object root", z.array(z.string())],
  ])("falls back to non-strict for %s (OpenAI would reject it with HTTP 400)", (_, schema) => {
    const result = responseSchemaOf(schema);
    expect(result.strict).toBe(false);
    expect(result.schema).not.toHaveProperty("additionalProperties", false);
  });
});

describe("parseModelJson", () => {
  const schema = z.object({ score: z.number(), tier: z.enum(["hot", "cold"]) });

  it("returns validated data", () => {
    expect(parseModelJson('{"score": 3, "tier": "hot"}', schema)).toEqual({
      ok: true,
      value: { score: 3, tier: "hot" },
    });
  });

  it("accepts JSON in a Markdown fence or after a sentence, as servers ignoring response_format send it", () => {
    expect(parseModelJson('```json\n{"score": 1, "tier": "cold"}\n```', schema).ok).toBe(true);
    expect(parseModelJson('Here it is: {"score": 1, "tier": "cold"}', schema).ok).toBe(true);
  });

  it("reports invalid JSON with a SyntaxError", () => {
    const result = parseModelJson('{"score": 3, "tier": ', schema);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatch(/not valid JSON/);
    expect(result.error).toBeInstanceOf(SyntaxError);
  });

  it("reports an empty answer as such", () => {
    const result = parseModelJson("  ", schema);
    expect(!result.ok && result.problem).toBe("the answer was empty");
  });

  it("reports schema violations with the field paths, keeping the ZodError", () => {
    const result = parseModelJson('{"score": "high", "tier": "lukewarm"}', schema);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatch(/score/);
    expect(result.problem).toMatch(/tier/);
    expect(result.error).toBeInstanceOf(z.ZodError);
  });

  it("applies the schema's transforms and defaults", () => {
    const withDefaults = z.object({ n: z.string().transform(Number), note: z.string().default("none") });
    expect(parseModelJson('{"n": "42"}', withDefaults)).toEqual({ ok: true, value: { n: 42, note: "none" } });
  });
});
