/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009,
 * https://plg.uwaterloo.ca/~gvcormac/cormacksigir09-rrf.pdf): score(d) = Σ_r w_r / (k + rank_r(d)), ranks
 * from 1. It needs no score calibration between lists (cosine similarities, ts_rank and graph distance are
 * not comparable), which is why hybrid retrieval fuses with it. k = 60 is the paper's constant.
 */
export interface Ranking<Id> {
  name: string;
  /** Best first. A repeated id keeps its first (best) rank. */
  ids: readonly Id[];
  weight?: number;
}

export interface Fused<Id> {
  id: Id;
  score: number;
  /** 1-based rank in each list that contains the id. */
  ranks: Record<string, number>;
}

export const RRF_K = 60;

export function reciprocalRankFusion<Id extends string | number>(
  rankings: readonly Ranking<Id>[],
  options: { k?: number } = {},
): Fused<Id>[] {
  const k = options.k ?? RRF_K;
  if (!(k >= 0)) throw new RangeError(`k must be ≥ 0, got ${k}`);
  const fused = new Map<Id, Fused<Id> & { best: number; order: number }>();
  for (const ranking of rankings) {
    const weight = ranking.weight ?? 1;
    const seen = new Set<Id>();
    ranking.ids.forEach((id, index) => {
      if (seen.has(id)) return;
      seen.add(id);
      const rank = index + 1;
      let entry = fused.get(id);
      if (entry === undefined) {
        entry = { id, score: 0, ranks: {}, best: rank, order: fused.size };
        fused.set(id, entry);
      }
      entry.score += weight / (k + rank);
      entry.ranks[ranking.name] = rank;
      entry.best = Math.min(entry.best, rank);
    });
  }
  // Ties (equal sums) go to the better single rank, then to first appearance: deterministic output.
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.best - b.best || a.order - b.order)
    .map(({ id, score, ranks }) => ({ id, score, ranks }));
}
