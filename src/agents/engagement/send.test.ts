import { describe, expect, it } from "vitest";
import { draftVariants } from "./draft.js";
import { planSend } from "./send.js";
import { unsubscribeFooter } from "./templates.js";

const ada = {
  name: "Ada Lovelace",
  email: "ada@analytical.example",
  company: "Analytical Engines",
  title: "CTO",
};
const facts = [{ id: "f1", statement: "Acme Sync cuts onboarding time by 40% for mid-size teams." }];
const draft = draftVariants(ada, "email", "now", { facts }).find((d) => d.variantId === "email-now-fact")!;

describe("planSend", () => {
  it("queues the draft as written when no approval is needed, or approved", () => {
    expect(planSend(draft, ada, null, { facts })).toMatchObject({
      kind: "queue",
      message: { body: draft.body },
    });
    expect(planSend(draft, ada, { action: "approve", by: "maria" }, { facts })).toMatchObject({
      kind: "queue",
      approvedBy: "maria",
    });
  });

  it("stops on a rejection with the reviewer's reason", () => {
    expect(planSend(draft, ada, { action: "reject", reason: "wrong tone", by: "maria" })).toMatchObject({
      kind: "stop",
      delivery: { status: "rejected", reason: "rejected by maria: wrong tone" },
    });
  });

  it("re-checks an edit: the cited fact still holds, a new uncited figure or a dropped footer blocks it", () => {
    const kept = `Hi Ada, Acme Sync cuts onboarding time by 40% for mid-size teams. Call?${unsubscribeFooter}`;
    expect(planSend(draft, ada, { action: "edit", body: kept }, { facts }).kind).toBe("queue");
    const plain = `Hi Ada, would a short call help?${unsubscribeFooter}`;
    expect(planSend(draft, ada, { action: "edit", body: plain }, { facts }).kind).toBe("queue");
    const invented = `Hi Ada, we cut costs by 55% for teams like yours.${unsubscribeFooter}`;
    expect(planSend(draft, ada, { action: "edit", body: invented }, { facts })).toMatchObject({
      kind: "stop",
      delivery: {
        status: "blocked",
        reason: expect.stringMatching(/^edited message fails checks: grounding .*55%/),
      },
    });
    expect(planSend(draft, ada, { action: "edit", body: "Hi Ada" }, { facts })).toMatchObject({
      delivery: { status: "blocked", reason: expect.stringMatching(/compliance/) },
    });
  });
});
