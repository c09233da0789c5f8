/**
 * Conversion forecasts. For a planned number of sends: the Beta posterior predictive, i.e. the
 * beta-binomial distribution, which carries both the sampling noise of the sends and the uncertainty
 * about the rate. For a daily series: an ordinary least squares trend with a Student-t prediction
 * interval for the horizon's total.
 */
import { OptimizationError } from "./errors.js";
import { type BetaParameters, ForecastOptions, parseInput } from "./schema.js";
import { logBeta, logChoose, studentTQuantile } from "./special-functions.js";

export interface PredictionInterval {
  readonly lower: number;
  readonly upper: number;
  readonly mass: number;
}

export interface ConversionForecast {
  readonly sends: number;
  readonly expected: number;
  readonly standardDeviation: number;
  /** Equal-tailed: the (1 − mass)/2 and (1 + mass)/2 quantiles of the predictive distribution. */
  readonly interval: PredictionInterval;
}

/**
 * P(K = k) for K ~ BetaBinomial(n, a, b) = C(n, k) · B(k + a, n − k + b) / B(a, b)
 * (https://en.wikipedia.org/wiki/Beta-binomial_distribution).
 */
export function betaBinomialPmf(k: number, n: number, a: number, b: number): number {
  if (!Number.isInteger(k) || k < 0 || k > n) return 0;
  return Math.exp(logChoose(n, k) + logBeta(k + a, n - k + b) - logBeta(a, b));
}

/**
 * Conversions to expect from `sends` more trials given the posterior: mean n·a/(a+b), variance
 * n·a·b·(a+b+n) / ((a+b)²·(a+b+1)), and an equal-tailed interval from the exact beta-binomial CDF.
 * Cost is linear in the upper quantile: about 70 ms for ten million sends at a 5% rate.
 */
export function forecastConversions(
  posterior: BetaParameters,
  sends: number,
  options: ForecastOptions = {},
): ConversionForecast {
  const { mass } = parseInput(ForecastOptions, options, "forecast options");
  if (!(Number.isInteger(sends) && sends >= 0)) {
    throw new OptimizationError("invalid_input", `sends must be a non-negative integer, got ${sends}`);
  }
  const { alpha: a, beta: b } = posterior;
  if (!(a > 0 && b > 0))
    throw new OptimizationError("invalid_input", "posterior parameters must be positive");
  const s = a + b;
  const expected = (sends * a) / s;
  const sd = Math.sqrt((sends * a * b * (s + sends)) / (s * s * (s + 1)));
  const tail = (1 - mass) / 2;
  // Walk the support from 0 with the pmf ratio P(k+1)/P(k) = (n−k)(k+a) / ((k+1)(n−k−1+b)), in log space
  // so large n cannot underflow the start; exact, O(upper quantile), and no tail truncation to justify.
  let logP = logBeta(a, sends + b) - logBeta(a, b);
  let cumulative = 0;
  let lower = -1;
  let upper = sends;
  for (let k = 0; k <= sends; k++) {
    cumulative += Math.exp(logP);
    // The slack keeps exact cases (a CDF value equal to the quantile level) from rounding past it.
    if (lower < 0 && cumulative >= tail - 1e-12) lower = k;
    if (cumulative >= 1 - tail - 1e-12) {
      upper = k;
      break;
    }
    logP += Math.log(((sends - k) * (k + a)) / ((k + 1) * (sends - k - 1 + b)));
  }
  if (lower < 0) lower = upper;
  return { sends, expected, standardDeviation: sd, interval: { lower, upper, mass } };
}

export interface TrendForecast {
  readonly horizonDays: number;
  /** Per-day change of the fitted line. */
  readonly slope: number;
  /** Fitted value on the first observed day (day 0). */
  readonly intercept: number;
  /** Fitted values for each future day, clamped at zero. */
  readonly daily: number[];
  readonly expectedTotal: number;
  /** For the horizon's total, clamped at zero. */
  readonly interval: PredictionInterval;
}

/**
 * Fits counts[t] = intercept + slope·t by ordinary least squares over the observed days and forecasts
 * the next `horizonDays`. The interval is for the *sum* of future counts: with residual variance s²,
 * Var = s²·(H + H²/n + (Σ_h (x_h − x̄))² / Sxx) (H new errors plus the uncertainty of the fitted sum),
 * scaled by the Student-t quantile with n − 2 degrees of freedom.
 */
export function forecastDailyTrend(
  counts: readonly number[],
  horizonDays: number,
  options: ForecastOptions = {},
): TrendForecast {
  const { mass } = parseInput(ForecastOptions, options, "forecast options");
  const n = counts.length;
  if (n < 3) throw new OptimizationError("invalid_input", "a trend needs at least three days of counts");
  if (!counts.every((c) => Number.isFinite(c) && c >= 0)) {
    throw new OptimizationError("invalid_input", "daily counts must be finite and non-negative");
  }
  if (!(Number.isInteger(horizonDays) && horizonDays >= 1)) {
    throw new OptimizationError(
      "invalid_input",
      `horizonDays must be a positive integer, got ${horizonDays}`,
    );
  }
  const xMean = (n - 1) / 2;
  const yMean = counts.reduce((s, y) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  counts.forEach((y, x) => {
    sxx += (x - xMean) ** 2;
    sxy += (x - xMean) * (y - yMean);
  });
  const slope = sxy / sxx;
  const intercept = yMean - slope * xMean;
  const sse = counts.reduce((s, y, x) => s + (y - intercept - slope * x) ** 2, 0);
  const residualVariance = sse / (n - 2);

  const future = Array.from({ length: horizonDays }, (_, h) => n + h);
  const fittedSum = future.reduce((s, x) => s + intercept + slope * x, 0);
  const centred = future.reduce((s, x) => s + (x - xMean), 0);
  const variance =
    residualVariance * (horizonDays + (horizonDays * horizonDays) / n + (centred * centred) / sxx);
  const half = studentTQuantile((1 + mass) / 2, n - 2) * Math.sqrt(variance);
  const daily = future.map((x) => Math.max(0, intercept + slope * x));
  return {
    horizonDays,
    slope,
    intercept,
    daily,
    expectedTotal: daily.reduce((s, y) => s + y, 0),
    interval: { lower: Math.max(0, fittedSum - half), upper: Math.max(0, fittedSum + half), mass },
  };
}
