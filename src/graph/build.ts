import {
  type BaseCheckpointSaver,
  END,
  interrupt,
  type LangGraphRunnableConfig,
  START,
  StateGraph,
} from "@langchain/langgraph";
import type { ChatOpenAI } from "@langchain/openai";
import {
  ApprovalDecision,
  type ApprovalPolicy,
  type Delivery,
  needsApproval,
} from "../agents/engagement/approval.js";
import { type OutgoingMessage, planSend } from "../agents/engagement/send.js";
import { type EngagementServices, engage } from "../agents/engagement/services.js";
import type { AgentId, HandoffDecision } from "../agents/handoff.js";
import { runOptimizationAgent } from "../agents/optimization/agent.js";
import type { CampaignSnapshot } from "../agents/optimization/campaign.js";
import type { VariantStats } from "../agents/optimization/node.js";
import { runTriage, type TriageDeps, type TriageResult } from "../agents/triage/node.js";
import type { Recalibration } from "../agents/triage/recalibration.js";
import { ChannelError } from "../channels/errors.js";
import type { LeadInput } from "../db/lead-input.js";
import { type ProfileBlock, type ProfilePatch, renderProfile } from "../memory/profile/profile.js";
import { outboxKeyOf } from "./outbox-key.js";
import { GraphState, type GraphStateUpdate, type GraphStateValue } from "./state.js";

export interface GraphDeps {
  triage: TriageDeps;
  /**
   * Outcomes observed so far per variant: the optimization agent's evidence. The context says whose run it
   * is, so the evidence can be that of the lead's segment (adaptive memory pools by source and class).
   */
  variantStats: (variantIds: string[], context: VariantStatsContext) => Promise<VariantStats[]>;
  /**
   * Reads a stored lead through the triage agent's MCP client (`lead_get`), so the agent's data access is
   * authorized and audited in one place (src/mcp). Absent: the lead in the state is used as given.
   */
  readLead?: (tenantId: string, leadId: string) => Promise<(LeadInput & { id: string }) | null>;
  /**
   * The tenant's outcome recalibration of the scoring model (the learning loop's hold on triage), read at
   * each triage of a lead. Absent: the model's probability stands.
   */
  recalibrationFor?: (tenantId: string) => Promise<Recalibration | null>;
  /** Persists a stored lead's triage result (score, class, stage). */
  onTriaged?: (tenantId: string, leadId: string, result: TriageResult) => Promise<void>;
  /**
   * The chat model for the agents' LLM paths, or null for offline mode. Agents that have an LLM path take
   * it from here; every output says which model produced it.
   */
  llm?: ChatOpenAI | null;
  /** When a person must approve a message before it is queued. */
  approvalPolicy: ApprovalPolicy;
  /** Tokens of working set (profile, conversation, what worked) per engagement model call; default 1,500. */
  contextBudget?: number;
  /** Engagement's memory, suppression list and drafting policy; absent: no memory, nothing suppressed. */
  engagement?: EngagementServices;
  /** The stored campaign a question names, answered from its readout by the optimization agent. */
  campaignFor?: (tenantId: string, question: string) => Promise<CampaignSnapshot | null>;
  /**
   * Queues an approved message; the key makes a replayed step queue it at most once. Throws a
   * `ChannelError` "suppressed" when the lead may not be contacted on the channel.
   */
  deliver: (
    tenantId: string,
    message: OutgoingMessage & { idempotencyKey: string; leadId?: string; approvedBy?: string },
  ) => Promise<{ outboxId: number }>;
  /**
   * The lead's profile block (adaptive memory): engagement records replies and what was queued,
   * optimization reads the last touch (so the same message is not sent twice in a row) and records its
   * choice. Each change is attributed to the agent. Absent: no profile.
   */
  profile?: {
    read(tenantId: string, leadId: string): Promise<ProfileBlock>;
    update(
      tenantId: string,
      leadId: string,
      patch: ProfilePatch,
      actor: "engagement" | "optimization",
    ): Promise<void>;
  };
  clock?: () => Date;
  /** Fault-injection testing only: a pause before every agent step, so a test can kill a process mid-run. */
  stepDelayMs?: number;
}

