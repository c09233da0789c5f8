/**
 * How engagement reads adaptive memory: what to ask the knowledge graph, and how the actions of similar
 * leads become the episodes the drafting code weighs. The reads themselves go through the agent's MCP
 * client (`src/graph/agent-reads.ts`); these are the pure mappings on either side of them.
 */
import type { LeadInput } from "../../db/lead-input.js";
import type { SimilarEpisode } from "./context.js";
import { Channels } from "./templates.js";

/** The channel a variant id names ("email-now-role" → email), for channel evidence. */
export function channelOfVariant(variantId: string | null): string | null {
  const prefix = variantId?.split("-")[0];
  return prefix && (Channels as readonly string[]).includes(prefix) ? prefix : null;
}

/** What to ask the knowledge graph: the question when there is one, else the lead's company and role. */
export function knowledgeQuery(lead: LeadInput | null, text: string | null): string | null {
  if (text?.trim()) return text.trim().slice(0, 2_000);
  const parts = [lead?.company, lead?.title, "product"].filter((p): p is string => Boolean(p?.trim()));
  return parts.join(" ");
}

/** Each interaction of a similar lead becomes one episode: its successes with reward 1, the rest with 0. */
export function episodesFromActions(
  actions: readonly { variantId: string | null; interactions: number; successes: number }[],
): SimilarEpisode[] {
  return actions.flatMap((a) =>
    Array.from({ length: a.interactions }, (_, i) => ({
      channel: channelOfVariant(a.variantId),
      variantId: a.variantId,
      reward: i < a.successes ? 1 : 0,
    })),
  );
}
