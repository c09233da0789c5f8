/** Why a model call gave no usable answer. */
export type LlmErrorCode =
  /** The model answered, but never with output that passed validation. */
  | "invalid_output"
  /** The endpoint did not answer (or stopped streaming) within the configured timeout. */
  | "timeout"
  /** The endpoint refused or failed: HTTP errors after retries, connection errors, bad credentials. */
  | "unavailable";

/**
 * The one error the LLM layer throws for a failed model call. `attempts` counts the model calls made
 * by the layer that threw (retries inside the HTTP client are not counted); `cause` keeps the last
 * underlying error (a ZodError, a SyntaxError, the client's HTTP error).
 */
export class LlmOutputError extends Error {
  override readonly name = "LlmOutputError";

  constructor(
    readonly code: LlmErrorCode,
    message: string,
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Classifies an error thrown by a `@langchain/openai` call. Returns `undefined` for an abort the
 * caller asked for: cancellation is not a model failure and must propagate unchanged.
 */
export function toLlmError(
  error: unknown,
  attempts: number,
  signal?: AbortSignal,
): LlmOutputError | undefined {
  if (error instanceof LlmOutputError) {
    return error.attempts === attempts
      ? error
      : new LlmOutputError(error.code, error.message, attempts, { cause: error });
  }
  // A caller's deadline (`AbortSignal.timeout`) is a timeout; any other abort is the caller's choice.
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (isNamed(reason, "TimeoutError")) {
      return new LlmOutputError(
        "timeout",
        "the caller's deadline passed before the model answered",
        attempts,
        {
          cause: reason,
        },
      );
    }
    return undefined;
  }
  if (isNamed(error, "AbortError")) return undefined;
  // @langchain/openai renames the SDK's APIConnectionTimeoutError to a plain Error named TimeoutError.
  if (isNamed(error, "TimeoutError") || isNamed(error, "APIConnectionTimeoutError")) {
    return new LlmOutputError("timeout", `model endpoint timed out: ${messageOf(error)}`, attempts, {
      cause: error,
    });
  }
  const status = statusOf(error);
  const prefix =
    status === undefined ? "model endpoint unavailable" : `model endpoint answered HTTP ${status}`;
  return new LlmOutputError("unavailable", `${prefix}: ${messageOf(error)}`, attempts, { cause: error });
}

function isNamed(value: unknown, name: string): boolean {
  if (typeof value !== "object" || value === null) return false;
  return (value as { name?: unknown }).name === name || value.constructor?.name === name;
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" ? status : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
