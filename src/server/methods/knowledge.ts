/** Semantic memory methods: writing entities and facts to the caller's knowledge graph, and hybrid queries. */
import { z } from "zod";
import { EntityInput, type Fact, FactInput } from "../../memory/knowledge/graph.js";
import { ENTITY_TYPES } from "../../memory/knowledge/knowledge.schema.js";
import { KnowledgeQuery } from "../../memory/knowledge/retrieval.js";
import { defineMethod } from "../rpc/method.js";
import { memoryCall, memoryOf } from "./memory.js";
import type { Services } from "./services.js";

const EntityRefOutput = z.object({ id: z.string(), type: z.enum(ENTITY_TYPES), name: z.string() });
const EntityOutput = EntityRefOutput.extend({
  attributes: z.record(z.string(), z.unknown()),
  leadId: z.string().nullable(),
});
const FactOutput = z.object({
  id: z.number(),
  subject: EntityRefOutput,
  predicate: z.string(),
  object: EntityRefOutput.nullable(),
  value: z.unknown(),
  statement: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  recordedAt: z.string(),
  retiredAt: z.string().nullable(),
  source: z.string().nullable(),
});

function factToWire(fact: Fact) {
  return {
    ...fact,
    validFrom: fact.validFrom.toISOString(),
    validTo: fact.validTo?.toISOString() ?? null,
    recordedAt: fact.recordedAt.toISOString(),
    retiredAt: fact.retiredAt?.toISOString() ?? null,
  };
}

export function knowledgeMethods(services: Services) {
  const memory = memoryOf(services);
  return [
    defineMethod({
      name: "knowledge.upsert",
      description:
        'Adds entities (company, person, product, segment, campaign, topic; "Acme Inc." and "ACME" resolve to one) and facts to the caller\'s knowledge graph. A fact is subject–predicate–object entity or value with a validity start; a new value of a single-valued predicate closes the old fact instead of erasing it.',
      permission: "memory:write",
      params: z
        .object({
          entities: z.array(EntityInput).max(100).optional(),
          facts: z.array(FactInput).max(100).optional(),
        })
        .strict()
        .refine((p) => (p.entities?.length ?? 0) + (p.facts?.length ?? 0) > 0, {
          message: "give at least one entity or fact",
        }),
      result: z.object({
        entities: z.array(EntityOutput),
        facts: z.array(z.object({ fact: FactOutput, created: z.boolean(), superseded: z.array(z.number()) })),
      }),
      handler: ({ entities = [], facts = [] }, ctx) =>
        memoryCall(async () => {
          const k = memory.forTenant(ctx.principal.tenantId).knowledge;
          const storedEntities = [];
          for (const entity of entities) storedEntities.push(await k.upsertEntity(entity));
          const storedFacts = [];
          for (const fact of facts) {
            const r = await k.assertFact(fact);
            storedFacts.push({ ...r, fact: factToWire(r.fact) });
          }
          return { entities: storedEntities, facts: storedFacts };
        }),
    }),
    defineMethod({
      name: "knowledge.query",
      description:
        "Answers a question from the caller's knowledge graph: facts ranked by meaning, by words and by graph neighbourhood of the entities named, fused by reciprocal rank. `asOf` asks what we believed on a date; `validAt`/`knownAt` set the two time axes separately.",
      permission: "memory:read",
      params: KnowledgeQuery,
      result: z.object({
        hits: z.array(
          z.object({
            fact: FactOutput,
            score: z.number(),
            ranks: z.object({
              vector: z.number().optional(),
              keyword: z.number().optional(),
              graph: z.number().optional(),
            }),
          }),
        ),
        mentioned: z.array(EntityRefOutput),
        asOf: z.object({ validAt: z.string(), knownAt: z.string() }),
      }),
      handler: (query, ctx) =>
        memoryCall(async () => {
          const answer = await memory.forTenant(ctx.principal.tenantId).knowledge.query(query);
          return {
            hits: answer.hits.map((h) => ({ ...h, fact: factToWire(h.fact) })),
            mentioned: answer.mentioned,
            asOf: { validAt: answer.asOf.validAt.toISOString(), knownAt: answer.asOf.knownAt.toISOString() },
          };
        }),
    }),
  ];
}
