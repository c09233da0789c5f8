import { Embeddings, type EmbeddingsInterface } from "@langchain/core/embeddings";
import { MemoryError, MemoryErrorCode } from "./errors.js";

/**
 * Embeddings for every memory kind. Offline, a feature-hashing embedder (no model, no network, the same
 * vector for the same text on every machine); with an endpoint, whatever `Embeddings` the entry point
 * passes in (an `OpenAIEmbeddings` with `dimensions: 512`). Each stored vector carries its embedder's id,
 * so vectors from two embedders are never compared with each other.
 */

/** Size of every `vector(…)` column of the memory tables. */
export const VECTOR_DIMENSIONS = 512;

/** An embeddings model with the identity stored beside each of its vectors. */
export interface Embedder {
  /** Stable and distinct per model and dimension, e.g. `feature-hash/v1/512`, `openai/text-embedding-3-small/512`. */
  readonly id: string;
  readonly dimensions: number;
  readonly model: EmbeddingsInterface;
}

export interface FeatureHashingOptions {
  dimensions?: number;
}

const WORD = /[\p{L}\p{N}]+/gu;
const COMBINING_MARKS = /\p{M}+/gu;

/** Relative weights of the three feature families; words carry the meaning, n-grams catch spelling variants. */
const WEIGHT = { word: 1, bigram: 0.5, charGram: 0.25 } as const;

/**
 * The hashing trick (Weinberger et al., 2009, https://arxiv.org/abs/0902.2206): each feature (a word, a word
 * bigram, a character trigram of a word) is hashed to one of `dimensions` buckets with a hashed sign, so
 * collisions cancel in expectation instead of piling up; the sum is L2-normalized so that cosine similarity
 * measures shared features. Deterministic and ~10 µs per short text.
 */
export class FeatureHashingEmbeddings extends Embeddings {
  readonly dimensions: number;

  constructor(options: FeatureHashingOptions = {}) {
    super({});
    this.dimensions = options.dimensions ?? VECTOR_DIMENSIONS;
    if (!Number.isInteger(this.dimensions) || this.dimensions < 2) {
      throw new MemoryError(
        MemoryErrorCode.InvalidInput,
        `dimensions must be an integer ≥ 2, got ${this.dimensions}`,
      );
    }
  }

  /** The id stored with its vectors: changing the features or their weights must change the version. */
  get id(): string {
    return `feature-hash/v1/${this.dimensions}`;
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((text) => this.embed(text));
  }

  async embedQuery(text: string): Promise<number[]> {
    return this.embed(text);
  }

  embed(text: string): number[] {
    const vector = new Float64Array(this.dimensions);
    const words = tokenize(text);
    const add = (h: number, weight: number) => {
      // Low bits pick the bucket, the top bit the sign: independent enough for a 32-bit FNV-1a.
      vector[h % this.dimensions]! += h & 0x8000_0000 ? -weight : weight;
    };
    // Features are the strings `w:<word>`, `b:<previous> <word>` and `c:<trigram of #word#>`, hashed
    // incrementally from their prefixes so that no feature string is built.
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      add(fnv1aFrom(WORD_PREFIX, word), WEIGHT.word);
      if (i > 0) add(fnv1aFrom(fnv1aFrom(fnv1aFrom(BIGRAM_PREFIX, words[i - 1]!), " "), word), WEIGHT.bigram);
      const padded = `#${word}#`;
      for (let j = 0; j + 3 <= padded.length; j++) {
        let h = CHAR_GRAM_PREFIX;
        for (let k = j; k < j + 3; k++) h = Math.imul(h ^ padded.charCodeAt(k), FNV_PRIME);
        add(h >>> 0, WEIGHT.charGram);
      }
    }
    // A text without words still gets a well-defined unit vector: a zero vector has no cosine distance.
    if (words.length === 0) add(fnv1a("empty:"), 1);
    let norm = 0;
    for (const x of vector) norm += x * x;
    norm = Math.sqrt(norm);
    // Exact cancellation of every feature is possible in principle; fall back to the empty-text vector.
    if (norm === 0) return this.embed("");
    // A plain loop: `Array.from(typedArray, fn)` costs ~20 µs per call here, more than all the hashing.
    const out = new Array<number>(this.dimensions);
    for (let i = 0; i < this.dimensions; i++) out[i] = vector[i]! / norm;
    return out;
  }
}

