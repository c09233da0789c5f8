import { describe, expect, it } from "vitest";
import {
  classify,
  defaultTriagePolicy,
  disqualificationReasons,
  routeFor,
  TriagePolicy,
} from "./classify.js";
import { routeMessage } from "./intent.js";
import { loadDefaultTriageModel } from "./model.js";
import { runTriageOffline } from "./node.js";

const policy = defaultTriagePolicy;

describe("classify and route", () => {
  it("maps probabilities to classes at the configured thresholds", () => {
    expect(classify(0.7, false, policy)).toBe("hot");
    expect(classify(0.6999, false, policy)).toBe("warm");
    expect(classify(0.4, false, policy)).toBe("warm");
    expect(classify(0.39, false, policy)).toBe("cold");
    expect(classify(0.99, true, policy)).toBe("disqualified");
  });

  it("routes each class to its agent with a reason that states the numbers", () => {
    expect(routeFor("hot", 0.81, policy)).toEqual({
      to: "engagement",
      reason: expect.stringMatching(/p=0\.81 ≥ 0\.7/),
    });
    expect(routeFor("warm", 0.5, policy).to).toBe("engagement");
    expect(routeFor("cold", 0.1, policy)).toMatchObject({
      to: "optimization",
      reason: expect.stringMatching(/nurture/),
    });
    expect(routeFor("disqualified", 0.9, policy).to).toBe("end");
  });

  it("refuses a policy whose hot threshold is below the warm one", () => {
    expect(TriagePolicy.safeParse({ hotThreshold: 0.3, warmThreshold: 0.5 }).success).toBe(false);
  });

  it("disqualifies blocked domains and opt-out notes, and nothing else", () => {
    expect(disqualificationReasons({ email: "x@Mailinator.com" }, policy)).toEqual([
      "email domain mailinator.com is on the blocked list",
    ]);
    expect(
      disqualificationReasons({ name: "Bo", notes: "Said he is NOT interested, call never" }, policy)[0],
    ).toMatch(/opted out \("NOT interested"\)/);
    expect(
      disqualificationReasons({ name: "Bo", email: "bo@acme.com", notes: "very interested" }, policy),
    ).toEqual([]);
  });
});

describe("routeMessage", () => {
  it("sends campaign questions to optimization and outreach requests to engagement, naming the words", () => {
    expect(routeMessage("How is the A/B test on the spring campaign doing? Shift budget?")).toMatchObject({
      to: "optimization",
      reason: expect.stringContaining("budget"),
    });
    expect(routeMessage("Draft a follow-up email to the webinar attendees").to).toBe("engagement");
    expect(routeMessage("hello there").to).toBe("end");
  });
});

describe("a disqualified lead with a reply", () => {
  const model = loadDefaultTriageModel();
  const lead = { name: "Win Prizes", email: "win-prizes@mailinator.com", source: "Reference" };
  it("goes to engagement to have its reply read (an opt-out must be recorded), and ends without one", () => {
    const withReply = runTriageOffline({ lead, message: "unsubscribe" }, { model, policy });
    expect(withReply.result?.class).toBe("disqualified");
    expect(withReply.handoff).toEqual({
      to: "engagement",
      reason:
        "disqualified: email domain mailinator.com is on the blocked list; no outreach, but its reply is read so an opt-out is recorded",
    });
    expect(runTriageOffline({ lead, message: "  " }, { model, policy }).handoff.to).toBe("end");
    expect(runTriageOffline({ lead }, { model, policy }).handoff).toEqual({
      to: "end",
      reason: "disqualified: email domain mailinator.com is on the blocked list",
    });
  });
});
