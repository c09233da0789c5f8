import type { Draft } from "../../src/agents/engagement/draft.js";
import type { LeadInput } from "../../src/db/lead-input.js";
import type { SuiteProgress } from "../harness/progress.js";
import { type Metric, metric, type SectionInput } from "../harness/report.js";
import { JUDGE_CRITERIA, type Judge, type JudgeVerdict } from "./judge.js";

/** Drafts sent to the judge: enough to read in the report, cheap enough to run on every full eval. */
const JUDGE_SAMPLE = 8;

/**
 * The rubric part of the engagement suite: runs the judge on an evenly spaced sample of drafts, or says
 * plainly why it did not run. Never reports a score it did not get from a model.
 */
export async function judgeDrafts(
  judge: Judge | null,
  drafts: readonly { lead: LeadInput; draft: Draft }[],
  options: { ci: boolean; progress: SuiteProgress },
): Promise<{ metrics: Metric[]; sections: SectionInput[] }> {
  const title = "LLM-as-judge rubric";
  if (!judge) {
    const text =
      "Skipped: no model endpoint configured (set OPENAI_API_KEY or OPENAI_BASE_URL to enable it).";
    return { metrics: [], sections: [{ kind: "text", title, text }] };
  }
  if (options.ci) {
    const text = "Not run in the CI profile: the gate stays offline and deterministic.";
    return { metrics: [], sections: [{ kind: "text", title, text }] };
  }
  const step = Math.max(1, Math.floor(drafts.length / JUDGE_SAMPLE));
  const sample = drafts.filter((_, i) => i % step === 0).slice(0, JUDGE_SAMPLE);
  const verdicts: JudgeVerdict[] = [];
  for (const { lead, draft } of sample) {
    options.progress.label(`judge ${verdicts.length + 1}/${sample.length}`);
    verdicts.push(await judge.rate(lead, draft));
  }
  const mean = (c: (typeof JUDGE_CRITERIA)[number]) =>
    verdicts.reduce((sum, v) => sum + v[c], 0) / Math.max(1, verdicts.length);
  return {
    metrics: JUDGE_CRITERIA.map((c) =>
      metric({ id: `judge.${c}`, label: `judge: ${c} (1–5)`, value: mean(c), digits: 2, better: "higher" }),
    ),
    sections: [
      {
        kind: "table",
        title: `${title} (${judge.model}, ${verdicts.length} drafts)`,
        columns: ["Variant", ...JUDGE_CRITERIA, "Issues"],
        numeric: [1, 2, 3, 4],
        rows: verdicts.map((v, i) => [
          sample[i]!.draft.variantId,
          ...JUDGE_CRITERIA.map((c) => String(v[c])),
          v.issues.join("; "),
        ]),
      },
    ],
  };
}
