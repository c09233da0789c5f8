/**
 * "What worked for leads like this one": a pure ranking of actions over retrieved episodes.
 *
 * 1. Episodes of one lead with one action and variant are one interaction, worth its best reward (a lead
 *    that was sent, opened and then converted is one conversion, not three data points).
 * 2. Each interaction weighs w = max(0, similarity) × 0.5^(age / half-life): similar leads count more, and
 *    old evidence fades (markets and messages go stale).
 * 3. An action's score is Σ w·r / (Σ w + priorWeight): the outcome-weighted mean reward, shrunk toward 0
 *    when evidence is thin, so one lucky conversion does not outrank twenty good ones.
 */
export interface RetrievedEpisode {
  leadId: string | null;
  action: string;
  variantId: string | null;
  reward: number;
  similarity: number;
  occurredAt: Date;
}

export interface ActionScore {
  action: string;
  variantId: string | null;
  score: number;
  /** Distinct interactions (lead × action × variant) behind the score. */
  interactions: number;
  /** Interactions whose best reward reached `successReward`. */
  successes: number;
  /** Σ w: how much (similar, recent) evidence there is. */
  support: number;
}

export interface RankActionsOptions {
  now: Date;
  halfLifeDays?: number;
  priorWeight?: number;
  /** Reward at or above which an interaction counts as a success (default 1, a conversion). */
  successReward?: number;
}

const DAY_MS = 86_400_000;

export function rankActions(
  episodes: readonly RetrievedEpisode[],
  options: RankActionsOptions,
): ActionScore[] {
  const halfLife = options.halfLifeDays ?? 30;
  const prior = options.priorWeight ?? 1;
  const successReward = options.successReward ?? 1;
  if (!(halfLife > 0) || !(prior >= 0)) throw new RangeError("halfLifeDays must be > 0 and priorWeight ≥ 0");

  const interactions = new Map<string, RetrievedEpisode>();
  episodes.forEach((e, i) => {
    const key = `${e.leadId ?? `#${i}`}\u0000${e.action}\u0000${e.variantId ?? ""}`;
    const seen = interactions.get(key);
    if (seen === undefined) interactions.set(key, e);
    else
      interactions.set(key, {
        ...seen,
        reward: Math.max(seen.reward, e.reward),
        similarity: Math.max(seen.similarity, e.similarity),
        occurredAt: e.occurredAt > seen.occurredAt ? e.occurredAt : seen.occurredAt,
      });
  });

  const groups = new Map<string, ActionScore & { weighted: number }>();
  for (const e of interactions.values()) {
    const ageDays = Math.max(0, (options.now.getTime() - e.occurredAt.getTime()) / DAY_MS);
    const w = Math.max(0, e.similarity) * 0.5 ** (ageDays / halfLife);
    const key = `${e.action}\u0000${e.variantId ?? ""}`;
    const g = groups.get(key) ?? {
      action: e.action,
      variantId: e.variantId,
      score: 0,
      interactions: 0,
      successes: 0,
      support: 0,
      weighted: 0,
    };
    g.interactions += 1;
    if (e.reward >= successReward) g.successes += 1;
    g.support += w;
    g.weighted += w * e.reward;
    groups.set(key, g);
  }
  return [...groups.values()]
    .map(({ weighted, ...g }) => ({ ...g, score: weighted / (g.support + prior) }))
    .sort((a, b) => b.score - a.score || b.support - a.support || a.action.localeCompare(b.action));
}
