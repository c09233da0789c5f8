/** Why a triage call failed; a closed set so callers can map each code to a response. */
export const TriageErrorCode = {
  /** Inputs a function cannot work with: mismatched lengths, one class only, a negative weight. */
  InvalidInput: "invalid_input",
  /** A serialized model that does not match the schema or was written by an incompatible version. */
  InvalidModel: "invalid_model",
  /** The training data file could not be found or read. */
  DatasetUnavailable: "dataset_unavailable",
  /** No stored model has the version asked for. */
  ModelNotFound: "model_not_found",
} as const;

export type TriageErrorCode = (typeof TriageErrorCode)[keyof typeof TriageErrorCode];

export class TriageError extends Error {
  constructor(
    readonly code: TriageErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "TriageError";
  }
}
