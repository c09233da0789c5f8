import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { leads, type OutcomeEventName, outcomeEvents } from "../../db/schema.js";
import type { Embedder } from "../embeddings.js";
import { insertEpisodes, prepareEpisodes } from "../episodes/episodes.js";
import { memoryEpisodes } from "../episodes/episodes.schema.js";
import { MemoryError, MemoryErrorCode } from "../errors.js";
import { leadFacts } from "../leads.js";
import type { ProfilePatch } from "../profile/profile.js";
import { updateProfileInTransaction } from "../profile/repository.js";
import { memoryExposures, memoryVariantStats } from "./learning.schema.js";
import { OutcomeInput, type OutcomeRecorded, type VariantTally } from "./outcome-input.js";
import { DEFAULT_SUCCESS_EVENTS, OUTCOME_REWARDS } from "./rewards.js";
import { defaultSegmentOf, type SegmentRule } from "./segment.js";
import { variantStatsFor } from "./variant-stats.js";

export interface RecordOutcomeOptions {
  segmentOf?: SegmentRule;
  successEvents?: readonly OutcomeEventName[];
  clock?: () => Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The learning loop's entry: records an outcome once per idempotency key and, in the same transaction,
 * everything the agents read next time: the episode (episodic memory), the lead × variant exposure and the
 * segment's variant statistics (the bandit's evidence), the lead's profile (last touch, stage) and, on an
 * unsubscribe, the lead's do-not-email flag. Either all of it happens or none.
 *
 * A retry with the same key returns the first recording's ids with `recorded: false`; the same key with a
 * different outcome is an `idempotency_conflict`, not a silent overwrite.
 */
export async function recordOutcome(
  db: Db,
  embedder: Embedder,
  tenantId: string,
  raw: OutcomeInput,
  options: RecordOutcomeOptions = {},
): Promise<OutcomeRecorded> {
  const input = OutcomeInput.parse(raw);
  const segmentOf = options.segmentOf ?? defaultSegmentOf;
  const successEvents = options.successEvents ?? DEFAULT_SUCCESS_EVENTS;
  const at = input.at === undefined ? (options.clock ?? (() => new Date()))() : new Date(input.at);
  const lead = await leadFacts(db, tenantId, input.leadId);
  const segment = segmentOf(lead);
  const reward = OUTCOME_REWARDS[input.event];
  // Embedding happens before the transaction: a remote embedder must not hold locks open.
  const [episode] = await prepareEpisodes(embedder, [
    {
      leadId: lead.id,
      context: {
        segment,
        source: lead.source,
        class: lead.class,
        title: lead.title,
        company: lead.company,
        stage: lead.stage,
        lastActivity: lead.lastActivity,
      },
      // The agent whose decision the outcome rewards: the optimization agent picks variants.
      agent: input.variantId ? "optimization" : "engagement",
      action: input.variantId ? "send-variant" : "contact",
      variantId: input.variantId ?? null,
      campaignId: input.campaignId ?? null,
      outcome: input.event,
      reward,
      occurredAt: at,
    },
  ]);

  return db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(outcomeEvents)
      .values({
        tenantId,
        idempotencyKey: input.idempotencyKey,
        leadId: lead.id,
        campaignId: input.campaignId ?? null,
        // The core table's variant column references campaign variants (uuid); template ids live in the episode.
        variantId: input.variantId !== undefined && UUID.test(input.variantId) ? input.variantId : null,
        event: input.event,
        occurredAt: at,
      })
      .onConflictDoNothing({ target: [outcomeEvents.tenantId, outcomeEvents.idempotencyKey] })
      .returning({ id: outcomeEvents.id });
    if (inserted === undefined) return replay(tx, tenantId, input);

    const [episodeId] = await insertEpisodes(tx, embedder, tenantId, [
      { ...episode!, input: { ...episode!.input, outcomeEventId: inserted.id } },
    ]);
    const variant = input.variantId
      ? await tallyExposure(
          tx,
          tenantId,
          lead.id,
          input.variantId,
          segment,
          at,
          successEvents.includes(input.event),
        )
      : null;
    await updateProfileInTransaction(tx, tenantId, lead.id, profilePatchFor(input), "outcomes", at);
    if (input.event === "unsubscribed") {
      await tx
        .update(leads)
        .set({ doNotEmail: true, updatedAt: sql`now()` })
        .where(and(eq(leads.tenantId, tenantId), eq(leads.id, lead.id)));
    }
    return { recorded: true, outcomeId: inserted.id, episodeId: episodeId ?? null, segment, reward, variant };
  });
}

/**
 * One lead shown one variant is one trial, succeeding at most once: the exposure row makes both counts
 * exact under retries, out-of-order events (a conversion before its "sent") and concurrent recordings
 * (the primary key and the `succeeded_at is null` guard serialize them).
 */
