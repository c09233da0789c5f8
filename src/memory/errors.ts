/**
 * Errors of the memory layer, with a closed code set so that callers (the JSON-RPC methods, the CLI) map
 * each to the right answer without parsing messages.
 */
export const MemoryErrorCode = {
  /** A vector does not have the dimension of the `vector(512)` columns, or holds NaN/Infinity. */
  InvalidVector: "invalid_vector",
  /** Stored vectors come from another embedder than the one searching: `migrate --reembed` fixes it. */
  EmbedderMismatch: "embedder_mismatch",
  /** A store filter uses an unknown operator or a value the operator cannot take. */
  InvalidFilter: "invalid_filter",
  /** A namespace is empty, has an empty label, or a label with a reserved character. */
  InvalidNamespace: "invalid_namespace",
  /** Input outside the limits of a memory kind (profile size, fact shape, search limits). */
  InvalidInput: "invalid_input",
  /** The lead, entity or fact referred to does not exist for this tenant. */
  NotFound: "not_found",
  /** An idempotency key was reused with a different outcome. */
  IdempotencyConflict: "idempotency_conflict",
  /** A run in progress is still writing a thread the operation must change (erasure): cancel it or wait. */
  ThreadBusy: "thread_busy",
} as const;
export type MemoryErrorCode = (typeof MemoryErrorCode)[keyof typeof MemoryErrorCode];

export class MemoryError extends Error {
  constructor(
    readonly code: MemoryErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "MemoryError";
  }
}