/** Who the optimization agent is choosing for: the run's tenant, lead and triage class. */
export interface VariantStatsContext {
  tenantId: string | null;
  lead: GraphStateValue["lead"];
  leadClass: string | null;
}

/** What an approval interrupt shows the reviewer. */
export interface ApprovalRequest {
  kind: "approval";
  variantId: string;
  channel: string;
  subject?: string;
  body: string;
  reason: string;
}

/** The record of a decision, for the handoff log and the next-node router. */
function handoffUpdate(from: AgentId, decision: HandoffDecision, clock: () => Date): GraphStateUpdate {
  return {
    next: decision.to,
    handoffs: [{ from, to: decision.to, reason: decision.reason, at: clock().toISOString() }],
  };
}

/** A stable seed per thread and step, so a replayed step makes the same random choice. */
function seedOf(config: LangGraphRunnableConfig, step: number): number {
  const key = `${config.configurable?.thread_id ?? ""}:${step}`;
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return h >>> 0;
}

const routeNext = (state: GraphStateValue) => (state.next === "end" ? END : state.next);

/** Assembles the three agents into one graph with conditional handoff edges. */
export function buildGraph(deps: GraphDeps, checkpointer?: BaseCheckpointSaver) {
  const clock = deps.clock ?? (() => new Date());

  const triage = async (
    state: GraphStateValue,
    config: LangGraphRunnableConfig,
  ): Promise<GraphStateUpdate> => {
    const tenantId = config.configurable?.tenant_id;
    // A stored lead is read as stored now (fields the input left out included); the input's fields win.
    const stored =
      state.lead?.id && typeof tenantId === "string" ? await deps.readLead?.(tenantId, state.lead.id) : null;
    const lead = stored ? { ...stored, ...state.lead } : state.lead;
    const recalibration =
      lead && typeof tenantId === "string" ? await deps.recalibrationFor?.(tenantId) : undefined;
    // With a chat model, the analysis also reads what earlier interactions left in the lead's profile.
    const history =
      deps.llm && deps.profile && stored && typeof tenantId === "string"
        ? renderProfile(await deps.profile.read(tenantId, stored.id))
        : "";
    // With a chat model the triage agent adds its LLM analysis; a failed call leaves the offline result.
    const { result, handoff } = await runTriage(
      { lead, message: state.message },
      {
        ...deps.triage,
        ...(recalibration ? { recalibration } : {}),
        ...(history ? { history } : {}),
        llm: deps.llm ?? null,
        ...(config.signal ? { signal: config.signal } : {}),
      },
    );
    if (result && state.lead?.id && typeof tenantId === "string")
      await deps.onTriaged?.(tenantId, state.lead.id, result);
    // The agents after triage work on the lead as stored, not on the id a caller may have sent alone.
    return {
      ...(stored ? { lead } : {}),
      triageResult: result,
      ...handoffUpdate("triage", handoff, clock),
    };
  };

  /** Second visit: optimization chose a variant; approve (if policy says so) and queue it. */
  const send = async (state: GraphStateValue, config: LangGraphRunnableConfig): Promise<GraphStateUpdate> => {
    const selectedId = state.optimizationResult?.selected?.variantId;
    const draft = state.engagementResult?.drafts.find((d) => d.variantId === selectedId);
    if (!draft || !state.lead) {
      return handoffUpdate(
        "engagement",
        { to: "end", reason: "selected variant not among the drafts" },
        clock,
      );
    }
    let decision: (ApprovalDecision & { by?: string }) | null = null;
    if (needsApproval(deps.approvalPolicy, state.triageResult?.class)) {
      const request: ApprovalRequest = {
        kind: "approval",
        variantId: draft.variantId,
        channel: draft.channel,
        ...(draft.subject ? { subject: draft.subject } : {}),
        body: draft.body,
        reason: `policy "${deps.approvalPolicy}" requires a person to approve before anything is sent`,
      };
      // Everything before this line runs again on resume, so nothing above has side effects.
      const answer = interrupt(request) as { decision?: unknown; by?: unknown };
      const parsed = ApprovalDecision.safeParse(answer?.decision);
      if (!parsed.success) throw new Error(`invalid approval decision: ${parsed.error.message}`);
      decision = { ...parsed.data, ...(typeof answer.by === "string" ? { by: answer.by } : {}) };
    }
    // The re-check of an edited message sees the facts the drafts could cite and the link allowlist.
    const plan = planSend(draft, state.lead, decision, {
      facts: state.engagementResult?.facts ?? [],
      ...(deps.engagement?.policy?.allowedLinkHosts
        ? { policy: { allowedLinkHosts: deps.engagement.policy.allowedLinkHosts } }
        : {}),
    });
    if (plan.kind === "stop")
      return { delivery: plan.delivery, ...handoffUpdate("engagement", plan.handoff, clock) };
    const tenantId = String(config.configurable?.tenant_id ?? "default");
    const idempotencyKey = outboxKeyOf(String(config.configurable?.thread_id), state.handoffs.length);
    let outboxId: number;
    try {
      ({ outboxId } = await deps.deliver(tenantId, {
        ...plan.message,
        idempotencyKey,
        ...(state.lead.id ? { leadId: state.lead.id } : {}),
        ...(plan.approvedBy ? { approvedBy: plan.approvedBy } : {}),
      }));
    } catch (error) {
      // The lead opted out while the message waited for approval: the outbox refuses it.
      if (!(error instanceof ChannelError && error.code === "suppressed")) throw error;
      const blocked: Delivery = { status: "blocked", variantId: draft.variantId, reason: error.message };
      return {
        delivery: blocked,
        ...handoffUpdate("engagement", { to: "end", reason: error.message }, clock),
      };
    }
    const how = plan.approvedBy
      ? `approved by ${plan.approvedBy}`
      : `no approval needed (policy "${deps.approvalPolicy}")`;
    const delivery: Delivery = {
      status: "queued",
      variantId: draft.variantId,
      outboxId,
      ...(plan.approvedBy ? { approvedBy: plan.approvedBy } : {}),
      reason: `${draft.channel} message ${draft.variantId} queued in the outbox (${how})`,
    };
    if (deps.profile && state.lead.id) {
      await deps.profile.update(
        tenantId,
        state.lead.id,
        { lastTouch: { event: "queued", channel: draft.channel, variantId: draft.variantId } },
        "engagement",
      );
    }
    return {
      delivery,
      messages: [{ role: "assistant", agent: "engagement", content: `[offline] ${delivery.reason}` }],
      ...handoffUpdate("engagement", { to: "end", reason: delivery.reason }, clock),
    };
  };

  const engagement = async (
    state: GraphStateValue,
    config: LangGraphRunnableConfig,
  ): Promise<GraphStateUpdate> => {
    if (state.optimizationResult?.selected && state.delivery === null) return send(state, config);
    const tenantId = config.configurable?.tenant_id;
    const leadId = state.lead?.id;
    // The model calls' working set: the profile and the thread so far (this run's own message is the
    // reply itself, given to the model on its own).
    const profile =
      deps.llm && deps.profile && leadId && typeof tenantId === "string"
        ? await deps.profile.read(tenantId, leadId)
        : null;
    const last = state.messages.at(-1);
    const conversation =
      last?.role === "user" && last.content === state.message ? state.messages.slice(0, -1) : state.messages;
    const { result, handoff } = await engage(
      {
        tenantId: typeof tenantId === "string" ? tenantId : null,
        lead: state.lead,
        leadClass: state.triageResult?.class ?? null,
        message: state.message,
        replyKey: `${config.configurable?.thread_id}:${state.handoffs.length}`,
        profile,
        conversation,
        ...(deps.contextBudget ? { contextBudget: deps.contextBudget } : {}),
      },
      deps.engagement,
      { llm: deps.llm ?? null, ...(config.signal ? { signal: config.signal } : {}) },
    );
    if (result.reply && deps.profile && state.lead?.id && typeof tenantId === "string") {
      const intent = result.reply.intent;
      await deps.profile.update(
        tenantId,
        state.lead.id,
        {
          facts: { lastReplyIntent: intent },
          ...(intent === "unsubscribe" ? { preferences: { contact: "none" } } : {}),
          ...(intent === "meeting" ? { stage: "meeting-requested" } : {}),
          lastTouch: { event: "replied", summary: `reply read as ${intent}` },
        },
        "engagement",
      );
    }
    const summary = result.reply
      ? `Reply read as ${result.reply.intent} (sentiment ${result.reply.sentiment.toFixed(2)}).`
      : `Drafted ${result.drafts.length} ${result.channel ?? ""} variant(s); ${result.rejected.length} rejected by checks.`;
    return {
      engagementResult: result,
      messages: [{ role: "assistant", agent: "engagement", content: `[${result.model}] ${summary}` }],
      ...handoffUpdate("engagement", handoff, clock),
    };
  };

  const optimization = async (
    state: GraphStateValue,
    config: LangGraphRunnableConfig,
  ): Promise<GraphStateUpdate> => {
    const drafted = state.engagementResult?.drafts.map((d) => d.variantId) ?? [];
    const tenantId = config.configurable?.tenant_id;
    const leadId = state.lead?.id;
    const profile =
      deps.profile && leadId && typeof tenantId === "string"
        ? await deps.profile.read(tenantId, leadId)
        : null;
    // The message the lead got last time is not sent again while there is another to choose.
    const lastVariant = profile?.lastTouch?.value.variantId;
    const variantIds =
      lastVariant && drafted.length > 1 && drafted.includes(lastVariant)
        ? drafted.filter((v) => v !== lastVariant)
        : drafted;
    const skipped = variantIds.length < drafted.length ? lastVariant : undefined;
    const stats =
      variantIds.length > 0
        ? await deps.variantStats(variantIds, {
            tenantId: typeof tenantId === "string" ? tenantId : null,
            lead: state.lead,
            leadClass: state.triageResult?.class ?? null,
          })
        : [];
    // A question without a lead is about campaigns: answer from the stored campaign it names, if any.
    const question = variantIds.length === 0 && !state.lead ? state.message : null;
    const campaign =
      question && deps.campaignFor && typeof tenantId === "string"
        ? await deps.campaignFor(tenantId, question)
        : null;
    const { result, handoff } = await runOptimizationAgent(
      {
        variantIds,
        stats,
        seed: seedOf(config, state.handoffs.length),
        question,
        campaign,
        pendingReply: Boolean(state.lead && state.message && state.engagementResult === null),
      },
      { llm: deps.llm ?? null, ...(config.signal ? { signal: config.signal } : {}) },
    );
    if (deps.profile && leadId && typeof tenantId === "string" && result.selected) {
      await deps.profile.update(
        tenantId,
        leadId,
        { facts: { selectedVariant: result.selected.variantId } },
        "optimization",
      );
    }
    const skippedNote = skipped ? ` (${skipped} left out: it was the lead's last touch)` : "";
    return {
      optimizationResult: result,
      messages: [
        {
          role: "assistant",
          agent: "optimization",
          content: `[${result.model}] ${result.selected?.reason ?? result.strategy}${skippedNote}`,
        },
      ],
      ...handoffUpdate("optimization", handoff, clock),
    };
  };

  const paced =
    <A extends unknown[], R>(node: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (deps.stepDelayMs) await new Promise((resolve) => setTimeout(resolve, deps.stepDelayMs));
      return node(...args);
    };

  const graph = new StateGraph(GraphState)
    .addNode("triage", paced(triage))
    .addNode("engagement", paced(engagement))
    .addNode("optimization", paced(optimization))
    .addEdge(START, "triage")
    .addConditionalEdges("triage", routeNext, ["engagement", "optimization", END])
    .addConditionalEdges("engagement", routeNext, ["optimization", END])
    .addConditionalEdges("optimization", routeNext, ["engagement", END]);
  return graph.compile(checkpointer ? { checkpointer } : {});
}

export type MarketingGraph = ReturnType<typeof buildGraph>;
