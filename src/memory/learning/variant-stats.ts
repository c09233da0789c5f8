import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { memoryVariantStats } from "./learning.schema.js";
import type { VariantTally } from "./outcome-input.js";

/**
 * Per-segment variant statistics: what the optimization agent's Thompson sampling reads. Variants never
 * shown in the segment come back with zero trials (the agent then uses its uniform prior).
 */
export async function variantStatsFor(
  db: Db,
  tenantId: string,
  segment: string,
  variantIds: readonly string[],
): Promise<VariantTally[]> {
  if (variantIds.length === 0) return [];
  const rows = await db
    .select()
    .from(memoryVariantStats)
    .where(
      and(
        eq(memoryVariantStats.tenantId, tenantId),
        eq(memoryVariantStats.segment, segment),
        inArray(memoryVariantStats.variantId, [...variantIds]),
      ),
    );
  const byId = new Map(rows.map((r) => [r.variantId, r]));
  return variantIds.map((variantId) => {
    const r = byId.get(variantId);
    return { variantId, segment, trials: r?.trials ?? 0, successes: r?.successes ?? 0 };
  });
}

/** Every segment's statistics of the tenant, for reports and the eval harness. */
export async function allVariantStats(db: Db, tenantId: string): Promise<VariantTally[]> {
  const rows = await db.select().from(memoryVariantStats).where(eq(memoryVariantStats.tenantId, tenantId));
  return rows
    .map((r) => ({ variantId: r.variantId, segment: r.segment, trials: r.trials, successes: r.successes }))
    .sort((a, b) => a.segment.localeCompare(b.segment) || a.variantId.localeCompare(b.variantId));
}
