import { describe, expect, it } from "vitest";
import { chooseChannel } from "./channel.js";
import { checkDraft } from "./checks.js";
import { draftVariants } from "./draft.js";
import { runEngagement } from "./node.js";
import { analyzeReply, replyHandoff } from "./reply.js";
import { unsubscribeFooter } from "./templates.js";

const ada = {
  name: "Ada Lovelace",
  email: "ada@analytical.example",
  company: "Analytical Engines",
  title: "CTO",
  source: "Google",
  lastActivity: "Email Opened",
};

describe("draftVariants", () => {
  it("fills every slot from the lead and records which fields it used", () => {
    const drafts = draftVariants(ada, "email", "now");
    expect(drafts.map((d) => d.variantId)).toEqual([
      "email-now-activity",
      "email-now-role",
      "email-now-question",
      "email-now-plain",
    ]);
    const role = drafts.find((d) => d.variantId === "email-now-role")!;
    expect(role.subject).toBe("For Analytical Engines's CTO");
    expect(role.body).toContain("As CTO at Analytical Engines");
    expect(role.groundedOn).toEqual(["company", "name", "title"]);
    for (const d of drafts) {
      expect(d.body).not.toMatch(/\{\w+\}/);
      expect(d.body.endsWith(unsubscribeFooter)).toBe(true);
      expect(d.checks.every((c) => c.passed)).toBe(true);
    }
  });

  it("skips templates that would need facts the lead does not have", () => {
    const drafts = draftVariants({ email: "anon@example.com" }, "email", "now");
    expect(drafts.map((d) => d.variantId)).toEqual(["email-now-plain"]);
  });

  it("fails the privacy check when a draft mentions someone else's address", () => {
    const checks = checkDraft({ channel: "linkedin", body: "cc bob@other.example" }, ada);
    expect(checks.find((c) => c.name === "privacy")?.passed).toBe(false);
    const long = checkDraft({ channel: "linkedin", body: "x".repeat(301) }, ada);
    expect(long.find((c) => c.name === "length")).toMatchObject({
      passed: false,
      detail: "301/300 characters",
    });
  });

  it("chooses LinkedIn when email is not allowed, and no channel when nothing is", () => {
    expect(chooseChannel(ada).channel).toBe("email");
    expect(chooseChannel({ ...ada, doNotEmail: true }).channel).toBe("linkedin");
    expect(chooseChannel({ name: "X", doNotEmail: true }).channel).toBeNull();
  });

  it("hands drafted variants to optimization and ends when nothing can be sent", () => {
    expect(runEngagement({ lead: ada, leadClass: "hot" }).handoff.to).toBe("optimization");
    const none = runEngagement({ lead: { name: "X", doNotEmail: true }, leadClass: "warm" });
    expect(none.handoff).toMatchObject({
      to: "end",
      reason: expect.stringContaining("no permitted channel"),
    });
    expect(none.result.model).toBe("offline");
  });
});

describe("replies", () => {
  it.each([
    ["Please unsubscribe me from this list", "unsubscribe"],
    ["Not interested, thanks", "negative"],
    ["Sounds good, can we book a call on Tuesday?", "meeting"],
    ["How does pricing work for teams?", "question"],
    ["Great, thanks!", "positive"],
    ["ok", "neutral"],
  ])("%s → %s", (text, intent) => {
    expect(analyzeReply(text).intent).toBe(intent);
  });

  it("stops everywhere on an unsubscribe and explains why", () => {
    expect(replyHandoff(analyzeReply("STOP"))).toEqual({
      to: "end",
      reason: "reply asks to stop (matched: stop): suppress on every channel",
    });
  });
});
