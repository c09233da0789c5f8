/**
 * Channel versions that stay unique across forks.
 *
 * Blobs are keyed by (thread, namespace, channel, version) and written with ON CONFLICT DO NOTHING, so two
 * different values must never get the same version. LangGraph's default versions are integers, max + 1:
 * a fork (time travel, `updateState` on an older checkpoint) then hands out the same numbers as the branch
 * it left, and the fork's new value would be silently dropped in favour of the old branch's blob. The
 * Python PostgresSaver avoids this with versions `"<int>.<random>"`; we keep numbers (LangGraph.js types
 * versions as numbers and compares them with `>`), so the random part is the fraction: the integer part
 * still counts steps and orders versions, the fraction tells branches apart.
 */

/** Digits of the random fraction: a collision needs two forks of one channel at one step, then 1 in 10⁹. */
const FRACTION_SCALE = 1_000_000_000;

/** The version after `current` (undefined for a new channel): greater than it, and unique with high odds. */
export function nextChannelVersion(
  current: number | string | undefined,
  random: () => number = Math.random,
): number {
  const step = integerPart(current) + 1;
  // Never 0, so a new version is never the bare integer an older integer-versioned checkpoint may hold.
  const fraction = (1 + Math.floor(random() * (FRACTION_SCALE - 1))) / FRACTION_SCALE;
  return step + fraction;
}

function integerPart(version: number | string | undefined): number {
  if (version === undefined) return 0;
  // Strings come from other savers' formats ("00000002.0.4…", as the Python saver writes): their first field.
  const n = typeof version === "number" ? version : Number.parseInt(version.split(".")[0] ?? "", 10);
  return Number.isFinite(n) ? Math.floor(n) : 0;
}
