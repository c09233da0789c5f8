import type { Db } from "../../db/client.js";
import type { Credential } from "./claims.js";
import { insertRevocation, purgeExpired, type Revocation, revocationsSince } from "./revocation-store.js";

/**
 * The token denylist as every request sees it: an in-memory set, so checking a token costs a map lookup,
 * not a query. A revocation made on this replica applies at once; revocations made on other replicas
 * arrive with the next poll (every `pollMs`, default 2 s). Listeners hear of each new revocation once,
 * which is how open WebSockets carrying a revoked token get closed.
 */
export interface RevocationList {
  isRevoked(credential: Pick<Credential, "issuer" | "jti">): boolean;
  revoke(revocation: Revocation, revokedBy: string): Promise<void>;
  onRevoked(listener: (key: string) => void): () => void;
  /** Loads current revocations and starts polling. */
  start(): Promise<void>;
  stop(): void;
}

/** One string per `(iss, jti)`: NUL cannot appear in either. */
export const revocationKey = (c: Pick<Credential, "issuer" | "jti">) => `${c.issuer}\u0000${c.jti}`;

/** Overlap between consecutive poll windows, for transactions that commit a little after they start. */
const WINDOW_OVERLAP_MS = 30_000;
/** Expired rows are purged about once an hour by whichever replica gets there. */
const PURGE_EVERY_MS = 3_600_000;

export function createRevocationList(
  db: Db,
  options: { pollMs: number; log?: { error: (obj: object, msg: string) => void } },
): RevocationList {
  /** key → expiry (ms). */
  const revoked = new Map<string, number>();
  const listeners = new Set<(key: string) => void>();
  let since: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  let lastPurge = Date.now();

  function add(revocation: Revocation): void {
    const key = revocationKey(revocation);
    if (revoked.has(key)) return;
    revoked.set(key, revocation.expiresAt.getTime());
    for (const listener of listeners) listener(key);
  }

  async function poll(): Promise<void> {
    const { rows, now } = await revocationsSince(db, since === null ? null : since - WINDOW_OVERLAP_MS);
    since = now;
    for (const row of rows) add(row);
    const local = Date.now();
    for (const [key, expiresAt] of revoked) if (expiresAt < local) revoked.delete(key);
    if (local - lastPurge > PURGE_EVERY_MS) {
      lastPurge = local;
      await purgeExpired(db);
    }
  }

  function schedule(): void {
    timer = setTimeout(() => {
      poll()
        .catch((error: unknown) => options.log?.error({ err: error }, "reading token revocations failed"))
        .finally(() => {
          if (timer !== undefined) schedule();
        });
    }, options.pollMs);
    timer.unref();
  }

  return {
    isRevoked: (credential) => revoked.has(revocationKey(credential)),
    async revoke(revocation, revokedBy) {
      await insertRevocation(db, revocation, revokedBy);
      add(revocation);
    },
    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      await poll();
      schedule();
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
