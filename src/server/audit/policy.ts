import type { CallRecord } from "../rpc/dispatcher.js";

/**
 * Which calls become audit rows. Every call does, except a successful one to a method that needs no
 * permission beyond `system:read` (`system.health`, `auth.whoami`, `rpc.discover`): those read no tenant
 * data, every role may make them, and health checks and monitors would otherwise flood the log (and, on
 * embedded PGlite, spend the event loop on inserts nobody reads). Their failures and every refusal stay
 * audited; unknown methods (probing) too. docs/security.md, "Audit log".
 */
export function isAudited(record: CallRecord): boolean {
  if (record.outcome !== "ok") return true;
  return !(record.permission === null || record.permission === "system:read");
}
