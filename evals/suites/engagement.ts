import { optOutText } from "../../src/agents/engagement/templates.js";
import { readLeadsCsv } from "../../src/agents/triage/dataset.js";
import type { LeadInput } from "../../src/db/lead-input.js";
import { type Metric, metric } from "../harness/report.js";
import { judgeDrafts } from "../judge/judge-section.js";
import { rowToLead, sampleOf } from "./dataset-leads.js";
import { isGrounded } from "./engagement-checks.js";
import { type DraftingPass, draftingPass } from "./engagement-pass.js";
import { engagementSections } from "./engagement-sections.js";
import { loadScenarios } from "./scenarios.js";
import type { Suite, SuiteContext, SuiteOutcome } from "./suite.js";

/**
 * Engagement: deterministic checks on the offline agent's drafts for the routing scenarios' leads and a
 * seeded sample of dataset leads (without leads.csv, the scenario leads alone), plus the LLM-as-judge
 * rubric when a model endpoint is configured. Thresholds: every draft grounded, every email and SMS with
 * its opt-out text,
 * every body within its channel's limit, and a personalized option for nine reachable leads in ten.
 */

const DATASET_SAMPLE = { full: 300, ci: 100 } as const;
const SAMPLE_SEED = 7;

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);
const percent = { format: "percent", better: "higher" } as const;
const count = (better: "none" | "lower") => ({ format: "integer", better }) as const;

function passMetrics(pass: DraftingPass, leads: number): Metric[] {
  const audits = pass.drafted.map((d) => d.audit);
  // LinkedIn notes carry no opt-out text; email needs the unsubscribe footer and SMS "Reply STOP".
  const optedOut = audits.filter((a) => optOutText[a.channel] !== "");
  const all = { op: ">=", value: 1 } as const;
  return [
    metric({ id: "leads", label: "leads drafted for", value: leads, ...count("none") }),
    metric({
      id: "drafts",
      label: "drafts passing the agent's checks",
      value: audits.length,
      ...count("none"),
    }),
    metric({
      id: "personalization.drafts",
      label: "drafts using ≥ 1 lead field",
      value: share(audits.filter((a) => a.personalized).length, audits.length),
      ...percent,
    }),
    metric({
      id: "personalization.leads",
      label: "reachable leads with a personalized draft",
      value: share(pass.personalizedLeads, pass.reachableLeads),
      ...percent,
      threshold: { op: ">=", value: 0.9 },
    }),
    metric({
      id: "grounding",
      label: "drafts fully grounded",
      value: share(audits.filter(isGrounded).length, audits.length),
      ...percent,
      threshold: all,
    }),
    metric({
      id: "compliance",
      label: "email/SMS drafts with opt-out text",
      value: share(optedOut.filter((a) => a.compliant).length, optedOut.length),
      ...percent,
      threshold: all,
    }),
    metric({
      id: "length",
      label: "drafts within channel length",
      value: share(audits.filter((a) => a.length <= a.limit).length, audits.length),
      ...percent,
      threshold: all,
    }),
    metric({
      id: "rejected",
      label: "drafts the agent rejected",
      value: Object.values(pass.rejectedBy).reduce((s, n) => s + n, 0),
      ...count("lower"),
    }),
    metric({
      id: "unfillable",
      label: "channel open, no template fillable",
      value: pass.unfillable.length,
      ...count("lower"),
    }),
  ];
}

async function runEngagementSuite(ctx: SuiteContext): Promise<SuiteOutcome> {
  const scenarios = await loadScenarios(ctx.scenariosDir);
  const scenarioLeads = scenarios.flatMap((s) => ("lead" in s.input ? [s.input.lead] : []));
  let datasetLeads: LeadInput[] = [];
  if (ctx.data.files.leads) {
    const { rows } = readLeadsCsv(ctx.data.files.leads);
    const sample = sampleOf(
      rows.map((_, i) => i),
      DATASET_SAMPLE[ctx.profile],
      SAMPLE_SEED,
    );
    datasetLeads = sample.map((i) => rowToLead(rows[i]!));
  }
  ctx.progress.setTotal(scenarioLeads.length + datasetLeads.length + 1);
  const pass = draftingPass(scenarioLeads, datasetLeads, () => ctx.progress.advance(1));
  const judged = await judgeDrafts(ctx.judge, pass.drafted, {
    ci: ctx.profile === "ci",
    progress: ctx.progress,
  });
  ctx.progress.advance(1);
  const metrics = passMetrics(pass, scenarioLeads.length + datasetLeads.length);
  const value = (id: string) => ((metrics.find((m) => m.id === id)?.value ?? 0) * 100).toFixed(0);
  return {
    summary:
      `${pass.drafted.length.toLocaleString("en-US")} drafts for ${scenarioLeads.length + datasetLeads.length} leads: ` +
      `${value("personalization.drafts")}% personalized, ${value("grounding")}% grounded, ${value("compliance")}% carry their opt-out text`,
    metrics: [...metrics, ...judged.metrics],
    sections: [...engagementSections(pass, ctx.data.files.leads !== null), ...judged.sections],
    charts: [],
  };
}

export const engagementSuite: Suite = {
  id: "engagement",
  title: "Engagement: draft checks",
  needs: [],
  steps: (profile) => DATASET_SAMPLE[profile] + 12,
  run: runEngagementSuite,
};
