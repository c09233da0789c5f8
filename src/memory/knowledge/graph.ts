import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { type Db, queryRows } from "../../db/client.js";
import { registerEmbedder } from "../embedder-registry.js";
import { type Embedder, embedDocuments } from "../embeddings.js";
import { MemoryError, MemoryErrorCode } from "../errors.js";
import {
  ENTITY_TYPES,
  type EntityRow,
  type EntityType,
  type FactRow,
  memoryEntities,
  memoryEntityAliases,
  memoryFacts,
} from "./knowledge.schema.js";
import { aliasKeys, shortNameKey } from "./resolution.js";
import { type Belief, planAssertion, planRetraction } from "./temporal.js";

/** Writing the knowledge graph: resolving entities, asserting and retracting facts. */

export const EntityInput = z
  .object({
    type: z.enum(ENTITY_TYPES),
    name: z.string().trim().min(1).max(200),
    aliases: z.array(z.string().trim().min(1).max(200)).max(20).optional(),
    attributes: z.record(z.string(), z.json()).optional(),
    /** For a person who is one of our leads: erasing the lead erases the entity. */
    leadId: z.uuid().optional(),
  })
  .strict();
export type EntityInput = z.input<typeof EntityInput>;

const EntityRef = z.union([EntityInput, z.object({ id: z.uuid() }).strict()]);

export const FactInput = z
  .object({
    subject: EntityRef,
    /** snake_case, e.g. `industry`, `uses`, `works_at`. */
    predicate: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "a snake_case predicate such as works_at"),
    object: EntityRef.optional(),
    value: z.json().optional(),
    /** When it became true in the world (ISO 8601); default now. */
    validFrom: z.union([z.iso.datetime({ offset: true }), z.date()]).optional(),
    validTo: z.union([z.iso.datetime({ offset: true }), z.date()]).optional(),
    /** Several objects may hold at once (e.g. `uses`); by default a new object supersedes the old one. */
    multiValued: z.boolean().optional(),
    source: z.string().max(200).optional(),
  })
  .strict()
  .refine((f) => (f.object === undefined) !== (f.value === undefined || f.value === null), {
    message: "a fact has either an object entity or a (non-null) value",
  });
export type FactInput = z.input<typeof FactInput>;

export interface Entity {
  id: string;
  type: EntityType;
  name: string;
  attributes: Record<string, unknown>;
  leadId: string | null;
}

export interface Fact {
  id: number;
  subject: Pick<Entity, "id" | "type" | "name">;
  predicate: string;
  object: Pick<Entity, "id" | "type" | "name"> | null;
  value: unknown;
  statement: string;
  validFrom: Date;
  validTo: Date | null;
  recordedAt: Date;
  retiredAt: Date | null;
  source: string | null;
}

export interface AssertResult {
  fact: Fact;
  /** False when an identical belief already covered it (`fact` is that belief). */
  created: boolean;
  /** Ids of the beliefs this assertion retired. */
  superseded: number[];
}

/**
 * Finds the entity any of the names resolves to, or creates it. Names and attributes the entity did not
 * have yet are added. Safe under concurrency: the alias primary key decides which of two racing creators
 * wins, and the loser adopts the winner's entity.
 */
export async function upsertEntity(db: Db, tenantId: string, raw: EntityInput): Promise<Entity> {
  const input = EntityInput.parse(raw);
  const keys = aliasKeys(input.type, [input.name, ...(input.aliases ?? [])]);
  if (keys.length === 0) {
    throw new MemoryError(
      MemoryErrorCode.InvalidInput,
      `entity name "${input.name}" has no letters or digits`,
    );
  }
  return db.transaction(async (tx) => {
    const existing = await resolveKeys(
      tx,
      tenantId,
      input.type,
      keys.map((k) => k.key),
    );
    let entity: EntityRow;
    if (existing) {
      const [updated] = await tx
        .update(memoryEntities)
        .set({
          attributes: sql`${memoryEntities.attributes} || ${JSON.stringify(input.attributes ?? {})}::jsonb`,
          ...(input.leadId ? { leadId: input.leadId } : {}),
          updatedAt: sql`now()`,
        })
        .where(eq(memoryEntities.id, existing))
        .returning();
      entity = updated!;
    } else {
      const [created] = await tx
        .insert(memoryEntities)
        .values({
          tenantId,
          type: input.type,
          name: input.name,
          attributes: input.attributes ?? {},
          leadId: input.leadId ?? null,
        })
        .returning();
      entity = created!;
    }
    const claimed = await tx
      .insert(memoryEntityAliases)
      .values(
        keys.map((k) => ({
          tenantId,
          type: input.type,
          aliasKey: k.key,
          alias: k.alias,
          entityId: entity.id,
        })),
      )
      .onConflictDoNothing()
      .returning({ key: memoryEntityAliases.aliasKey });
    // Short names help find mentions only; the first company to claim one keeps it.
    const short = shortNameKey(input.type, input.name);
    if (short !== null && (existing || claimed.length > 0)) {
      await tx
        .insert(memoryEntityAliases)
        .values({ tenantId, type: input.type, aliasKey: short, alias: input.name, entityId: entity.id })
        .onConflictDoNothing();
    }
    if (!existing && claimed.length === 0) {
      // Every name was taken meanwhile by a concurrent creator: drop ours and use theirs.
      await tx.delete(memoryEntities).where(eq(memoryEntities.id, entity.id));
      const winner = await resolveKeys(
        tx,
        tenantId,
        input.type,
        keys.map((k) => k.key),
      );
      const [row] = await tx.select().from(memoryEntities).where(eq(memoryEntities.id, winner!));
      entity = row!;
    }
    return toEntity(entity);
  });
}

