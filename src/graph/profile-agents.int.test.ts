import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import { hotLead } from "../../test/support/leads.js";
import type { Database } from "../db/client.js";
import { createMarketingSystem, type MarketingSystem } from "../index.js";

/** The profile block is read and updated by every agent, each change attributed (issue 4). */

let database: Database;
let system: MarketingSystem;
beforeAll(async () => {
  database = await createTestDatabase();
  system = await createMarketingSystem({ database, approvalPolicy: "never" });
}, 60_000);
afterAll(async () => {
  await system?.close();
  await database?.close();
});

describe("agents and the lead profile", () => {
  it("engagement records what it queued, optimization what it chose, and the next run does not repeat it", async () => {
    const fields = hotLead;
    const lead = await system.leads.upsert(fields);
    const first = await system.threads.run({ input: { lead: { id: lead.id, ...fields } } });
    expect(first.state.delivery?.status).toBe("queued");
    const sent = first.state.delivery?.variantId;
    const profile = (await system.memory.profile.get(lead.id)).block;
    expect(profile.lastTouch).toMatchObject({
      by: "engagement",
      value: { event: "queued", variantId: sent },
    });
    expect(profile.facts.selectedVariant).toMatchObject({ by: "optimization", value: sent });
    expect(profile.stage?.by).toBe("triage");

    const second = await system.threads.run({ input: { lead: { id: lead.id, ...fields } } });
    expect(second.state.engagementResult?.drafts.length).toBeGreaterThan(1);
    expect(second.state.delivery?.variantId).not.toBe(sent);
    const said = second.state.messages.filter((m) => m.agent === "optimization").map((m) => m.content);
    expect(said.join("\n")).toContain(`${sent} left out: it was the lead's last touch`);
  }, 60_000);

  it("engagement records a reply's intent, and an opt-out as a contact preference", async () => {
    const lead = await system.leads.upsert({ name: "Ann Lee", email: "ann@acme.example", company: "Acme" });
    await system.threads.run({
      input: { lead: { id: lead.id }, message: "Please unsubscribe me, stop emailing." },
    });
    const profile = (await system.memory.profile.get(lead.id)).block;
    expect(profile.facts.lastReplyIntent).toMatchObject({ by: "engagement", value: "unsubscribe" });
    expect(profile.preferences.contact).toMatchObject({ by: "engagement", value: "none" });
    expect(profile.lastTouch?.value).toMatchObject({ event: "replied" });
  }, 60_000);
});
