import { and, eq, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { tenantLlmUsage } from "./llm-usage.schema.js";

/** The UTC day of a time, as the usage table keys it. */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

export async function tokensUsedOn(db: Db, tenantId: string, day: string): Promise<number> {
  const [row] = await db
    .select({ tokens: tenantLlmUsage.tokens })
    .from(tenantLlmUsage)
    .where(and(eq(tenantLlmUsage.tenantId, tenantId), eq(tenantLlmUsage.day, day)));
  return row?.tokens ?? 0;
}

/** Adds a run's tokens to its tenant's day (one statement: concurrent runs add up exactly). */
export async function addTokens(db: Db, tenantId: string, day: string, tokens: number): Promise<void> {
  if (tokens <= 0) return;
  await db
    .insert(tenantLlmUsage)
    .values({ tenantId, day, tokens })
    .onConflictDoUpdate({
      target: [tenantLlmUsage.tenantId, tenantLlmUsage.day],
      set: { tokens: sql`${tenantLlmUsage.tokens} + ${tokens}` },
    });
}
