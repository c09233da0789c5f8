/**
 * The LLM drafting path: the model writes the variants (structured output, validated with zod), then the
 * same deterministic checks as the templates run on them. A failing draft gets one revision round with
 * the reasons; what still fails is rejected with its reason. Opt-out text is appended here, never left
 * to the model.
 */
import type { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import type { LeadInput } from "../../db/lead-input.js";
import { LlmOutputError } from "../../llm/errors.js";
import { invokeStructured } from "../../llm/structured.js";
import { mentionableActivity } from "./activity.js";
import { type CheckContext, checkDraft, failedChecks, rejectionReason } from "./checks.js";
import type { GroundingFact } from "./context.js";
import { type Draft, groundedOnOf } from "./draft.js";
import { DRAFT_SYSTEM_PROMPT, dataBlock, REVISE_INSTRUCTION } from "./prompts.js";
import { type Cadence, type Channel, maxBodyLength, optOutText } from "./templates.js";

/** What the model must answer with. Nullable rather than optional, so OpenAI's strict mode accepts it. */
export const ModelDrafts = z.object({
  variants: z
    .array(
      z.object({
        angle: z.string().describe("a few words naming the approach, e.g. 'role-based'"),
        subject: z.string().nullable(),
        body: z.string(),
        claims: z.array(z.object({ text: z.string(), source: z.string() })),
      }),
    )
    .min(1)
    .max(5),
});
export type ModelDrafts = z.infer<typeof ModelDrafts>;

export interface LlmDraftRequest {
  lead: LeadInput;
  channel: Channel;
  cadence: Cadence;
  facts: readonly GroundingFact[];
  variants: number;
  check: CheckContext;
  /** The working set (`working-set.ts`): profile, conversation, what worked; for tone, never cited. */
  context?: string;
  maxAttempts?: number;
  signal?: AbortSignal;
}

/**
 * Lead fields the model sees: what a draft may cite, plus notes as context (never cited, never obeyed).
 * The last activity only when a message may mention it (`activity.ts`).
 */
function leadData(lead: LeadInput) {
  const { name, company, title, source, notes } = lead;
  return { name, company, title, source, lastActivity: mentionableActivity(lead.lastActivity), notes };
}

/** Turns one model variant into a checked draft, appending the channel's opt-out text when missing. */
export function toDraft(
  variant: ModelDrafts["variants"][number],
  index: number,
  request: Pick<LlmDraftRequest, "lead" | "channel" | "cadence" | "check">,
  model: string,
): Draft {
  const revisions: string[] = [];
  const optOut = optOutText[request.channel];
  let body = variant.body.trim();
  if (optOut.trim() !== "" && !body.includes(optOut.trim())) {
    body += optOut;
    revisions.push("appended the opt-out text");
  }
  const subject = request.channel === "email" ? (variant.subject?.trim() ?? "") : "";
  const claims = variant.claims.map((c) => ({ text: c.text.trim(), source: c.source.trim() }));
  const message = { channel: request.channel, ...(subject ? { subject } : {}), body, claims };
  const checks = checkDraft(message, request.lead, request.check);
  if (request.channel === "email" && !subject) {
    checks.push({ name: "compliance", passed: false, detail: "an email needs a subject line" });
  }
  return {
    variantId: `${request.channel}-${request.cadence}-llm-${index + 1}`,
    ...message,
    groundedOn: groundedOnOf(claims),
    checks,
    model,
    ...(revisions.length > 0 ? { revisions } : {}),
  };
}

/**
 * Asks the model for variants and checks them, with one revision round for the failures.
 * @throws {LlmOutputError} when the model gives no valid structured answer (the caller keeps the offline drafts).
 */
export async function draftWithModel(llm: ChatOpenAI, request: LlmDraftRequest): Promise<Draft[]> {
  const data = {
    channel: request.channel,
    cadence: request.cadence === "now" ? "ready to talk now" : "nurture: helpful, no pressure",
    maxBodyCharacters: maxBodyLength[request.channel] - optOutText[request.channel].length,
    variantsWanted: request.variants,
    LEAD: leadData(request.lead),
    FACTS: request.facts.map((f) => ({ id: f.id, statement: f.statement })),
    ...(request.context ? { CONTEXT: request.context } : {}),
  };
  const messages: [string, string][] = [
    ["system", DRAFT_SYSTEM_PROMPT],
    ["human", `Write ${request.variants} ${request.channel} variants.\n${dataBlock(data)}`],
  ];
  const options = {
    name: "outreach_drafts",
    ...(request.maxAttempts ? { maxAttempts: request.maxAttempts } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  };
  const first = await invokeStructured(llm, ModelDrafts, messages, options);
  const drafts = first.variants.slice(0, request.variants).map((v, i) => toDraft(v, i, request, llm.model));
  const failing = drafts.flatMap((d, i) => (failedChecks(d.checks).length > 0 ? [i] : []));
  if (failing.length === 0) return drafts;

  const feedback = failing.map((i) => ({
    draft: { subject: drafts[i]!.subject ?? null, body: first.variants[i]!.body, claims: drafts[i]!.claims },
    failures: rejectionReason(drafts[i]!.checks),
  }));
  let revised: ModelDrafts;
  try {
    revised = await invokeStructured(
      llm,
      ModelDrafts,
      [
        ...messages,
        ["ai", JSON.stringify(first)],
        ["human", `${REVISE_INSTRUCTION}\n${dataBlock(feedback)}`],
      ],
      { ...options, name: "revised_drafts" },
    );
  } catch (error) {
    // The first answer was valid: a failed revision leaves its failing drafts rejected, not the whole batch.
    if (error instanceof LlmOutputError) return drafts;
    throw error;
  }
  failing.forEach((index, k) => {
    const variant = revised.variants[k];
    if (!variant) return;
    const next = toDraft(variant, index, request, llm.model);
    drafts[index] = {
      ...next,
      revisions: [...(next.revisions ?? []), "revised by the model after failing checks"],
    };
  });
  return drafts;
}
