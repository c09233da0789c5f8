import { z } from "zod";
import { MemoryError, MemoryErrorCode } from "../errors.js";

/**
 * The lead profile block: a small, structured working memory per lead that every agent reads and updates
 * (facts, preferences, stage, last touch). Each entry says who set it and when, and every change is also
 * logged, so "why does the profile say X" has an answer. Pure: the repository applies this in a transaction.
 */

export const PROFILE_ACTORS = ["triage", "engagement", "optimization", "outcomes", "operator"] as const;
export type ProfileActor = (typeof PROFILE_ACTORS)[number];

/** Small on purpose: the block is read into every agent's context. */
export const PROFILE_LIMITS = { entries: 50, valueChars: 500 } as const;

export interface Attributed<T> {
  value: T;
  by: ProfileActor;
  /** ISO 8601, UTC. */
  at: string;
}

type Json = z.infer<ReturnType<typeof z.json>>;

export const LastTouch = z
  .object({
    channel: z.string().max(50).optional(),
    variantId: z.string().max(200).optional(),
    campaignId: z.string().max(200).optional(),
    event: z.string().max(50).optional(),
    summary: z.string().max(PROFILE_LIMITS.valueChars).optional(),
  })
  .strict();
export type LastTouch = z.infer<typeof LastTouch>;

export interface ProfileBlock {
  stage: Attributed<string> | null;
  facts: Record<string, Attributed<Json>>;
  preferences: Record<string, Attributed<Json>>;
  lastTouch: Attributed<LastTouch> | null;
}

const EntryName = z.string().regex(/^[A-Za-z][\w-]{0,63}$/, "a name of letters, digits, _ and -, at most 64");

/** A change request: named entries set to a value, or removed with `null`. */
export const ProfilePatch = z
  .object({
    stage: z.string().trim().min(1).max(50).optional(),
    facts: z.record(EntryName, z.json().nullable()).optional(),
    preferences: z.record(EntryName, z.json().nullable()).optional(),
    lastTouch: LastTouch.optional(),
  })
  .strict();
export type ProfilePatch = z.input<typeof ProfilePatch>;

export interface ProfileChange {
  path: string;
  before: unknown;
  after: unknown;
}

export function emptyProfile(): ProfileBlock {
  return { stage: null, facts: {}, preferences: {}, lastTouch: null };
}

/**
 * Applies a patch: returns the new block and one change per field whose value actually changed (setting an
 * equal value changes nothing, not even the attribution). Throws `invalid_input` past the size limits.
 */
export function applyProfilePatch(
  block: ProfileBlock,
  patch: ProfilePatch,
  actor: ProfileActor,
  at: Date,
): { block: ProfileBlock; changes: ProfileChange[] } {
  const parsed = ProfilePatch.parse(patch);
  const stamp = at.toISOString();
  const next: ProfileBlock = {
    stage: block.stage,
    facts: { ...block.facts },
    preferences: { ...block.preferences },
    lastTouch: block.lastTouch,
  };
  const changes: ProfileChange[] = [];

  if (parsed.stage !== undefined && parsed.stage !== block.stage?.value) {
    changes.push({ path: "stage", before: block.stage?.value ?? null, after: parsed.stage });
    next.stage = { value: parsed.stage, by: actor, at: stamp };
  }
  for (const kind of ["facts", "preferences"] as const) {
    for (const [name, value] of Object.entries(parsed[kind] ?? {})) {
      const before = block[kind][name];
      if (value === null) {
        if (before === undefined) continue;
        delete next[kind][name];
        changes.push({ path: `${kind}.${name}`, before: before.value, after: null });
        continue;
      }
      if (JSON.stringify(value).length > PROFILE_LIMITS.valueChars) {
        throw new MemoryError(
          MemoryErrorCode.InvalidInput,
          `profile ${kind}.${name} is longer than ${PROFILE_LIMITS.valueChars} characters as JSON`,
        );
      }
      if (before !== undefined && sameJson(before.value, value)) continue;
      next[kind][name] = { value, by: actor, at: stamp };
      changes.push({ path: `${kind}.${name}`, before: before?.value ?? null, after: value });
    }
    if (Object.keys(next[kind]).length > PROFILE_LIMITS.entries) {
      throw new MemoryError(
        MemoryErrorCode.InvalidInput,
        `a profile holds at most ${PROFILE_LIMITS.entries} ${kind}; remove some first`,
      );
    }
  }
  if (parsed.lastTouch !== undefined && !sameJson(parsed.lastTouch, block.lastTouch?.value)) {
    changes.push({ path: "lastTouch", before: block.lastTouch?.value ?? null, after: parsed.lastTouch });
    next.lastTouch = { value: parsed.lastTouch, by: actor, at: stamp };
  }
  return { block: changes.length === 0 ? block : next, changes };
}

/** The block as a few lines of text for an agent's context, with who said what. */
export function renderProfile(block: ProfileBlock): string {
  const lines: string[] = [];
  if (block.stage) lines.push(`stage: ${block.stage.value} (by ${block.stage.by}, ${block.stage.at})`);
  for (const kind of ["facts", "preferences"] as const) {
    for (const [name, entry] of Object.entries(block[kind])) {
      lines.push(
        `${kind === "facts" ? "fact" : "preference"} ${name}: ${JSON.stringify(entry.value)} (by ${entry.by})`,
      );
    }
  }
  if (block.lastTouch) {
    const t = block.lastTouch.value;
    const what = [t.event, t.channel, t.variantId && `variant ${t.variantId}`, t.summary]
      .filter(Boolean)
      .join(", ");
    lines.push(`last touch: ${what || "(unspecified)"} at ${block.lastTouch.at} (by ${block.lastTouch.by})`);
  }
  return lines.join("\n");
}

/** Structural equality of JSON values, independent of object key order. */
function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}
