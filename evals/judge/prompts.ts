/**
 * The LLM-as-judge rubric. Scores are anchored (what a 1, 3 and 5 mean) because unanchored 1–5 scales
 * drift between models and runs; the judge sees only the lead's fields and the draft, as a reviewer would.
 */
export const JUDGE_SYSTEM_PROMPT = `You review outbound sales drafts before a person approves them.
Score the draft on four criteria, each an integer from 1 to 5:
- personalization: 1 = generic, could go to anyone; 3 = uses one detail of the lead; 5 = clearly written for this lead.
- relevance: 1 = ignores what we know about the lead; 3 = loosely connected; 5 = addresses the lead's situation and next step.
- tone: 1 = pushy, awkward or unprofessional; 3 = acceptable; 5 = warm, concise and professional.
- groundedness: 1 = states facts about the lead that the lead record does not contain; 5 = every statement about the lead is supported by the record.
List up to five concrete issues (empty when there are none). Judge only the text given; do not invent context.`;

export function judgeUserPrompt(
  lead: Record<string, unknown>,
  draft: { channel: string; subject?: string; body: string },
): string {
  return [
    "Lead record (JSON):",
    JSON.stringify(lead, null, 2),
    "",
    `Draft (${draft.channel}):`,
    draft.subject ? `Subject: ${draft.subject}` : "",
    draft.body,
  ]
    .filter((line) => line !== "")
    .join("\n");
}
