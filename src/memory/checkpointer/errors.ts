/**
 * Errors of the checkpointer, with a closed code set. LangGraph only needs them to be thrown (the
 * validation suite checks `rejects.toThrow()`); the codes let the threads API and the CLI answer precisely.
 */
export const CheckpointerErrorCode = {
  /** The RunnableConfig lacks `configurable`, its `thread_id`, or (for writes) its `checkpoint_id`. */
  InvalidConfig: "invalid_config",
  /** A value the serializer produced cannot be stored as asked (metadata must serialize to JSON). */
  Serialization: "serialization",
  /** An option of the saver or of the retention policy is out of range. */
  InvalidOption: "invalid_option",
} as const;
export type CheckpointerErrorCode = (typeof CheckpointerErrorCode)[keyof typeof CheckpointerErrorCode];

export class CheckpointerError extends Error {
  constructor(
    readonly code: CheckpointerErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "CheckpointerError";
  }
}
