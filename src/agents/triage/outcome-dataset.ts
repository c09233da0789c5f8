/**
 * A labelled training set from the database: the outcomes recorded in `outcome_events` (the learning
 * loop's `outcomes.record`) give each lead a label, and the lead's stored fields, read through the db
 * layer's `getLeads` (by id, decrypting what is stored encrypted), give its features through the
 * same mapping live triage uses (`leadToRecord`). Only `outcome_events` is queried directly; lead columns
 * never are.
 *
 * The label rule, per lead of the tenant:
 * - converted (1): a "converted" outcome was recorded;
 * - not converted (0): no conversion, and either an "unsubscribed" or "bounced" outcome (outreach cannot
 *   convert it any more) or a latest outcome at least `windowDays` old (it had its chance);
 * - open (left out): outcomes, no conversion, none of the above yet: too early to call;
 * - leads without any outcome are unlabelled and left out.
 *
 * The stored "do not email" flag is not used as a feature: recording an unsubscribe sets it, so it would
 * carry the outcome into the features (the leak the CSV's post-contact columns have).
 */
import { eq, max, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { leadInputOf } from "../../db/lead-record.js";
import { getLeads } from "../../db/leads.js";
import { outcomeEvents } from "../../db/schema.js";
import { leadToRecord } from "./dataset.js";

export interface OutcomeDatasetOptions {
  tenantId: string;
  /** Days after its latest outcome that an unconverted lead counts as not converted (default 30). */
  windowDays?: number;
  now?: Date;
}

export interface OutcomeDataset {
  /** One record per labelled lead, keyed by the dataset's column names (see `leadToRecord`). */
  rows: Record<string, string | number | undefined>[];
  /** 1 if the lead converted. */
  target: number[];
  leadIds: string[];
  counts: {
    converted: number;
    notConverted: number;
    /** Unconverted leads whose latest outcome is younger than the window: left out. */
    open: number;
    /** Leads with outcomes that no longer exist (deleted or erased since): left out. */
    missing: number;
  };
  windowDays: number;
}

export const DEFAULT_OUTCOME_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/** Per lead with outcomes: converted or not, closed (unsubscribed/bounced) or not, and the latest outcome. */
async function outcomeSummaries(db: Db, tenantId: string) {
  return db
    .select({
      leadId: outcomeEvents.leadId,
      converted: sql<boolean>`bool_or(${outcomeEvents.event} = 'converted')`,
      closed: sql<boolean>`bool_or(${outcomeEvents.event} in ('unsubscribed', 'bounced'))`,
      latest: max(outcomeEvents.occurredAt),
    })
    .from(outcomeEvents)
    .where(eq(outcomeEvents.tenantId, tenantId))
    .groupBy(outcomeEvents.leadId)
    .orderBy(outcomeEvents.leadId);
}

export async function outcomeDataset(db: Db, options: OutcomeDatasetOptions): Promise<OutcomeDataset> {
  const windowDays = options.windowDays ?? DEFAULT_OUTCOME_WINDOW_DAYS;
  const cutoff = (options.now ?? new Date()).getTime() - windowDays * DAY_MS;
  const summaries = await outcomeSummaries(db, options.tenantId);
  const labels = new Map<string, number>();
  let open = 0;
  for (const s of summaries) {
    const latest = s.latest ? new Date(s.latest).getTime() : Number.NEGATIVE_INFINITY;
    if (s.converted) labels.set(s.leadId, 1);
    else if (s.closed || latest <= cutoff) labels.set(s.leadId, 0);
    else open++;
  }
  // Only the labelled leads are read (by id), not the tenant's whole lead table.
  const leads = new Map((await getLeads(db, options.tenantId, labels.keys())).map((l) => [l.id, l]));
  const dataset: OutcomeDataset = {
    rows: [],
    target: [],
    leadIds: [],
    counts: { converted: 0, notConverted: 0, open, missing: 0 },
    windowDays,
  };
  for (const [leadId, label] of labels) {
    const lead = leads.get(leadId);
    if (!lead) {
      dataset.counts.missing++;
      continue;
    }
    const { "Do Not Email": _leaky, ...record } = leadToRecord(leadInputOf(lead));
    dataset.rows.push(record);
    dataset.target.push(label);
    dataset.leadIds.push(leadId);
    if (label === 1) dataset.counts.converted++;
    else dataset.counts.notConverted++;
  }
  return dataset;
}
