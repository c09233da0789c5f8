import { CIPHERTEXT_PREFIX, type PiiCipher } from "./cipher.js";

/**
 * The encrypted column of `run_events`: what a run streamed (node updates with the lead's name and email,
 * drafts, the model's tokens, interrupts). Stored as one JSON string holding the ciphertext of the event's
 * JSON, bound to its run: a value copied to another run's row does not decrypt.
 */
const context = (runId: string) => `run_events.data|${runId}`;

export function sealRunEventData(pii: PiiCipher, runId: string, data: unknown): string {
  return pii.encrypt(JSON.stringify(data ?? null), context(runId));
}

/** The event's data; a row an older version stored in plaintext is returned as it is. */
export function openRunEventData(pii: PiiCipher, runId: string, stored: unknown): unknown {
  if (typeof stored !== "string" || !stored.startsWith(CIPHERTEXT_PREFIX)) return stored;
  return JSON.parse(pii.decrypt(stored, context(runId)));
}

/** True when the stored value is plaintext or sealed under a key other than the active one. */
export function runEventIsStale(pii: PiiCipher, stored: unknown): boolean {
  return typeof stored !== "string" || pii.isStale(stored);
}
