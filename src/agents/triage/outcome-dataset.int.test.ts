import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/support/database.js";
import type { Database } from "../../db/client.js";
import { upsertLead } from "../../db/leads.js";
import { type OutcomeEventName, outcomeEvents } from "../../db/schema.js";
import { outcomeDataset } from "./outcome-dataset.js";

/** The label rule of `triage train --from-db`, on PGlite: which recorded outcomes make which label. */

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.close());

const now = new Date("2026-06-01T12:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

async function leadWith(
  tenant: string,
  email: string,
  events: [OutcomeEventName, number][],
  extra: { doNotEmail?: boolean } = {},
) {
  const lead = await upsertLead(database.db, tenant, {
    email,
    name: "Test Lead",
    source: "Reference",
    totalVisits: 3,
    ...extra,
  });
  for (const [i, [event, age]] of events.entries()) {
    await database.db.insert(outcomeEvents).values({
      tenantId: tenant,
      idempotencyKey: `${email}-${i}`,
      leadId: lead.id,
      event,
      occurredAt: daysAgo(age),
    });
  }
  return lead.id;
}

describe("outcomeDataset", () => {
  it("labels leads by their recorded outcomes, leaves out the open and the unrecorded, and stays in its tenant", async () => {
    const ids = {
      converted: await leadWith("default", "won@example.com", [
        ["sent", 40],
        ["converted", 2],
      ]),
      convertedThenUnsubscribed: await leadWith("default", "both@example.com", [
        ["converted", 10],
        ["unsubscribed", 1],
      ]),
      unsubscribed: await leadWith("default", "gone@example.com", [["unsubscribed", 1]], {
        doNotEmail: true,
      }),
      bounced: await leadWith("default", "bounce@example.com", [["bounced", 0]]),
      stale: await leadWith("default", "stale@example.com", [
        ["sent", 45],
        ["opened", 31],
      ]),
      open: await leadWith("default", "open@example.com", [
        ["sent", 45],
        ["opened", 29],
      ]),
      unrecorded: await leadWith("default", "none@example.com", []),
      otherTenant: await leadWith("other", "won@example.com", [["converted", 1]]),
    };
    const data = await outcomeDataset(database.db, { tenantId: "default", now });
    const labelOf = Object.fromEntries(data.leadIds.map((id, i) => [id, data.target[i]]));
    expect(labelOf).toEqual({
      [ids.converted]: 1,
      [ids.convertedThenUnsubscribed]: 1,
      [ids.unsubscribed]: 0,
      [ids.bounced]: 0,
      [ids.stale]: 0,
    });
    expect(data.counts).toEqual({ converted: 2, notConverted: 3, open: 1, missing: 0 });
    expect(data.windowDays).toBe(30);

    // Features are the live mapping's, without the do-not-email flag an unsubscribe sets (it would leak).
    const row = data.rows[data.leadIds.indexOf(ids.unsubscribed)]!;
    expect(row).toMatchObject({ "Lead Source": "Reference", TotalVisits: 3 });
    expect(row).not.toHaveProperty("Do Not Email");

    // A longer window leaves the stale lead open too.
    const wide = await outcomeDataset(database.db, { tenantId: "default", now, windowDays: 60 });
    expect(wide.counts).toEqual({ converted: 2, notConverted: 2, open: 2, missing: 0 });
    const other = await outcomeDataset(database.db, { tenantId: "other", now });
    expect(other.leadIds).toEqual([ids.otherTenant]);
  });
});