async function tallyExposure(
  tx: Db,
  tenantId: string,
  leadId: string,
  variantId: string,
  segment: string,
  at: Date,
  success: boolean,
): Promise<VariantTally> {
  const [created] = await tx
    .insert(memoryExposures)
    .values({ tenantId, leadId, variantId, segment, firstAt: at })
    .onConflictDoNothing()
    .returning({ segment: memoryExposures.segment });
  const key = and(
    eq(memoryExposures.tenantId, tenantId),
    eq(memoryExposures.leadId, leadId),
    eq(memoryExposures.variantId, variantId),
  );
  let exposureSegment = created?.segment;
  if (exposureSegment === undefined) {
    const [existing] = await tx.select({ segment: memoryExposures.segment }).from(memoryExposures).where(key);
    exposureSegment = existing!.segment;
  }
  let succeeded = false;
  if (success) {
    const updated = await tx
      .update(memoryExposures)
      .set({ succeededAt: at })
      .where(and(key, isNull(memoryExposures.succeededAt)))
      .returning({ leadId: memoryExposures.leadId });
    succeeded = updated.length > 0;
  }
  const trials = created ? 1 : 0;
  const successes = succeeded ? 1 : 0;
  if (trials + successes > 0) {
    await tx
      .insert(memoryVariantStats)
      .values({ tenantId, segment: exposureSegment, variantId, trials, successes, updatedAt: at })
      .onConflictDoUpdate({
        target: [memoryVariantStats.tenantId, memoryVariantStats.segment, memoryVariantStats.variantId],
        set: {
          trials: sql`${memoryVariantStats.trials} + ${trials}`,
          successes: sql`${memoryVariantStats.successes} + ${successes}`,
          updatedAt: sql`now()`,
        },
      });
  }
  const [tally] = await variantStatsFor(tx, tenantId, exposureSegment, [variantId]);
  return tally!;
}

/** What an outcome tells every agent about the lead. */
function profilePatchFor(input: ReturnType<typeof OutcomeInput.parse>): ProfilePatch {
  const patch: ProfilePatch = {
    lastTouch: {
      event: input.event,
      ...(input.variantId ? { variantId: input.variantId } : {}),
      ...(input.campaignId ? { campaignId: input.campaignId } : {}),
    },
  };
  if (input.event === "converted") patch.stage = "converted";
  if (input.event === "replied") patch.facts = { replied: true };
  if (input.event === "unsubscribed") patch.preferences = { email: "opted-out" };
  if (input.event === "bounced") patch.facts = { emailBounced: true };
  return patch;
}

/** The answer to a retried key: the first recording's ids, or a conflict if the retry says something else. */
async function replay(
  tx: Db,
  tenantId: string,
  input: ReturnType<typeof OutcomeInput.parse>,
): Promise<OutcomeRecorded> {
  const [first] = await tx
    .select({
      id: outcomeEvents.id,
      leadId: outcomeEvents.leadId,
      event: outcomeEvents.event,
      campaignId: outcomeEvents.campaignId,
      episodeId: memoryEpisodes.id,
      variantId: memoryEpisodes.variantId,
      segment: memoryEpisodes.segment,
      reward: memoryEpisodes.reward,
    })
    .from(outcomeEvents)
    .leftJoin(memoryEpisodes, eq(memoryEpisodes.outcomeEventId, outcomeEvents.id))
    .where(and(eq(outcomeEvents.tenantId, tenantId), eq(outcomeEvents.idempotencyKey, input.idempotencyKey)));
  if (first === undefined) {
    // The conflicting row was deleted between our insert and this read (an erasure): nothing to replay.
    throw new MemoryError(MemoryErrorCode.NotFound, "outcome was erased concurrently", {
      lead: input.leadId,
    });
  }
  const differs =
    first.leadId !== input.leadId ||
    first.event !== input.event ||
    (first.campaignId ?? undefined) !== input.campaignId ||
    (first.variantId ?? undefined) !== input.variantId;
  if (differs) {
    throw new MemoryError(
      MemoryErrorCode.IdempotencyConflict,
      `idempotency key "${input.idempotencyKey}" was already used for a different outcome`,
      { idempotencyKey: input.idempotencyKey },
    );
  }
  const segment = first.segment ?? "";
  let variant: VariantTally | null = null;
  if (input.variantId) {
    // The trial counts in the segment of the lead's first exposure to the variant.
    const [exposure] = await tx
      .select({ segment: memoryExposures.segment })
      .from(memoryExposures)
      .where(
        and(
          eq(memoryExposures.tenantId, tenantId),
          eq(memoryExposures.leadId, input.leadId),
          eq(memoryExposures.variantId, input.variantId),
        ),
      );
    [variant = null] = await variantStatsFor(tx, tenantId, exposure?.segment ?? segment, [input.variantId]);
  }
  return {
    recorded: false,
    outcomeId: first.id,
    episodeId: first.episodeId,
    segment,
    reward: first.reward ?? OUTCOME_REWARDS[input.event],
    variant,
  };
}
