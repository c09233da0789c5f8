import { describe, expect, it } from "vitest";
import { chooseChannel } from "./channel.js";
import { checkDraft } from "./checks.js";
import { draftVariants } from "./draft.js";
import { runEngagement } from "./node.js";
import { analyzeReply, replyHandoff } from "./reply.js";
import { type Cadence, Channels, templates, unsubscribeFooter } from "./templates.js";

const ada = {
  name: "Ada Lovelace",
  email: "ada@analytical.example",
  company: "Analytical Engines",
  title: "CTO",
  source: "Google",
  lastActivity: "Page Visited on Website",
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

  it("names the lead's last activity only when it is something they did knowingly", () => {
    const mentions = (lastActivity: string) =>
      draftVariants({ ...ada, lastActivity }, "email", "now").some((d) =>
        d.body.toLowerCase().includes(lastActivity.toLowerCase()),
      );
    for (const own of ["Page Visited on Website", "Form Submitted on Website", "Olark Chat Conversation"])
      expect(mentions(own), own).toBe(true);
    // Our actions, delivery states and tracking are never written back to the person.
    for (const internal of [
      "SMS Sent",
      "Email Bounced",
      "Unreachable",
      "Unsubscribed",
      "Email Marked Spam",
      "Email Opened",
      "Email Link Clicked",
    ])
      expect(mentions(internal), internal).toBe(false);
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
    // A CRM that never updated the opt-out flag: the last activity still closes email.
    for (const lastActivity of ["Unsubscribed", "Email Marked Spam", "Email Bounced"]) {
      const choice = chooseChannel({ ...ada, lastActivity });
      expect(choice.channel, lastActivity).toBe("linkedin");
      expect(choice.reason, lastActivity).toMatch(/unsubscribed|spam|bounced/);
    }
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

describe("templates for a lead missing optional fields", () => {
  const optional = ["name", "company", "title", "source", "lastActivity"] as const;
  type Optional = (typeof optional)[number];
  // Every subset of the optional fields left out; the email stays, since a lead needs a name or an email.
  const subsets: Optional[][] = Array.from({ length: 2 ** optional.length }, (_, mask) =>
    optional.filter((_, i) => mask & (2 ** i)),
  );
  const leadWithout = (missing: readonly Optional[]) =>
    Object.fromEntries(Object.entries(ada).filter(([k]) => !(missing as readonly string[]).includes(k)));
  const facts = [{ id: "f1", statement: "Acme Sync cuts onboarding time by 40% for mid-size teams." }];
  const cadences: Cadence[] = ["now", "nurture"];
  // What a badly filled slot leaves behind: "at undefined", "for .", "Hi ,", doubled spaces, stray braces.
  const unnatural =
    /undefined|null|NaN|\[object|[{}|]| {2}|[^\S\n][,.:;?!]|\b(at|for|as|via|like|of|Hi)\s*[,.:;?!]|(^|\s)'s\b/;

  it("every channel and cadence drafts naturally worded, passing variants, whatever the lead lacks", () => {
    const used = new Set<string>();
    let drafted = 0;
    for (const missing of subsets) {
      const lead = leadWithout(missing);
      for (const channel of Channels) {
        for (const cadence of cadences) {
          for (const known of [[], facts]) {
            const drafts = draftVariants(lead, channel, cadence, { facts: known, check: { facts: known } });
            const where = `${channel}/${cadence} without ${missing.join(", ") || "nothing"}`;
            expect(drafts.length, where).toBeGreaterThan(0);
            for (const d of drafts) {
              used.add(d.variantId);
              drafted++;
              const text = `${d.subject ?? ""}\n${d.body}`;
              expect(text, `${d.variantId} (${where})`).not.toMatch(unnatural);
              expect(
                d.checks.filter((c) => !c.passed),
                `${d.variantId} (${where})`,
              ).toEqual([]);
              // Nothing the lead lacks is stated, and no claim cites a field it does not have.
              if (missing.includes("company")) expect(text).not.toContain("Analytical");
              if (missing.includes("name")) expect(text).not.toContain("Ada");
              if (missing.includes("title")) expect(text).not.toContain("CTO");
              for (const c of d.claims) {
                expect((missing as readonly string[]).includes(c.source.replace("lead:", ""))).toBe(false);
              }
            }
          }
        }
      }
    }
    // Every template in the library was drafted at least once above.
    expect([...used].sort()).toEqual(templates.map((t) => t.id).sort());
    expect(drafted).toBeGreaterThanOrEqual(subsets.length * Channels.length * cadences.length * 2);
    // The pattern does catch what a badly filled slot leaves behind.
    for (const bad of [
      "As CTO at undefined.",
      "Hi , thanks",
      "teams like 's and",
      "for {company}",
      "for  you",
    ])
      expect(bad).toMatch(unnatural);
  });

  it("reads naturally without a company: stand-in words, and LinkedIn templates that never needed one", () => {
    const noCompany = { name: "Ada Lovelace", email: "ada@x.example", title: "CTO" };
    const linkedin = draftVariants(noCompany, "linkedin", "now", { facts, check: { facts } });
    expect(linkedin.map((d) => d.variantId)).toEqual([
      "linkedin-now-title",
      "linkedin-now-plain",
      "linkedin-now-fact",
    ]);
    expect(linkedin[0]?.body).toBe(
      "Hi Ada, as CTO you are probably weighing a few options right now. I'd value connecting: open to a short chat?",
    );
    expect(linkedin[2]?.body).toBe(
      "Hi Ada, a quick note for your team: Acme Sync cuts onboarding time by 40% for mid-size teams. Open to a short chat?",
    );
    const email = draftVariants(noCompany, "email", "now", { facts, check: { facts } });
    expect(email.find((d) => d.variantId === "email-now-fact")?.body).toContain(
      "whether that matters for your team?",
    );
    // With the company known, the same templates name it (and cite it).
    const withCompany = draftVariants({ ...noCompany, company: "Analytical Engines" }, "linkedin", "now", {
      facts,
      check: { facts },
    });
    const fact = withCompany.find((d) => d.variantId === "linkedin-now-fact")!;
    expect(fact.body).toContain("a quick note for Analytical Engines:");
    expect(fact.claims).toContainEqual({ text: "Analytical Engines", source: "lead:company" });
    // A name-less lead is greeted without one.
    expect(draftVariants({ email: "x@y.example", title: "CTO" }, "sms", "now")[0]?.body).toMatch(
      /^Hi there, /,
    );
  });

  it("a LinkedIn lead with a title and no company gets drafts (it used to get none)", () => {
    const { result, handoff } = runEngagement({
      lead: { name: "Ada Lovelace", email: "ada@x.example", title: "CTO", doNotEmail: true },
      leadClass: "hot",
    });
    expect(result.channel).toBe("linkedin");
    expect(result.drafts.map((d) => d.variantId)).toEqual(["linkedin-now-title", "linkedin-now-plain"]);
    expect(handoff.to).toBe("optimization");
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
