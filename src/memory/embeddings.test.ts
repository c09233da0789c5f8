import { OpenAIEmbeddings } from "@langchain/openai";
import { describe, expect, it } from "vitest";
import { EMBEDDING_DIMENSIONS } from "../llm/provider.js";
import {
  checkVector,
  embedDocuments,
  embedderFromModel,
  embedderOf,
  FeatureHashingEmbeddings,
  fnv1a,
  tokenize,
  VECTOR_DIMENSIONS,
} from "./embeddings.js";
import { MemoryError } from "./errors.js";

const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: number[]) => Math.sqrt(cosine(a, a));

describe("fnv1a", () => {
  it("matches the published FNV-1a 32-bit test vectors", () => {
    expect(fnv1a("")).toBe(0x811c9dc5);
    expect(fnv1a("a")).toBe(0xe40c292c);
    expect(fnv1a("foobar")).toBe(0xbf9cf968);
  });
});

describe("tokenize", () => {
  it("lower-cases, strips accents and splits on anything but letters and digits", () => {
    expect(tokenize("Café-Owners in Zürich, 2024!")).toEqual(["cafe", "owners", "in", "zurich", "2024"]);
    expect(tokenize("  ...  ")).toEqual([]);
  });
});

describe("FeatureHashingEmbeddings", () => {
  const model = new FeatureHashingEmbeddings();

  it("has the size of the memory columns, which is the provider's embedding size", () => {
    expect(VECTOR_DIMENSIONS).toBe(EMBEDDING_DIMENSIONS);
    expect(model.dimensions).toBe(512);
    expect(model.id).toBe("feature-hash/v1/512");
  });

  it("puts a one-letter word in exactly its two hashed buckets with weights 1 and 0.25, normalized", async () => {
    const v = await model.embedQuery("a");
    const bucket = (f: string) => fnv1a(f) % 512;
    const sign = (f: string) => (fnv1a(f) & 0x8000_0000 ? -1 : 1);
    const scale = Math.sqrt(1 + 0.25 ** 2);
    expect(v.filter((x) => x !== 0)).toHaveLength(2);
    expect(v[bucket("w:a")]).toBeCloseTo(sign("w:a") / scale, 12);
    expect(v[bucket("c:#a#")]).toBeCloseTo((sign("c:#a#") * 0.25) / scale, 12);
  });

  it("is deterministic and L2-normalized, for empty text too", async () => {
    const [a, b] = await model.embedDocuments([
      "Acme Inc. evaluates CRM software",
      "Acme Inc. evaluates CRM software",
    ]);
    expect(a).toEqual(b);
    expect(norm(a!)).toBeCloseTo(1, 12);
    const empty = await model.embedQuery("");
    expect(norm(empty)).toBeCloseTo(1, 12);
    expect(await model.embedQuery("!!!")).toEqual(empty);
  });

  it("ranks texts that share words and spellings above unrelated ones", async () => {
    const [query, near, variant, far] = await model.embedDocuments([
      "Acme Inc. evaluates CRM software",
      "ACME is evaluating a new CRM",
      "acme evaluated crm softwares",
      "Weather in Paris is sunny today",
    ]);
    expect(cosine(query!, near!)).toBeGreaterThan(0.3);
    expect(cosine(query!, variant!)).toBeGreaterThan(cosine(query!, near!));
    expect(Math.abs(cosine(query!, far!))).toBeLessThan(0.15);
  });

  it("embeds 1,000 short texts in well under a second", async () => {
    const texts = Array.from(
      { length: 1_000 },
      (_, i) => `lead ${i} from Google, hot, opened email ${i % 7}`,
    );
    const started = performance.now();
    await model.embedDocuments(texts);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("embedders and vector checks", () => {
  it("names an OpenAI-compatible model by model and dimensions, and the offline default by its version", () => {
    const openai = new OpenAIEmbeddings({ model: "text-embedding-3-small", dimensions: 512, apiKey: "k" });
    expect(embedderOf(openai).id).toBe("openai/text-embedding-3-small/512");
    expect(embedderFromModel(null).id).toBe("feature-hash/v1/512");
    expect(embedderFromModel(openai).id).toBe("openai/text-embedding-3-small/512");
    expect(() => embedderOf({ embedDocuments: async () => [], embedQuery: async () => [] })).toThrow(
      /explicit embedder id/,
    );
  });

  it("rejects a vector of the wrong dimension at write time, naming the embedder", async () => {
    expect(() => checkVector(new Array(511).fill(0.1), "m")).toThrow(
      'embedder "m" produced a vector of 511 dimensions; the memory columns are vector(512)',
    );
    expect(() => checkVector([...new Array(511).fill(0), Number.NaN], "m")).toThrow(/non-finite/);
    const small = embedderOf(new FeatureHashingEmbeddings({ dimensions: 256 }));
    await expect(embedDocuments(small, ["x"])).rejects.toBeInstanceOf(MemoryError);
    await expect(embedDocuments(small, ["x"])).rejects.toMatchObject({ code: "invalid_vector" });
  });
});
