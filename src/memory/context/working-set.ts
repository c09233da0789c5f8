import { z } from "zod";
import type { Db } from "../../db/client.js";
import type { Embedder } from "../embeddings.js";
import { type LeadContext, similarSuccesses } from "../episodes/episodes.js";
import { queryKnowledge } from "../knowledge/retrieval.js";
import { leadFacts } from "../leads.js";
import type { SegmentRule } from "../learning/segment.js";
import { renderProfile } from "../profile/profile.js";
import { getProfile } from "../profile/repository.js";
import type { PgStore } from "../store/pg-store.js";
import { type AssembledContext, assembleContext, type ContextSection } from "./assemble.js";

/** The inputs of one run's working set: gathered from every memory kind, then fitted by `assembleContext`. */
export const WorkingSetRequest = z
  .object({
    leadId: z.uuid().optional(),
    /** The thread so far (the run's checkpointed messages). */
    messages: z
      .array(z.object({ role: z.string(), content: z.string(), agent: z.string().optional() }))
      .max(1_000)
      .optional(),
    /** What the run is about; default: the lead's context. */
    query: z.string().max(2_000).optional(),
    /** Token budget of the whole context. Default 2,000. */
    budget: z.number().int().min(100).max(200_000).optional(),
  })
  .strict();
export type WorkingSetRequest = z.input<typeof WorkingSetRequest>;

export interface WorkingSetDeps {
  db: Db;
  embedder: Embedder;
  store: PgStore;
  segmentOf: SegmentRule;
  clock: () => Date;
}

export async function buildWorkingSet(
  deps: WorkingSetDeps,
  tenantId: string,
  raw: WorkingSetRequest,
): Promise<AssembledContext> {
  const request = WorkingSetRequest.parse(raw);
  const sections: ContextSection[] = [];
  let query = request.query ?? "";
  if (request.leadId) {
    const lead = await leadFacts(deps.db, tenantId, request.leadId);
    const context: LeadContext = { segment: deps.segmentOf(lead), ...pick(lead) };
    query ||= [lead.company, lead.title, lead.source, lead.lastActivity].filter(Boolean).join(" ");
    const profile = await getProfile(deps.db, tenantId, lead.id);
    const rendered = renderProfile(profile.block);
    sections.push({
      title: "Lead profile",
      entries: rendered ? [{ source: `profile:${lead.id}`, text: rendered }] : [],
    });
    const worked = await similarSuccesses(deps.db, deps.embedder, tenantId, context, {
      k: 5,
      now: deps.clock(),
    });
    sections.push({
      title: "What worked for similar leads",
      entries: worked.actions.map((a, i) => ({
        source: `episodes:${i + 1}`,
        text: `${a.action}${a.variantId ? ` ${a.variantId}` : ""}: score ${a.score.toFixed(2)} over ${a.interactions} similar interaction(s), ${a.successes} success(es)`,
      })),
    });
    const notes = await deps.store.search(["leads", lead.id], { query: query || "notes", limit: 5 });
    sections.push({
      title: "Notes",
      entries: notes.map((n) => ({
        source: `store:${[...n.namespace, n.key].join("/")}`,
        text: JSON.stringify(n.value),
      })),
    });
  }
  if (query.trim() !== "") {
    const knowledge = await queryKnowledge(deps.db, deps.embedder, tenantId, { query, limit: 8 }, deps.clock);
    sections.push({
      title: "Known facts",
      entries: knowledge.hits.map((h) => ({ source: `fact:${h.fact.id}`, text: h.fact.statement })),
    });
  }
  sections.push({
    title: "Conversation",
    keepNewest: true,
    entries: (request.messages ?? []).map((m, i) => ({
      source: `message:${i}:${m.agent ?? m.role}`,
      text: m.content,
    })),
  });
  return assembleContext(sections, request.budget ?? 2_000);
}

function pick(lead: Awaited<ReturnType<typeof leadFacts>>): Omit<LeadContext, "segment"> {
  return {
    source: lead.source,
    class: lead.class,
    title: lead.title,
    company: lead.company,
    stage: lead.stage,
    lastActivity: lead.lastActivity,
  };
}
