/**
 * The agents' data reads, through their MCP clients: each agent calls only the tools of its allowlist
 * (`AGENT_TOOLS`), as the principal `agent:<name>` of the run's tenant, so every read is authorized, scoped
 * and in the audit log where every other client's are (`mcp.tool.<name>`, actor `agent:<name>`). These
 * adapters turn the tools' structured results into the shapes the graph's nodes take.
 */
import { episodesFromActions, knowledgeQuery } from "../agents/engagement/recall.js";
import type { EngagementServices } from "../agents/engagement/services.js";
import { type CampaignSnapshot, matchCampaign } from "../agents/optimization/campaign.js";
import type { AgentClients } from "../mcp/agent-client.js";
import { crmLeadToInput } from "../mcp/crm/lead-input.js";
import type { GraphDeps } from "./build.js";

export interface AgentReadsOptions {
  /** The tenant of a run whose configuration names none. */
  defaultTenantId: string;
  /** Facts engagement retrieves per draft or reply (default 6). */
  facts?: number;
  /** Actions of similar leads engagement weighs (default 10). */
  actions?: number;
  /** Campaigns a question is matched against, newest first (default 200). */
  campaigns?: number;
}

export type AgentReads = Required<Pick<GraphDeps, "readLead" | "variantStats" | "campaignFor">> & {
  recall: NonNullable<EngagementServices["recall"]>;
};

export function agentReads(clients: AgentClients, options: AgentReadsOptions): AgentReads {
  return {
    /** Triage: the stored lead (`lead_get`); null when the tenant has no such lead. */
    async readLead(tenantId, leadId) {
      const found = await clients.for("triage", tenantId).call("lead_get", { id: leadId });
      return found ? crmLeadToInput(found.lead) : null;
    },

    /**
     * Engagement: facts relevant to the lead or the reply's question (`knowledge_query`) and what worked
     * for similar leads (`episodes_similar`). Facts keep their subject's type (facts about people are
     * screened out before drafting); similar leads' actions become episodes (`episodesFromActions`).
     */
    async recall(tenantId, { lead, text }) {
      const client = clients.for("engagement", tenantId);
      const query = knowledgeQuery(lead, text);
      // One after the other: one connection per agent, and the audit log shows them in a stable order.
      const knowledge = query
        ? await client.call("knowledge_query", { query, limit: options.facts ?? 6 })
        : null;
      const similarLeads = lead?.id
        ? await client.call("episodes_similar", { leadId: lead.id, k: options.actions ?? 10 })
        : null;
      const facts = (knowledge?.hits ?? []).map((hit) => ({
        id: String(hit.factId),
        statement: hit.statement,
        kind: hit.subject.type,
        ...(hit.source ? { source: hit.source } : {}),
      }));
      return { facts, similar: episodesFromActions(similarLeads?.actions ?? []) };
    },

    /**
     * Optimization: the variants' record in the lead's segment (`variant_stats`). Variants never tried
     * there are left out: the agent then says it is using its prior.
     */
    async variantStats(variantIds, context) {
      const found = await clients
        .for("optimization", context.tenantId ?? options.defaultTenantId)
        .call("variant_stats", {
          variantIds,
          source: context.lead?.source ?? null,
          class: context.leadClass,
        });
      return (found?.variants ?? [])
        .filter((v) => v.trials > 0)
        .map(({ variantId, successes, trials }) => ({ variantId, successes, trials }));
    },

    /** Optimization: the stored campaign a question names (`campaigns_list`, then `campaign_metrics`). */
    async campaignFor(tenantId, question): Promise<CampaignSnapshot | null> {
      const client = clients.for("optimization", tenantId);
      const listed = await client.call("campaigns_list", { limit: options.campaigns ?? 200 });
      const match = matchCampaign(question, listed?.campaigns ?? []);
      if (!match) return null;
      const metrics = await client.call("campaign_metrics", { campaignId: match.id });
      if (!metrics) return null;
      return {
        id: metrics.campaign.id,
        name: metrics.campaign.name,
        status: metrics.campaign.status,
        budget: metrics.campaign.budget,
        variants: metrics.variants.map((v) => ({
          name: v.name,
          channel: v.channel,
          impressions: v.impressions,
          conversions: v.conversions,
          cost: v.cost,
        })),
      };
    },
  };
}
