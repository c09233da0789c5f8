import { Channels } from "../../src/agents/engagement/templates.js";
import type { SectionInput } from "../harness/report.js";
import { type DraftAudit, isGrounded } from "./engagement-checks.js";
import type { DraftingPass } from "./engagement-pass.js";
import { percentile } from "./triage-curves.js";

/** The engagement suite's part of report.md, from a drafting pass alone. Pure. */

const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(0)}%`;
const counted = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => [key, String(n)]);

function lengthRows(audits: readonly DraftAudit[]): string[][] {
  return Channels.flatMap((channel) => {
    const ofChannel = audits.filter((a) => a.channel === channel);
    if (ofChannel.length === 0) return [];
    const lengths = ofChannel.map((a) => a.length);
    const limit = ofChannel[0]!.limit;
    return [
      [
        channel,
        String(lengths.length),
        String(Math.round(percentile(lengths, 50))),
        String(Math.max(...lengths)),
        String(limit),
        `${((lengths.filter((l) => l <= limit).length / lengths.length) * 100).toFixed(1)}%`,
      ],
    ];
  });
}

function variantRows(audits: readonly DraftAudit[]): string[][] {
  const byVariant = new Map<string, DraftAudit[]>();
  for (const a of audits) byVariant.set(a.variantId, [...(byVariant.get(a.variantId) ?? []), a]);
  return [...byVariant.entries()].map(([id, list]) => [
    id,
    String(list.length),
    pct(list.filter((a) => a.personalized).length, list.length),
    pct(list.filter(isGrounded).length, list.length),
    String(
      Math.round(
        percentile(
          list.map((a) => a.length),
          50,
        ),
      ),
    ),
  ]);
}

export function engagementSections(pass: DraftingPass, datasetAvailable: boolean): SectionInput[] {
  const audits = pass.drafted.map((d) => d.audit);
  const ungrounded = pass.drafted.filter((d) => !isGrounded(d.audit)).slice(0, 10);
  const unfillableKinds = [...new Set(pass.unfillable)].map(
    (k) => `${k}: ${pass.unfillable.filter((u) => u === k).length}`,
  );
  const sections: SectionInput[] = [
    {
      kind: "text",
      text:
        `${pass.scenarioLeads} scenario leads and ${pass.datasetLeads} dataset leads${datasetAvailable ? "" : " (no leads.csv found)"}, ` +
        "each drafted at both cadences. The checks are the harness's own, not the drafts' self-reported ones: *grounded* " +
        "means every lead-specific token in the text (a value of any lead's fields that the templates do not say " +
        "themselves) belongs to a field the draft claims in `groundedOn`, and every claimed field appears.",
    },
    {
      kind: "table",
      title: "Per template variant",
      columns: ["Variant", "Drafts", "Personalized", "Grounded", "Median length"],
      numeric: [1, 2, 3, 4],
      rows: variantRows(audits),
    },
    {
      kind: "table",
      title: "Length per channel (characters of the body)",
      columns: ["Channel", "Drafts", "Median", "Max", "Limit", "Within limit"],
      numeric: [1, 2, 3, 4, 5],
      rows: lengthRows(audits),
    },
    {
      kind: "table",
      title: "Channel chosen (per lead and cadence)",
      columns: ["Channel", "Count"],
      numeric: [1],
      rows: counted(pass.channels),
    },
    {
      kind: "table",
      title: "Drafts the agent rejected, by failing check",
      columns: ["Check", "Drafts"],
      numeric: [1],
      rows: Object.keys(pass.rejectedBy).length > 0 ? counted(pass.rejectedBy) : [["(none)", "0"]],
    },
  ];
  if (pass.unfillable.length > 0) {
    sections.push({
      kind: "text",
      title: "Nothing to draft",
      text:
        `${pass.unfillable.length} lead × cadence pairs had a permitted channel but no template whose slots the lead ` +
        `could fill (${unfillableKinds.join(", ")}), so the agent drafted nothing for them and the graph ends the run ` +
        `with "no … draft passed its checks".`,
    });
  }
  if (ungrounded.length > 0) {
    sections.push({
      kind: "table",
      title: "Ungrounded drafts (first 10)",
      columns: ["Lead", "Variant", "Untraced tokens", "Unbacked fields"],
      rows: ungrounded.map((d) => [
        d.lead.name ?? d.lead.email ?? "",
        d.draft.variantId,
        d.audit.untraced.join(", "),
        d.audit.unbacked.join(", "),
      ]),
    });
  }
  return sections;
}
