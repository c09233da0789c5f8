/**
 * Input shapes of the optimization statistics, declared once with zod; the TypeScript types are
 * inferred. The public readout functions parse with these so that a graph node or an RPC method can hand
 * over untrusted JSON; the per-round bandit functions take plain typed values because they run in loops.
 */
import { z } from "zod";
import { OptimizationError } from "./errors.js";

const count = z.number().int().min(0);
const positive = z.number().positive().finite();
const probability = (fallback: number) => z.number().gt(0).lt(1).default(fallback);

/** Observed conversions out of trials (sends, impressions, visits) for one variant. */
export const VariantCounts = z
  .object({ id: z.string().min(1), conversions: count, trials: count })
  .refine((v) => v.conversions <= v.trials, { message: "conversions cannot exceed trials" });
export type VariantCounts = z.infer<typeof VariantCounts>;

/** A Beta(alpha, beta) distribution, used both as prior and as posterior. */
export const BetaParameters = z.object({ alpha: positive, beta: positive });
export type BetaParameters = z.infer<typeof BetaParameters>;

export const AbTestOptions = z.object({
  /** Prior on every variant's rate; Beta(1, 1) is uniform. */
  prior: BetaParameters.default({ alpha: 1, beta: 1 }),
  /** Mass of the equal-tailed credible interval. */
  credibleMass: probability(0.95),
  /** Stop when the leader's expected loss (absolute rate) falls below this; 0.001 = 0.1 percentage point. */
  lossThreshold: positive.max(1).default(0.001),
  /** Never stop before every variant has this many trials, whatever the loss says (guards early peeks). */
  minTrialsPerArm: count.default(1000),
  /** Joint posterior draws for the Monte Carlo estimates. */
  draws: z.number().int().min(1000).max(10_000_000).default(100_000),
  seed: z.number().int().default(1),
  /** `auto` uses the closed forms for two variants when they apply, Monte Carlo otherwise. */
  method: z.enum(["auto", "exact", "monte-carlo"]).default("auto"),
});
export type AbTestOptions = z.input<typeof AbTestOptions>;

/** A channel (email, search, social…) with its conversion posterior and what an impression costs. */
export const ChannelPosterior = z.object({
  id: z.string().min(1),
  alpha: positive,
  beta: positive,
  costPerImpression: positive,
  /** Most this channel may receive, in currency units (e.g. inventory or contract limits). */
  maxAmount: z.number().min(0).finite().optional(),
});
export type ChannelPosterior = z.infer<typeof ChannelPosterior>;

export const BudgetOptions = z.object({
  /** Budget to split, in currency units with at most two decimals. */
  total: z.number().min(0).finite(),
  /** Every channel keeps at least this share (capped by its maxAmount) so its posterior keeps learning. */
  minShare: z.number().min(0).max(1).default(0.05),
  draws: z.number().int().min(1000).max(10_000_000).default(20_000),
  seed: z.number().int().default(1),
});
export type BudgetOptions = z.input<typeof BudgetOptions>;

export const ForecastOptions = z.object({
  /** Mass of the equal-tailed prediction interval. */
  mass: probability(0.9),
});
export type ForecastOptions = z.input<typeof ForecastOptions>;

/** Parses `value` with `schema`, turning a zod failure into an `OptimizationError` that keeps it as cause. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
  throw new OptimizationError("invalid_input", `invalid ${what}: ${details}`, { cause: result.error });
}

/** A channel in a strategy request: its posterior, its cost and what it is spending now. */
export const StrategyChannel = ChannelPosterior.extend({
  /** Current spend over the same period as the budget; omitted means the plan starts from nothing. */
  currentAmount: z.number().min(0).finite().optional(),
});
export type StrategyChannel = z.infer<typeof StrategyChannel>;

export const StrategyInput = z.object({
  /** A running experiment; the first variant is the control. */
  variants: VariantCounts.array().min(2).optional(),
  channels: StrategyChannel.array().min(1).optional(),
  /** Budget to plan; defaults to the channels' current spend. */
  budget: z.number().min(0).finite().optional(),
  /** Sends planned with the leading variant, for a conversion forecast. */
  plannedSends: z.number().int().min(0).optional(),
  seed: z.number().int().default(1),
  lossThreshold: positive.max(1).default(0.001),
  minTrialsPerArm: count.default(1000),
  /** Pause a non-leading variant whose probability of being best falls below this (three or more arms). */
  pauseBelow: z.number().min(0).max(1).default(0.01),
  /** Recommend a shift only when a channel would gain at least this share of the budget. */
  shiftAtLeast: z.number().min(0).max(1).default(0.1),
  minShare: z.number().min(0).max(1).default(0.05),
});
export type StrategyInput = z.input<typeof StrategyInput>;