/** Lower-case words without accents: "Café-Owners" → ["cafe", "owners"]. */
export function tokenize(text: string): string[] {
  return text.normalize("NFKD").replace(COMBINING_MARKS, "").toLowerCase().match(WORD) ?? [];
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over UTF-16 code units (http://www.isthe.com/chongo/tech/comp/fnv/). */
export function fnv1a(text: string): number {
  return fnv1aFrom(FNV_OFFSET, text);
}

/** FNV-1a continued from the state after a prefix: `fnv1aFrom(fnv1a(a), b) === fnv1a(a + b)`. */
export function fnv1aFrom(state: number, text: string): number {
  let h = state;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

const WORD_PREFIX = fnv1a("w:");
const BIGRAM_PREFIX = fnv1a("b:");
const CHAR_GRAM_PREFIX = fnv1a("c:");

/** The offline default: feature hashing into {@link VECTOR_DIMENSIONS} buckets. */
export function featureHashingEmbedder(): Embedder {
  const model = new FeatureHashingEmbeddings();
  return { id: model.id, dimensions: model.dimensions, model };
}

/**
 * An embedder for a model from an endpoint. `id` defaults to `openai/<model>/<dimensions>` when the model
 * says its name and dimensions (as `OpenAIEmbeddings` does); other models must be given an id.
 */
export function embedderOf(model: EmbeddingsInterface, id?: string): Embedder {
  if (model instanceof FeatureHashingEmbeddings)
    return { id: id ?? model.id, dimensions: model.dimensions, model };
  const described = model as { model?: unknown; dimensions?: unknown };
  const dimensions = typeof described.dimensions === "number" ? described.dimensions : VECTOR_DIMENSIONS;
  if (id !== undefined) return { id, dimensions, model };
  if (typeof described.model !== "string") {
    throw new MemoryError(
      MemoryErrorCode.InvalidInput,
      "an embeddings model without a `model` name needs an explicit embedder id",
    );
  }
  return { id: `openai/${described.model}/${dimensions}`, dimensions, model };
}

/** The embedder for a configured endpoint model, or the feature-hashing default when offline (`null`). */
export function embedderFromModel(model: EmbeddingsInterface | null): Embedder {
  return model === null ? featureHashingEmbedder() : embedderOf(model);
}

/**
 * Checks a vector before it is written or searched with: exactly {@link VECTOR_DIMENSIONS} finite numbers.
 * A model that ignores the `dimensions` parameter fails here with its name, not as a driver error later.
 */
export function checkVector(vector: readonly number[], embedderId: string): number[] {
  if (vector.length !== VECTOR_DIMENSIONS) {
    throw new MemoryError(
      MemoryErrorCode.InvalidVector,
      `embedder "${embedderId}" produced a vector of ${vector.length} dimensions; the memory columns are vector(${VECTOR_DIMENSIONS})`,
      { embedderId, dimensions: vector.length, expected: VECTOR_DIMENSIONS },
    );
  }
  for (const x of vector) {
    if (!Number.isFinite(x)) {
      throw new MemoryError(
        MemoryErrorCode.InvalidVector,
        `embedder "${embedderId}" produced a non-finite number`,
        {
          embedderId,
        },
      );
    }
  }
  return vector as number[];
}

/** Embeds texts for storage, every vector checked. */
export async function embedDocuments(embedder: Embedder, texts: string[]): Promise<number[][]> {
  if (texts.length === 0) return [];
  const vectors = await embedder.model.embedDocuments(texts);
  if (vectors.length !== texts.length) {
    throw new MemoryError(
      MemoryErrorCode.InvalidVector,
      `embedder "${embedder.id}" returned ${vectors.length} vectors for ${texts.length} texts`,
    );
  }
  return vectors.map((v) => checkVector(v, embedder.id));
}

/** Embeds a search query, checked like stored vectors. */
export async function embedQuery(embedder: Embedder, text: string): Promise<number[]> {
  return checkVector(await embedder.model.embedQuery(text), embedder.id);
}

/** pgvector's text form `[x,y,…]`, bound as a parameter and cast with `::vector`. */
export function vectorLiteral(vector: readonly number[]): string {
  return `[${vector.join(",")}]`;
}