async function resolveKeys(
  tx: Db,
  tenantId: string,
  type: EntityType,
  keys: string[],
): Promise<string | null> {
  const rows = await tx
    .select({ entityId: memoryEntityAliases.entityId, key: memoryEntityAliases.aliasKey })
    .from(memoryEntityAliases)
    .where(
      and(
        eq(memoryEntityAliases.tenantId, tenantId),
        eq(memoryEntityAliases.type, type),
        inArray(memoryEntityAliases.aliasKey, keys),
      ),
    );
  if (rows.length === 0) return null;
  // The entity owning the earliest key (the primary name) wins if the names point at different entities.
  rows.sort((a, b) => keys.indexOf(a.key) - keys.indexOf(b.key));
  return rows[0]!.entityId;
}

async function entityById(db: Db, tenantId: string, id: string): Promise<Entity> {
  const [row] = await db
    .select()
    .from(memoryEntities)
    .where(and(eq(memoryEntities.tenantId, tenantId), eq(memoryEntities.id, id)));
  if (!row) throw new MemoryError(MemoryErrorCode.NotFound, "entity not found", { entity: id });
  return toEntity(row);
}

async function resolveRef(db: Db, tenantId: string, ref: z.infer<typeof EntityRef>): Promise<Entity> {
  return "id" in ref ? entityById(db, tenantId, ref.id) : upsertEntity(db, tenantId, ref);
}

/** "Acme industry retail", "Ann Lee works at Acme". */
export function factStatement(
  subject: string,
  predicate: string,
  object: string | null,
  value: unknown,
): string {
  const valueText = typeof value === "string" ? value : JSON.stringify(value);
  return `${subject} ${predicate.replace(/_/g, " ")} ${object ?? valueText}`;
}

/** The value's canonical JSON (key order ignored), so equal values compare equal. */
function valueKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(valueKey).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${valueKey(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Asserts a fact (see temporal.ts for what supersedes what). Entities are resolved first and the statement
 * embedded before the transaction; the transaction locks the subject so assertions about one subject apply
 * one at a time.
 */
export async function assertFact(
  db: Db,
  embedder: Embedder,
  tenantId: string,
  raw: FactInput,
  clock: () => Date = () => new Date(),
): Promise<AssertResult> {
  const input = FactInput.parse(raw);
  const subject = await resolveRef(db, tenantId, input.subject);
  const object = input.object === undefined ? null : await resolveRef(db, tenantId, input.object);
  const now = clock();
  const validFrom = input.validFrom === undefined ? now : new Date(input.validFrom);
  const validTo = input.validTo === undefined ? null : new Date(input.validTo);
  const value = object ? null : input.value;
  const statement = factStatement(subject.name, input.predicate, object?.name ?? null, value);
  const [vector] = await embedDocuments(embedder, [statement]);
  const objectKey = object ? object.id : valueKey(value);

  return db.transaction(async (tx) => {
    await tx
      .select({ id: memoryEntities.id })
      .from(memoryEntities)
      .where(eq(memoryEntities.id, subject.id))
      .for("update");
    const current = await tx
      .select()
      .from(memoryFacts)
      .where(
        and(
          eq(memoryFacts.tenantId, tenantId),
          eq(memoryFacts.subjectId, subject.id),
          eq(memoryFacts.predicate, input.predicate),
          isNull(memoryFacts.retiredAt),
        ),
      );
    let plan: ReturnType<typeof planAssertion>;
    try {
      plan = planAssertion(current.map(toBelief), {
        objectKey,
        validFrom,
        validTo,
        multiValued: input.multiValued ?? false,
      });
    } catch (error) {
      throw new MemoryError(MemoryErrorCode.InvalidInput, (error as Error).message, undefined, {
        cause: error,
      });
    }
    if (plan.duplicateOf !== null) {
      const fact = await factById(tx, tenantId, plan.duplicateOf);
      return { fact: fact!, created: false, superseded: [] };
    }
    await applyPlan(tx, plan, now);
    const [row] = await tx
      .insert(memoryFacts)
      .values({
        tenantId,
        subjectId: subject.id,
        predicate: input.predicate,
        objectId: object?.id ?? null,
        value: object ? null : (value as unknown),
        statement,
        source: input.source ?? null,
        validFrom,
        validTo,
        recordedAt: now,
        embedding: vector!,
        embedder: embedder.id,
      })
      .returning({ id: memoryFacts.id });
    await registerEmbedder(tx, embedder);
    const fact = await factById(tx, tenantId, row!.id);
    return { fact: fact!, created: true, superseded: plan.retire };
  });
}

/** Ends a fact's validity at `at` (default now): it was true until then, and we keep knowing that it was. */
export async function retractFact(
  db: Db,
  tenantId: string,
  factId: number,
  at?: Date,
  clock: () => Date = () => new Date(),
): Promise<Fact | null> {
  const now = clock();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(memoryFacts)
      .where(
        and(eq(memoryFacts.tenantId, tenantId), eq(memoryFacts.id, factId), isNull(memoryFacts.retiredAt)),
      )
      .for("update");
    if (!row)
      throw new MemoryError(MemoryErrorCode.NotFound, "no current fact with this id", { fact: factId });
    const plan = planRetraction(toBelief(row), at ?? now);
    if (plan.duplicateOf !== null) return factById(tx, tenantId, row.id);
    const copies = await applyPlan(tx, plan, now);
    return copies[0] === undefined ? null : factById(tx, tenantId, copies[0]);
  });
}

