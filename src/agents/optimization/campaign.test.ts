import { describe, expect, it } from "vitest";
import { campaignReadout, channelPosteriors, matchCampaign } from "./campaign.js";
import { runOptimization } from "./node.js";

const spring = {
  id: "c1",
  name: "Spring launch",
  status: "running",
  budget: 1000,
  variants: [
    { name: "A", channel: "email", impressions: 5000, conversions: 200, cost: 50 },
    { name: "B", channel: "email", impressions: 5000, conversions: 300, cost: 50 },
  ],
};

describe("campaign statistics", () => {
  it("reads a campaign's variants as an experiment named by variant", () => {
    const readout = campaignReadout(spring);
    expect(readout.leader).toBe("B");
    expect(readout.method).toBe("exact");
    // Beta(301, 4701) vs Beta(201, 4801): B's posterior mean is 301/5002.
    expect(readout.variants[1]!.posteriorMean).toBeCloseTo(301 / 5002, 12);
    expect(readout.variants[1]!.probabilityBest).toBeGreaterThan(0.9999);
    expect(readout.decision).toMatchObject({ stop: true, reason: "loss_below_threshold" });
    expect(() => campaignReadout({ variants: [spring.variants[0]!] })).toThrow(/at least two variants/);
  });

  it("pools variants per channel, with cost per impression from reported spend", () => {
    const arms = [
      ...spring.variants,
      { name: "C", channel: "sms", impressions: 1000, conversions: 30, cost: 40 },
      { name: "D", channel: "linkedin", impressions: 100, conversions: 1, cost: null },
    ];
    expect(channelPosteriors(arms, { linkedin: 0.5 })).toEqual([
      { id: "email", alpha: 501, beta: 9501, costPerImpression: 0.01 },
      { id: "sms", alpha: 31, beta: 971, costPerImpression: 0.04 },
      { id: "linkedin", alpha: 2, beta: 100, costPerImpression: 0.5 },
    ]);
    expect(() => channelPosteriors(arms)).toThrow(/linkedin has no reported cost/);
  });

  it("finds the campaign a question names, and none when it names none", () => {
    const campaigns = [
      { id: "1", name: "Spring launch" },
      { id: "2", name: "Autumn webinar series" },
      { id: "3", name: "Spring" },
    ];
    expect(matchCampaign("How is the spring campaign A/B test doing?", campaigns)?.id).toBe("3");
    expect(matchCampaign("how did the autumn webinar do", campaigns)?.id).toBe("2");
    expect(matchCampaign("What's our budget?", campaigns)).toBeNull();
  });

  it("answers a campaign question from the stored readout, offline", () => {
    const { result, handoff } = runOptimization({
      variantIds: [],
      stats: [],
      seed: 1,
      question: "How is the spring campaign A/B test doing?",
      campaign: spring,
    });
    expect(result.campaign?.recommendations[0]?.kind).toBe("declare_winner");
    expect(result.strategy).toMatch(/^Declare B the winner: B converts at 6\.02%/);
    expect(result.model).toBe("offline");
    expect(handoff).toEqual({
      to: "end",
      reason: 'answered from campaign "Spring launch"\'s readout: declare B the winner',
    });
    const unmatched = runOptimization({
      variantIds: [],
      stats: [],
      seed: 1,
      question: "budget?",
      campaign: null,
    });
    expect(unmatched.handoff.reason).toBe("campaign question, but no stored campaign matches it");
  });
});
