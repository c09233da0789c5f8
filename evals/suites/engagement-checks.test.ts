import { describe, expect, it } from "vitest";
import { type Draft, draftVariants } from "../../src/agents/engagement/draft.js";
import { smsOptOut, unsubscribeFooter } from "../../src/agents/engagement/templates.js";
import type { LeadInput } from "../../src/db/lead-input.js";
import { auditDraft, isGrounded, leadVocabulary } from "./engagement-checks.js";

const priya: LeadInput = {
  name: "Priya Raman",
  email: "priya@northwind.example",
  company: "Northwind Analytics",
  title: "Head of Data",
  source: "Olark Chat",
  lastActivity: "Olark Chat Conversation",
};
const tom: LeadInput = { name: "Tom Becker", email: "tom@example.org", company: "Contoso", source: "Google" };
const vocabulary = leadVocabulary([priya, tom]);

const draft = (body: string, groundedOn: string[], channel: Draft["channel"] = "email"): Draft => ({
  variantId: "test",
  channel,
  subject: "Hello",
  body: channel === "email" ? body + unsubscribeFooter : body,
  groundedOn,
  claims: [],
  checks: [],
  model: "offline",
});

describe("leadVocabulary", () => {
  it("collects lead values but not words the templates say themselves", () => {
    expect(vocabulary).toContain("northwind analytics");
    expect(vocabulary).toContain("tom");
    expect(vocabulary).toContain("olark chat conversation");
    // "Hello" opens a template, so a lead called Hello would not count as lead-specific text.
    expect(leadVocabulary([{ name: "Hello There" }])).not.toContain("hello");
  });
});

describe("auditDraft", () => {
  it("passes the agent's real drafts for a lead", () => {
    const drafts = draftVariants(priya, "email", "now");
    expect(drafts.length).toBeGreaterThan(1);
    for (const d of drafts)
      expect(auditDraft(d, priya, vocabulary)).toMatchObject({ untraced: [], unbacked: [], compliant: true });
  });

  it("flags another lead's company in the text (cross-lead leakage)", () => {
    const audit = auditDraft(draft("Hi Priya, how is Contoso?", ["name"]), priya, vocabulary);
    expect(audit.untraced).toEqual(["contoso"]);
    expect(isGrounded(audit)).toBe(false);
  });

  it("flags a lead value used without being claimed, and a claim the text does not back", () => {
    expect(
      auditDraft(draft("Hi Priya at Northwind Analytics", ["name"]), priya, vocabulary).untraced,
    ).toEqual(["northwind analytics"]);
    expect(auditDraft(draft("Hi Priya", ["name", "company"]), priya, vocabulary).unbacked).toEqual([
      "company",
    ]);
  });

  it("does not count a value inside a longer claimed value as a separate mention", () => {
    const audit = auditDraft(
      draft("Hi Priya, your activity (olark chat conversation)", ["lastActivity", "name"]),
      priya,
      vocabulary,
    );
    expect(audit.untraced).toEqual([]);
  });

  it("accepts a cited stored fact only when its claim is in the text", () => {
    const cited = { ...draft("Hi Priya. We cut onboarding to two days.", ["fact:7", "name"]) };
    cited.claims = [{ text: "We cut onboarding to two days.", source: "fact:7" }];
    expect(auditDraft(cited, priya, vocabulary).unbacked).toEqual([]);
    cited.claims = [{ text: "Something the body never says.", source: "fact:7" }];
    expect(auditDraft(cited, priya, vocabulary).unbacked).toEqual(["fact:7"]);
  });

  it("requires each channel's opt-out text, and measures length against the channel", () => {
    const bare = { ...draft("Hi Priya", ["name"]), body: "Hi Priya" };
    expect(auditDraft(bare, priya, vocabulary).compliant).toBe(false);
    const sms = { ...draft("Hi Priya", ["name"], "sms"), body: `Hi Priya.${smsOptOut}` };
    expect(auditDraft(sms, priya, vocabulary).compliant).toBe(true);
    expect(auditDraft({ ...sms, body: "Hi Priya." }, priya, vocabulary).compliant).toBe(false);
    const linkedin = auditDraft(draft("x".repeat(301), [], "linkedin"), priya, vocabulary);
    expect(linkedin).toMatchObject({ compliant: true, length: 301, limit: 300, personalized: false });
  });
});
