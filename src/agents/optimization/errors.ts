/** Why an optimization computation refused to run. A closed set, so callers can map each code once. */
export const OptimizationErrorCode = {
  /** The input breaks the function's contract (negative counts, conversions above trials, bad options). */
  InvalidInput: "invalid_input",
  /** The constraints cannot all hold (budget caps below the total, minimum shares above 100%). */
  Infeasible: "infeasible",
} as const;

export type OptimizationErrorCode = (typeof OptimizationErrorCode)[keyof typeof OptimizationErrorCode];

export class OptimizationError extends Error {
  constructor(
    readonly code: OptimizationErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "OptimizationError";
  }
}
