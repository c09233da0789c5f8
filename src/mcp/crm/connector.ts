/**
 * The seam between the MCP tools and wherever the CRM data lives. The tools speak only this interface; the
 * default implementation (`own-tables.ts`) is the project's own Postgres tables. A HubSpot or Salesforce
 * connector implements the same interface over their REST APIs (docs/mcp.md says how), so access control,
 * tenant scoping and the audit log stay in one place: the MCP server in front of it.
 *
 * Every method takes the caller's tenant first: a connector must never return another tenant's record,
 * and a record of another tenant is indistinguishable from none (`null`).
 */

import type { LeadRecord } from "../../db/lead-record.js";

/** A lead as the connector returns it: absent values are null, times are ISO 8601 strings. */
export type CrmLead = LeadRecord;

/** The pipeline stages a lead moves through; a connector maps them onto its CRM's own stage names. */
export const LEAD_STAGES = [
  "new",
  "triaged",
  "contacted",
  "engaged",
  "qualified",
  "converted",
  "disqualified",
] as const;
export type LeadStage = (typeof LEAD_STAGES)[number];

export interface LeadSearch {
  /** Case-insensitive match on name, email, company or title. */
  text?: string | undefined;
  stage?: string | undefined;
  class?: string | undefined;
  source?: string | undefined;
  minScore?: number | undefined;
  limit: number;
  offset: number;
}

export interface CampaignVariantMetrics {
  variantId: string;
  name: string;
  channel: string | null;
  impressions: number;
  conversions: number;
  /** conversions / impressions; null before the first impression. */
  conversionRate: number | null;
  /** Mean of the Beta posterior of the conversion rate. */
  posteriorMean: number;
  cost: number | null;
}

/** A campaign without its variants, as listings return it. */
export interface CampaignSummary {
  id: string;
  name: string;
  channel: string | null;
  status: string;
  budget: number | null;
  createdAt: string;
}

export interface CampaignListing {
  /** Only campaigns in this status (e.g. "active"). */
  status?: string | undefined;
  limit: number;
}

export interface CampaignMetrics {
  campaign: CampaignSummary;
  variants: CampaignVariantMetrics[];
  totals: { impressions: number; conversions: number; cost: number | null };
  /** Segments results were reported for. */
  segments: string[];
}

export interface SegmentSummary {
  segment: string;
  leads: number;
  /** Mean triage score of the scored leads; null when none is scored. */
  meanScore: number | null;
  byStage: Record<string, number>;
}

export interface CrmConnector {
  /** A short name for logs and docs: "own-tables", "hubspot", "salesforce". */
  readonly name: string;
  searchLeads(tenantId: string, search: LeadSearch): Promise<CrmLead[]>;
  getLead(tenantId: string, id: string): Promise<CrmLead | null>;
  /** Moves a lead to a stage; null when the tenant has no such lead. */
  updateStage(tenantId: string, id: string, stage: LeadStage): Promise<CrmLead | null>;
  /** The tenant's campaigns, newest first. */
  listCampaigns(tenantId: string, listing: CampaignListing): Promise<CampaignSummary[]>;
  campaignMetrics(tenantId: string, campaignId: string, segment?: string): Promise<CampaignMetrics | null>;
  segmentSummary(tenantId: string): Promise<SegmentSummary[]>;
}
