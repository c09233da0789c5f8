import { describe, expect, it } from "vitest";
import { OFFLINE_ANSWER_NOTE, relevantFacts } from "./answer.js";
import { chooseChannel } from "./channel.js";
import { runEngagement } from "./node.js";
import { analyzeReply, lexiconSentiment } from "./reply.js";
import { combineReplyReadings } from "./reply-llm.js";

describe("reply sentiment from the AFINN lexicon", () => {
  it("scores words and negation, saturating at ±1", () => {
    expect(lexiconSentiment("Great, thanks!")).toMatchObject({ score: 1, positive: ["thanks", "great"] });
    expect(lexiconSentiment("This is not good at all").score).toBeCloseTo(-0.6, 10);
    expect(lexiconSentiment("ok").score).toBe(0);
  });

  it("lets the lexicon decide when no intent rule fires", () => {
    expect(analyzeReply("This is not good at all")).toMatchObject({ intent: "negative", matched: ["good"] });
    expect(analyzeReply("Love it, really helpful")).toMatchObject({ intent: "positive" });
    expect(analyzeReply("Received.")).toMatchObject({ intent: "neutral", sentiment: 0 });
  });

  it("treats carrier keywords and polite opt-outs as unsubscribes, but not 'stop' inside a sentence", () => {
    expect(analyzeReply("  END ").intent).toBe("unsubscribe");
    expect(analyzeReply("Please take me off your list, thank you!").intent).toBe("unsubscribe");
    expect(analyzeReply("We can't stop talking about your demo, when can we meet?").intent).toBe("meeting");
  });

  it("combines with a model's reading by the stated rule", () => {
    const offline = analyzeReply("unsubscribe");
    expect(
      combineReplyReadings(offline, { intent: "neutral", sentiment: 0, rationale: "?" }, "m").intent,
    ).toBe("unsubscribe");
    const meeting = analyzeReply("Can we book a demo?");
    expect(
      combineReplyReadings(meeting, { intent: "question", sentiment: 0.1, rationale: "asks" }, "m"),
    ).toEqual({
      intent: "question",
      sentiment: 0.1,
      matched: [],
      model: "m",
      rationale: "asks",
    });
  });
});

describe("reply actions", () => {
  const lead = { id: "6f1c2a4e-1111-4111-8111-111111111111", name: "Ada", email: "ada@x.example" };
  it("maps intents to actions, with or without the lead", () => {
    expect(runEngagement({ lead, message: "STOP" }).result).toMatchObject({ action: "stop", drafts: [] });
    expect(runEngagement({ message: "no thanks" }).result.action).toBe("suppress");
    expect(runEngagement({ message: "Sounds great, book a call" }).result.action).toBe("meeting");
    expect(runEngagement({ message: "ok" }).result.action).toBe("none");
  });

  it("offline, writes no answer to a question: says it is offline and routes it to a person, with the facts that may help", () => {
    const facts = [
      { id: "p", statement: "Plans start at 49 USD per seat per month." },
      { id: "s", statement: "Support is available around the clock." },
    ];
    const { result, handoff } = runEngagement({
      message: "What does a seat cost per month?",
      memory: { facts, similar: [] },
    });
    expect(result).toMatchObject({ action: "answer", model: "offline" });
    expect(result.answer).toEqual({
      text: OFFLINE_ANSWER_NOTE,
      citations: [],
      answered: false,
      model: "offline",
      handledBy: "person",
      reason: "offline mode: no model writes answers",
      relevantFacts: ["fact:p"],
    });
    expect(result.answer?.text).toMatch(/^Offline mode: .*routed to a person\.$/);
    expect(handoff).toEqual({
      to: "end",
      reason: "question (matched: what, cost, ?): offline mode: no model writes answers: routed to a person",
    });
    // Nothing relevant stored: still routed, with no facts suggested.
    const none = runEngagement({ message: "Do you integrate with SAP?", memory: { facts, similar: [] } });
    expect(none.result.answer).toMatchObject({ answered: false, handledBy: "person" });
    expect(none.result.answer?.relevantFacts).toBeUndefined();
  });

  it("ranks facts by the question's content words", () => {
    const facts = [
      { id: "s", statement: "Support is available around the clock." },
      { id: "p", statement: "Plans start at 49 USD per seat per month." },
    ];
    expect(relevantFacts("What does a seat cost per month?", facts).map((f) => f.id)).toEqual(["p"]);
    expect(relevantFacts("Is support available at night?", facts).map((f) => f.id)).toEqual(["s"]);
  });

  it("reads a disqualified lead's reply but acts only on an opt-out or a refusal", () => {
    const stop = runEngagement({ lead, leadClass: "disqualified", message: "Please unsubscribe me." });
    expect(stop.result).toMatchObject({ action: "stop", drafts: [], reply: { intent: "unsubscribe" } });
    expect(stop.handoff.reason).toMatch(
      /^disqualified lead, reply asks to stop .*suppress on every channel$/,
    );
    const demo = runEngagement({ lead, leadClass: "disqualified", message: "Can we book a demo?" });
    expect(demo.result).toMatchObject({ action: "none", answer: null });
    expect(demo.handoff.reason).toMatch(/^disqualified lead: reply read as meeting .*a person decides/);
  });
});

describe("channel choice", () => {
  const lead = { name: "Ada", email: "ada@x.example", company: "AE" };
  it("follows similar leads' evidence once there is enough, else the cadence's preference", () => {
    const linkedinWins = [1, 1, 1, 0].map((reward) => ({ channel: "linkedin", reward }));
    const emailLoses = [0, 0, 0, 1].map((reward) => ({ channel: "email", reward }));
    const choice = chooseChannel(lead, { similar: [...linkedinWins, ...emailLoses] });
    expect(choice.channel).toBe("linkedin");
    expect(choice.reason).toBe(
      "linkedin: 3/4 similar leads responded (posterior mean 0.67) (ruled out: sms: no consented mobile number)",
    );
    expect(chooseChannel(lead, { similar: linkedinWins.slice(0, 2) }).channel).toBe("email");
  });

  it("never picks a suppressed channel, nor SMS without a consented number", () => {
    expect(chooseChannel(lead, { suppressed: ["email"] }).channel).toBe("linkedin");
    expect(chooseChannel(lead, { suppressed: ["all"] })).toMatchObject({
      channel: null,
      reason: expect.stringMatching(/^no permitted channel: email: lead asked to stop on every channel/),
    });
    expect(chooseChannel({ name: "Bo", doNotEmail: true }, { smsNumber: "+15555550100" }).channel).toBe(
      "sms",
    );
  });
});
