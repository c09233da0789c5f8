/**
 * Engagement's view of adaptive memory: stored facts relevant to the lead (or to a reply's question) from
 * the knowledge graph, and what worked for similar leads from episodic memory, mapped to the shapes the
 * drafting code checks claims against. Facts keep their subject's type, so facts about people are screened
 * out before drafting (see `selectFacts`).
 */
import type { LeadInput } from "../../db/lead-input.js";
import type { TenantMemory } from "../../memory/service.js";
import type { EngagementMemory, SimilarEpisode } from "./context.js";
import { Channels } from "./templates.js";

export interface RecallOptions {
  /** Facts to retrieve (default 6). */
  facts?: number;
  /** Actions from similar leads to weigh (default 10). */
  actions?: number;
}

/** The channel a variant id names ("email-now-role" → email), for channel evidence. */
export function channelOfVariant(variantId: string | null): string | null {
  const prefix = variantId?.split("-")[0];
  return prefix && (Channels as readonly string[]).includes(prefix) ? prefix : null;
}

/** What to ask the knowledge graph: the question when there is one, else the lead's company and role. */
function knowledgeQuery(lead: LeadInput | null, text: string | null): string | null {
  if (text?.trim()) return text.trim().slice(0, 2_000);
  const parts = [lead?.company, lead?.title, "product"].filter((p): p is string => Boolean(p?.trim()));
  return parts.join(" ");
}

export async function recallForEngagement(
  memory: TenantMemory,
  query: { lead: (LeadInput & { id?: string }) | null; text: string | null },
  options: RecallOptions = {},
): Promise<EngagementMemory> {
  const q = knowledgeQuery(query.lead, query.text);
  const knowledge = q ? await memory.knowledge.query({ query: q, limit: options.facts ?? 6 }) : { hits: [] };
  const facts = knowledge.hits.map(({ fact }) => ({
    id: String(fact.id),
    statement: fact.statement,
    kind: fact.subject.type,
    ...(fact.source ? { source: fact.source } : {}),
  }));
  const similar: SimilarEpisode[] = [];
  if (query.lead?.id) {
    const { actions } = await memory.episodes.similarSuccesses(query.lead.id, { k: options.actions ?? 10 });
    // Each interaction becomes one episode: its successes with reward 1, the rest with 0.
    for (const a of actions) {
      const channel = channelOfVariant(a.variantId);
      for (let i = 0; i < a.interactions; i++) {
        similar.push({ channel, variantId: a.variantId, reward: i < a.successes ? 1 : 0 });
      }
    }
  }
  return { facts, similar };
}
