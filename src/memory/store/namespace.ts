import { MemoryError, MemoryErrorCode } from "../errors.js";

/**
 * Namespace rules, the same as LangGraph's `validateNamespace` (which the package does not export): labels
 * are non-empty strings without `.` (LangGraph joins labels with dots on the wire), `:` or NUL, and the root
 * `langgraph` is reserved for the platform. `%` and `_` are ordinary characters here: matching never uses LIKE.
 */
export function validateNamespace(
  namespace: readonly string[],
  options: { allowEmpty?: boolean } = {},
): void {
  if (!Array.isArray(namespace)) throw invalid("a namespace is an array of strings");
  if (namespace.length === 0) {
    if (options.allowEmpty) return;
    throw invalid("a namespace cannot be empty");
  }
  for (const label of namespace) {
    if (typeof label !== "string") throw invalid(`namespace labels are strings, got ${typeof label}`);
    if (label === "") throw invalid("namespace labels cannot be empty");
    if (/[.:\0]/.test(label)) throw invalid(`namespace label "${label}" contains ".", ":" or NUL`);
  }
  if (namespace[0] === "langgraph" && !options.allowEmpty) {
    throw invalid('the namespace root "langgraph" is reserved');
  }
}

export function validateKey(key: string): void {
  if (typeof key !== "string" || key === "" || key.length > 512) {
    throw new MemoryError(MemoryErrorCode.InvalidInput, "an item key is a string of 1 to 512 characters");
  }
}

/** A `listNamespaces` match path element: a label, or `*` for any one label. */
export type NamespacePattern = readonly string[];

function invalid(message: string): MemoryError {
  return new MemoryError(MemoryErrorCode.InvalidNamespace, message);
}
