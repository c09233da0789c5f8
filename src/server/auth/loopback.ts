import { isIP } from "node:net";

/**
 * True for names and addresses that only this machine can reach: `localhost`, 127.0.0.0/8, ::1 (and
 * its IPv4-mapped form). Anything else, `0.0.0.0` and `::` included, is reachable from the network.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (bare === "localhost" || bare.endsWith(".localhost")) return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1" || /^::ffff:127\./.test(bare);
  return false;
}
