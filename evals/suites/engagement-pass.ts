import type { Draft } from "../../src/agents/engagement/draft.js";
import { runEngagement } from "../../src/agents/engagement/node.js";
import type { LeadInput } from "../../src/db/lead-input.js";
import { auditDraft, type DraftAudit, leadVocabulary } from "./engagement-checks.js";

/**
 * One drafting pass: every lead through the offline engagement agent (`runEngagement`) at both cadences
 * (as a hot lead: "now"; as a warm one: "nurture"), so every template path is exercised, with each draft
 * the agent would show a person audited by the harness's own checks. Pure apart from the `onLead` callback.
 */

export interface DraftedLead {
  lead: LeadInput;
  draft: Draft;
  audit: DraftAudit;
}

export interface DraftingPass {
  scenarioLeads: number;
  datasetLeads: number;
  /** Drafts that passed the agent's own checks, audited. */
  drafted: DraftedLead[];
  /** Leads with a permitted channel (email, or LinkedIn through a company or title). */
  reachableLeads: number;
  /** Reachable leads with at least one draft that uses a lead field. */
  personalizedLeads: number;
  /** Drafts the agent rejected, by failing check name. */
  rejectedBy: Record<string, number>;
  /** `channel/cadence` for each lead × cadence with a channel but no template the lead could fill. */
  unfillable: string[];
  /** Channel chosen (or "none: why") per lead × cadence. */
  channels: Record<string, number>;
}

export function draftingPass(
  scenarioLeads: readonly LeadInput[],
  datasetLeads: readonly LeadInput[],
  onLead: () => void = () => {},
): DraftingPass {
  const leads = [...scenarioLeads, ...datasetLeads];
  const vocabulary = leadVocabulary(leads);
  const pass: DraftingPass = {
    scenarioLeads: scenarioLeads.length,
    datasetLeads: datasetLeads.length,
    drafted: [],
    reachableLeads: 0,
    personalizedLeads: 0,
    rejectedBy: {},
    unfillable: [],
    channels: {},
  };
  for (const lead of leads) {
    let personal = false;
    let reachable = false;
    for (const leadClass of ["hot", "warm"] as const) {
      const { result } = runEngagement({ lead, leadClass });
      const channel = result.channel ?? `none: ${result.channelReason}`;
      pass.channels[channel] = (pass.channels[channel] ?? 0) + 1;
      reachable ||= result.channel !== null;
      for (const draft of result.drafts) {
        const audit = auditDraft(draft, lead, vocabulary);
        pass.drafted.push({ lead, draft, audit });
        personal ||= audit.personalized;
      }
      for (const draft of result.rejected) {
        for (const check of draft.checks.filter((c) => !c.passed)) {
          pass.rejectedBy[check.name] = (pass.rejectedBy[check.name] ?? 0) + 1;
        }
      }
      if (result.channel && result.drafts.length === 0 && result.rejected.length === 0) {
        pass.unfillable.push(`${result.channel}/${result.cadence}`);
      }
    }
    if (reachable) pass.reachableLeads++;
    if (reachable && personal) pass.personalizedLeads++;
    onLead();
  }
  return pass;
}
