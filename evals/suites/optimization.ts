import { regretSpec } from "../charts/specs.js";
import { metric } from "../harness/report.js";
import { type PolicyReport, type ReplayReport, runAdsReplay } from "../optimization/replay.js";
import type { Suite, SuiteContext, SuiteOutcome } from "./suite.js";

/**
 * Optimization: the ads-click replay (`runAdsReplay`), where the agent's own Thompson sampling from
 * src/agents/optimization/bandit.ts plays 10,000 rounds over 10 ads against UCB, uniform random and the
 * best fixed ad in hindsight, seeds 1..N. Bars from the evaluation issue: our median total ≥ 2,586 (plain
 * Thompson sampling on this file, per the datasets README) and above UCB's.
 */

const README_THOMPSON_MEDIAN = 2586;

const NAME: Record<PolicyReport["policy"], string> = {
  thompson: "Thompson (ours)",
  ucb: "UCB",
  random: "random",
  "best-fixed": "best fixed ad",
};

function outcome(report: ReplayReport): SuiteOutcome {
  const policy = (name: PolicyReport["policy"]) => report.policies.find((p) => p.policy === name)!;
  const ours = policy("thompson");
  const ucb = policy("ucb");
  const random = policy("random");
  const best = report.bestFixed.total;
  const clicks = { format: "integer", better: "higher" } as const;
  const metrics = [
    metric({
      id: "reward.thompson.median",
      label: "our policy, median total clicks",
      value: ours.median,
      ...clicks,
      threshold: { op: ">=", value: README_THOMPSON_MEDIAN, label: "README Thompson median" },
    }),
    metric({ id: "reward.thompson.min", label: "our policy, worst seed", value: ours.min, ...clicks }),
    metric({ id: "reward.thompson.max", label: "our policy, best seed", value: ours.max, ...clicks }),
    metric({ id: "reward.ucb.median", label: "UCB, median total clicks", value: ucb.median, ...clicks }),
    metric({
      id: "margin-over-ucb",
      label: "our median − UCB median",
      value: ours.median - ucb.median,
      ...clicks,
      threshold: { op: ">", value: 0 },
    }),
    metric({
      id: "reward.random.median",
      label: "random, median total clicks",
      value: random.median,
      ...clicks,
    }),
    metric({
      id: "reward.best-fixed",
      label: `best fixed ad (${report.bestFixed.arm})`,
      value: best,
      format: "integer",
      better: "none",
    }),
    metric({
      id: "regret.thompson.median",
      label: "our policy, median final regret",
      value: ours.regret.at(-1)!.median,
      format: "integer",
      better: "lower",
    }),
  ];
  const learners = report.policies.filter((p) => p.policy !== "best-fixed");
  return {
    summary: `our policy: median ${ours.median.toLocaleString("en-US")} clicks (range ${ours.min}–${ours.max}) over ${report.seeds} seeds; UCB ${ucb.median}, random ${random.median}, best fixed ${best}`,
    metrics,
    sections: [
      {
        kind: "table",
        title: `Total clicks over ${report.rounds.toLocaleString("en-US")} rounds, ${report.seeds} seeds`,
        columns: ["Policy", "Median", "Range", "Of best fixed", "Final regret (median)", "How"],
        numeric: [1, 3, 4],
        rows: report.policies.map((p) => [
          NAME[p.policy],
          p.median.toLocaleString("en-US"),
          p.min === p.max
            ? "(deterministic)"
            : `${p.min.toLocaleString("en-US")}–${p.max.toLocaleString("en-US")}`,
          `${((p.median / best) * 100).toFixed(1)}%`,
          p.regret.at(-1)!.median.toLocaleString("en-US"),
          p.description,
        ]),
      },
      {
        kind: "chart",
        title: "Cumulative regret",
        file: "optimization-regret.svg",
        alt: "Cumulative regret against the best fixed ad per round, median and range over seeds, per policy",
        caption:
          "Lines are medians over seeds, bands the seeds' range (UCB is deterministic, so it has none).",
      },
      {
        kind: "text",
        text:
          "Replay protocol: in round t the policy picks one ad and receives that row's click for it; the policies " +
          "learn only from their own choices. Regret is the best fixed ad's cumulative clicks minus the policy's, " +
          "sampled every 100 rounds.",
      },
    ],
    charts: [
      {
        file: "optimization-regret.svg",
        spec: regretSpec(
          learners.flatMap((p) => p.regret.map((r) => ({ series: NAME[p.policy], ...r }))),
          `${report.arms.length} ads × ${report.rounds.toLocaleString("en-US")} rounds, seeds 1–${report.seeds}`,
        ),
      },
    ],
  };
}

export const optimizationSuite: Suite = {
  id: "optimization",
  title: "Optimization: ads replay (multi-armed bandit)",
  needs: ["ads"],
  steps: () => 60,
  async run(ctx: SuiteContext) {
    ctx.progress.setTotal(3 * ctx.seeds);
    ctx.progress.label("replaying");
    const report = await runAdsReplay({
      csvPath: ctx.data.files.ads!,
      seeds: ctx.seeds,
      onReplayed: () => ctx.progress.advance(1),
    });
    return outcome(report);
  },
};
