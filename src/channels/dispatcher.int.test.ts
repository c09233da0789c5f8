import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import type { Database } from "../db/client.js";
import { getLead, upsertLead } from "../db/leads.js";
import { outboxFor } from "../db/runs.js";
import { leadSuppressions } from "./channels.schema.js";
import { type DispatcherOptions, drainOutbox } from "./dispatcher.js";
import { enqueueUnlessSuppressed } from "./enqueue.js";
import { ChannelError } from "./errors.js";
import { deliveryOf } from "./outbox-queue.js";
import { RecordingChannelAdapter } from "./recording-adapter.js";
import { suppressionsOf, suppressLead } from "./suppressions.js";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

let email: RecordingChannelAdapter;
let linkedin: RecordingChannelAdapter;
let options: DispatcherOptions;
beforeEach(() => {
  email = new RecordingChannelAdapter("email");
  linkedin = new RecordingChannelAdapter("linkedin");
  // No waiting between attempts in tests: a retried message is due again at once.
  options = { adapters: [email, linkedin], maxAttempts: 3, backoffMs: () => 0 };
});

let n = 0;
async function queued(leadId: string, channel: "email" | "sms" | "linkedin" = "email") {
  const { id } = await enqueueUnlessSuppressed(database.db, {
    tenantId: "default",
    idempotencyKey: `k-${++n}`,
    leadId,
    channel,
    variantId: "email-now-plain",
    subject: "Hi",
    body: "Hello",
  });
  return id;
}

const newLead = async (name: string) =>
  upsertLead(database.db, "default", { name, email: `${name.toLowerCase()}-${++n}@example.com` });

describe("outbox dispatcher (PGlite)", () => {
  it("sends through the channel's adapter and records the provider id", async () => {
    const lead = await newLead("Ada");
    const id = await queued(lead.id);
    expect(await drainOutbox(database.db, options)).toEqual({
      sent: 1,
      retried: 0,
      failed: 0,
      suppressed: 0,
    });
    expect(email.sent).toHaveLength(1);
    expect(email.sent[0]).toMatchObject({
      outboxId: id,
      to: { leadId: lead.id, email: lead.email },
      body: "Hello",
    });
    expect(await deliveryOf(database.db, id)).toMatchObject({
      status: "sent",
      delivery: { attempts: 1, providerId: `recorded-email-${id}`, leaseUntil: null },
    });
    // Sent once: a second drain finds nothing due.
    expect((await drainOutbox(database.db, options)).sent).toBe(0);
  });

  it("retries a transient failure, then gives up after maxAttempts", async () => {
    const lead = await newLead("Bo");
    const flaky = await queued(lead.id);
    email.failNext(new ChannelError("unavailable", "HTTP 503"));
    expect(await drainOutbox(database.db, options)).toMatchObject({ retried: 1, sent: 0 });
    expect(await deliveryOf(database.db, flaky)).toMatchObject({
      status: "pending",
      delivery: { attempts: 1, lastError: "HTTP 503" },
    });
    expect(await drainOutbox(database.db, options)).toMatchObject({ sent: 1 });
    expect((await deliveryOf(database.db, flaky))?.delivery).toMatchObject({ attempts: 2, lastError: null });

    const doomed = await queued(lead.id);
    email.failNext(new Error("socket hang up"), new Error("socket hang up"), new Error("socket hang up"));
    for (let i = 0; i < 3; i++) await drainOutbox(database.db, options);
    expect(await deliveryOf(database.db, doomed)).toMatchObject({
      status: "failed",
      delivery: { attempts: 3, lastError: "gave up after 3 attempts: socket hang up" },
    });
  });

  it("fails a permanent rejection at once, and a channel without an adapter", async () => {
    const lead = await newLead("Cy");
    const rejected = await queued(lead.id);
    email.failNext(new ChannelError("rejected", "invalid address"));
    const sms = await queued(lead.id, "sms");
    expect(await drainOutbox(database.db, options)).toMatchObject({ failed: 2, retried: 0 });
    expect((await deliveryOf(database.db, rejected))?.delivery?.lastError).toBe("invalid address");
    expect((await deliveryOf(database.db, sms))?.delivery?.lastError).toBe("no adapter for channel sms");
  });

  it("an unsubscribe stops every channel: pending messages are cancelled and new ones refused", async () => {
    const lead = await newLead("Di");
    const waiting = await queued(lead.id);
    const waitingLinkedIn = await queued(lead.id, "linkedin");
    const { cancelled } = await suppressLead(database.db, "default", lead.id, {
      scope: "all",
      reason: "reply asks to stop (matched: unsubscribe)",
      source: "reply",
    });
    expect(cancelled).toBe(2);
    expect((await getLead(database.db, "default", lead.id))?.doNotEmail).toBe(true);
    expect(await suppressionsOf(database.db, "default", lead.id)).toMatchObject([
      { scope: "all", source: "reply" },
    ]);
    await expect(queued(lead.id, "linkedin")).rejects.toMatchObject({
      name: "ChannelError",
      code: "suppressed",
      message: /every channel: reply asks to stop/,
    });
    await drainOutbox(database.db, options);
    expect(email.sent.concat(linkedin.sent).filter((m) => m.to.leadId === lead.id)).toEqual([]);
    const rows = await outboxFor(database.db, "default", lead.id);
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [waiting, "suppressed"],
      [waitingLinkedIn, "suppressed"],
    ]);
  });

  it("re-checks suppression at send time, for a message claimed after the lead opted out", async () => {
    const lead = await newLead("Ed");
    const id = await queued(lead.id, "linkedin");
    // Suppressing only email leaves the LinkedIn message; suppressing LinkedIn later, without the
    // cancel step (e.g. written by another service), is still caught by the dispatcher.
    await suppressLead(database.db, "default", lead.id, {
      scope: "email",
      reason: "bounced",
      source: "bounce",
    });
    await database.db.insert(leadSuppressions).values({
      tenantId: "default",
      leadId: lead.id,
      scope: "linkedin",
      reason: "asked on a call",
      source: "operator",
    });
    expect(await drainOutbox(database.db, options)).toMatchObject({ suppressed: 1, sent: 0 });
    expect(await deliveryOf(database.db, id)).toMatchObject({
      status: "suppressed",
      delivery: { lastError: "suppressed (linkedin): asked on a call" },
    });
  });
});
