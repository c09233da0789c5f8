/**
 * The engagement agent's short-term working set for its model calls: the lead's profile block, the thread's
 * conversation so far and what worked for similar leads, fitted to a token budget by the memory layer's
 * `assembleContext` (every entry a delimited, sanitized untrusted block; the newest messages kept first).
 * It informs tone and continuity only: a claim must still cite a FACT or a LEAD field, and the checks
 * reject anything else, so nothing in the working set can become an unsupported statement.
 */
import {
  type AssembledContext,
  assembleContext,
  type ContextSection,
} from "../../memory/context/assemble.js";
import { type ProfileBlock, renderProfile } from "../../memory/profile/profile.js";
import type { SimilarEpisode } from "./context.js";

export interface ConversationTurn {
  role: string;
  content: string;
  agent?: string;
}

export interface WorkingSetInput {
  profile?: ProfileBlock | null;
  /** The thread's messages, oldest first. */
  conversation?: readonly ConversationTurn[];
  similar?: readonly SimilarEpisode[];
}

/** Tokens of working set per model call when nothing is configured (`CONTEXT_TOKEN_BUDGET`). */
export const DEFAULT_CONTEXT_BUDGET = 1_500;

/** What the result records of the working set a model call saw: sizes, not the text (that is in the thread). */
export interface WorkingSetSummary {
  tokens: number;
  budget: number;
  included: Record<string, number>;
  dropped: Record<string, number>;
}

/** Similar leads' episodes as one line per variant: "email-now-question (email): 3 of 4 succeeded". */
function whatWorked(similar: readonly SimilarEpisode[]): string[] {
  const byVariant = new Map<string, { channel: string; n: number; reward: number }>();
  for (const episode of similar) {
    const key = episode.variantId ?? "(no variant)";
    const entry = byVariant.get(key) ?? { channel: episode.channel ?? "?", n: 0, reward: 0 };
    entry.n += 1;
    entry.reward += episode.reward;
    byVariant.set(key, entry);
  }
  return [...byVariant.entries()]
    .sort((a, b) => b[1].reward / b[1].n - a[1].reward / a[1].n || b[1].n - a[1].n)
    .map(([variant, e]) => `${variant} (${e.channel}): ${formatCount(e.reward)} of ${e.n} succeeded`);
}

const formatCount = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function engagementWorkingSet(
  input: WorkingSetInput,
  budget = DEFAULT_CONTEXT_BUDGET,
): AssembledContext {
  const profile = input.profile ? renderProfile(input.profile) : "";
  const sections: ContextSection[] = [
    { title: "Lead profile", entries: profile ? [{ source: "profile", text: profile }] : [] },
    {
      title: "Conversation so far",
      keepNewest: true,
      entries: (input.conversation ?? []).map((turn, i) => ({
        source: `message:${i + 1}`,
        text: `${turn.role}${turn.agent ? ` (${turn.agent})` : ""}: ${turn.content}`,
      })),
    },
    {
      title: "What worked for similar leads",
      entries: whatWorked(input.similar ?? []).map((text, i) => ({ source: `episodes:${i + 1}`, text })),
    },
  ];
  return assembleContext(sections, budget);
}

export const summarizeWorkingSet = ({
  tokens,
  budget,
  included,
  dropped,
}: AssembledContext): WorkingSetSummary => ({
  tokens,
  budget,
  included,
  dropped,
});
