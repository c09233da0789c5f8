import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { can, type Permission, type Principal } from "../auth/permissions.js";
import type { McpDeps, PrincipalSource } from "./context.js";
import { insufficientScope, McpCode } from "./errors.js";

/**
 * The resources: `lead://{id}`, `campaign://{id}` and `segment://summary`. Each URI scheme has one required
 * permission (the transport gate reads `resourcePermission` to refuse before the server runs).
 */
const SCHEME_PERMISSIONS: Record<string, Permission> = {
  "lead:": "leads:read",
  "campaign:": "campaigns:read",
  "segment:": "leads:read",
};

export function resourcePermission(uri: string): Permission | undefined {
  try {
    return SCHEME_PERMISSIONS[new URL(uri).protocol];
  } catch {
    return undefined;
  }
}

export const resourceAuditMethod = (uri: string) =>
  `mcp.resource.${resourcePermission(uri) ? new URL(uri).protocol.slice(0, -1) : "unknown"}`;

const Uuid = z.uuid();

export function registerResources(server: McpServer, deps: McpDeps, principalOf: PrincipalSource): void {
  type Extra = Parameters<PrincipalSource>[0] & { requestId: string | number };
  /** Authorizes, runs and audits one read. */
  const read = async (
    uri: URL,
    extra: Extra,
    target: string | null,
    body: (principal: Principal) => Promise<unknown>,
  ): Promise<ReadResourceResult> => {
    const principal = principalOf(extra);
    const permission = resourcePermission(uri.href)!;
    const audit = (result: "ok" | "error" | "denied") =>
      deps.audit.record({
        at: new Date(),
        tenantId: principal.tenantId,
        actor: principal.subject,
        role: principal.role,
        method: resourceAuditMethod(uri.href),
        target,
        result,
        requestId: String(extra.requestId),
      });
    if (!can(principal, permission)) {
      audit("denied");
      throw insufficientScope(permission);
    }
    try {
      const value = await body(principal);
      if (value === null) {
        throw new McpError(McpCode.NotFound, `resource ${uri.href} not found`);
      }
      audit("ok");
      return {
        contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(value) }],
      };
    } catch (error) {
      audit("error");
      throw error;
    }
  };
  const idOf = (value: string | string[] | undefined) => {
    const id = Array.isArray(value) ? value[0] : value;
    return id !== undefined && Uuid.safeParse(id).success ? id : null;
  };

  server.registerResource(
    "lead",
    new ResourceTemplate("lead://{id}", {
      // Listing shows the newest leads only: a CRM can hold millions; leads_search pages through the rest.
      list: async (extra) => {
        const principal = principalOf(extra);
        if (!can(principal, "leads:read")) return { resources: [] };
        const leads = await deps.crm.searchLeads(principal.tenantId, { limit: 20, offset: 0 });
        return {
          resources: leads.map((lead) => ({
            uri: `lead://${lead.id}`,
            name: lead.name ?? lead.email ?? lead.id,
            mimeType: "application/json",
          })),
        };
      },
    }),
    {
      title: "Lead",
      description:
        "One lead of the caller's tenant as JSON (stage, triage score and class). Requires leads:read.",
      mimeType: "application/json",
    },
    (uri, variables, extra) => {
      const id = idOf(variables["id"]);
      return read(uri, extra, id, async (p) => (id ? deps.crm.getLead(p.tenantId, id) : null));
    },
  );

  server.registerResource(
    "campaign",
    new ResourceTemplate("campaign://{id}", { list: undefined }),
    {
      title: "Campaign",
      description:
        "One campaign of the caller's tenant with its variants' metrics as JSON. Requires campaigns:read.",
      mimeType: "application/json",
    },
    (uri, variables, extra) => {
      const id = idOf(variables["id"]);
      return read(uri, extra, id, async (p) => (id ? deps.crm.campaignMetrics(p.tenantId, id) : null));
    },
  );

  server.registerResource(
    "segment-summary",
    "segment://summary",
    {
      title: "Segment summary",
      description:
        "The tenant's leads per segment (source/class): count, mean triage score, count per stage. Requires leads:read.",
      mimeType: "application/json",
    },
    (uri, extra) =>
      read(uri, extra, null, async (p) => ({ segments: await deps.crm.segmentSummary(p.tenantId) })),
  );
}
