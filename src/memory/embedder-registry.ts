import { ne, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { memoryEmbedders } from "./embedders.schema.js";
import type { Embedder } from "./embeddings.js";
import { MemoryError, MemoryErrorCode } from "./errors.js";

/**
 * Which embedders' vectors are stored. Writers register theirs in the transaction that writes the vectors;
 * a search refuses to run while another embedder's vectors exist, since cosine similarity between two
 * models' vectors means nothing and silently filtering them out would hide memories instead.
 */
export async function registerEmbedder(db: Db, embedder: Embedder): Promise<void> {
  await db
    .insert(memoryEmbedders)
    .values({ embedderId: embedder.id, dimensions: embedder.dimensions })
    .onConflictDoNothing();
}

/** Throws `embedder_mismatch` when vectors of any other embedder are stored. */
export async function assertSingleEmbedder(db: Db, embedder: Embedder): Promise<void> {
  const others = await db
    .select({ id: memoryEmbedders.embedderId })
    .from(memoryEmbedders)
    .where(ne(memoryEmbedders.embedderId, embedder.id))
    .limit(3);
  if (others.length === 0) return;
  throw embedderMismatch(
    embedder,
    others.map((o) => o.id),
  );
}

export function embedderMismatch(embedder: Embedder, storedEmbedders: readonly string[]): MemoryError {
  return new MemoryError(
    MemoryErrorCode.EmbedderMismatch,
    `stored memories were embedded by ${storedEmbedders.map((id) => `"${id}"`).join(", ")}, not by "${embedder.id}": ` +
      "searching across embedders is meaningless; run `marketing-agents migrate --reembed`",
    { storedEmbedders: [...storedEmbedders], embedder: embedder.id },
  );
}

/** After a complete re-embedding: the current embedder is the only one left. */
export async function resetEmbedders(db: Db, embedder: Embedder): Promise<void> {
  await db.delete(memoryEmbedders).where(sql`${memoryEmbedders.embedderId} <> ${embedder.id}`);
  await registerEmbedder(db, embedder);
}
