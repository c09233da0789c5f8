/**
 * The harness's one error class. The codes are closed so the CLI can map each to an exit code: bad usage
 * and missing data are the caller's to fix (2), a broken scenario file or report is the repository's (1).
 */
export const HarnessErrorCode = {
  /** Unknown suite, bad flag value, `--compare` without two files. */
  Usage: "usage",
  /** A requested suite needs a dataset that is not where the harness looked. */
  DataMissing: "data_missing",
  /** A scenario file that does not parse or validate. */
  InvalidScenario: "invalid_scenario",
  /** A file given to `--compare` that is not a report.json of this harness. */
  InvalidReport: "invalid_report",
} as const;
export type HarnessErrorCode = (typeof HarnessErrorCode)[keyof typeof HarnessErrorCode];

export class HarnessError extends Error {
  constructor(
    readonly code: HarnessErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "HarnessError";
  }
}