/** Retires the plan's beliefs and inserts the re-asserted parts (copies of the retired rows, new validity). */
async function applyPlan(tx: Db, plan: ReturnType<typeof planAssertion>, now: Date): Promise<number[]> {
  if (plan.retire.length > 0) {
    await tx.update(memoryFacts).set({ retiredAt: now }).where(inArray(memoryFacts.id, plan.retire));
  }
  const ids: number[] = [];
  for (const part of plan.reassert) {
    const [copy] = await queryRows<{ id: number | string }>(
      tx,
      sql`insert into ${memoryFacts} (tenant_id, subject_id, predicate, object_id, value, statement, source,
                                      valid_from, valid_to, recorded_at, embedding, embedder)
          select tenant_id, subject_id, predicate, object_id, value, statement, source,
                 ${part.validFrom.toISOString()}::timestamptz, ${part.validTo?.toISOString() ?? null}::timestamptz,
                 ${now.toISOString()}::timestamptz, embedding, embedder
          from ${memoryFacts} where id = ${part.of}
          returning id`,
    );
    if (copy) ids.push(Number(copy.id));
  }
  return ids;
}

function toBelief(row: FactRow): Belief {
  return {
    id: row.id,
    objectKey: row.objectId ?? valueKey(row.value),
    validFrom: row.validFrom,
    validTo: row.validTo,
  };
}

function toEntity(row: EntityRow): Entity {
  return { id: row.id, type: row.type, name: row.name, attributes: row.attributes, leadId: row.leadId };
}

/** Facts by id with their subject's and object's names. */
export async function factsByIds(db: Db, tenantId: string, ids: readonly number[]): Promise<Fact[]> {
  if (ids.length === 0) return [];
  const list = await queryRows<Record<string, unknown>>(
    db,
    sql`select f.id, f.predicate, f.value, f.statement, f.valid_from, f.valid_to, f.recorded_at, f.retired_at, f.source,
               s.id as subject_id, s.type as subject_type, s.name as subject_name,
               o.id as object_id, o.type as object_type, o.name as object_name
        from ${memoryFacts} f
        join ${memoryEntities} s on s.id = f.subject_id
        left join ${memoryEntities} o on o.id = f.object_id
        where f.tenant_id = ${tenantId} and f.id in (${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )})`,
  );
  const byId = new Map(list.map((r) => [Number(r.id), toFact(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

async function factById(db: Db, tenantId: string, id: number): Promise<Fact | null> {
  return (await factsByIds(db, tenantId, [id]))[0] ?? null;
}

const toDate = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

function toFact(r: Record<string, unknown>): Fact {
  return {
    id: Number(r.id),
    subject: { id: String(r.subject_id), type: r.subject_type as EntityType, name: String(r.subject_name) },
    predicate: String(r.predicate),
    object:
      r.object_id === null || r.object_id === undefined
        ? null
        : { id: String(r.object_id), type: r.object_type as EntityType, name: String(r.object_name) },
    value: r.value === undefined ? null : r.value,
    statement: String(r.statement),
    validFrom: toDate(r.valid_from)!,
    validTo: toDate(r.valid_to),
    recordedAt: toDate(r.recorded_at)!,
    retiredAt: toDate(r.retired_at),
    source: (r.source as string | null) ?? null,
  };
}
