/**
 * Roles and the permissions they grant. Every JSON-RPC method and every MCP tool and resource declares one
 * permission; a caller's role must grant it. Closed sets on purpose: no wildcards.
 *
 * The bottom of the layering (no imports): the server (`src/server`) and the MCP server (`src/mcp`) both
 * check these, and the MCP layer sits below the server, so neither imports the other for them.
 */
export const Permissions = [
  "system:read",
  "leads:read",
  "leads:write",
  "threads:run",
  "threads:read",
  "campaigns:read",
  "campaigns:write",
  "outcomes:write",
  "memory:read",
  "memory:write",
  "audit:read",
  // Revoking tokens (auth.revoke) ends other people's sessions: admins only.
  "auth:revoke",
] as const;
export type Permission = (typeof Permissions)[number];

export const Roles = ["admin", "marketer", "analyst", "agent", "viewer"] as const;
export type Role = (typeof Roles)[number];

const readOnly: Permission[] = ["system:read", "leads:read", "threads:read", "campaigns:read", "memory:read"];

export const rolePermissions: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(Permissions),
  marketer: new Set([
    ...readOnly,
    "leads:write",
    "threads:run",
    "campaigns:write",
    "outcomes:write",
    "memory:write",
  ]),
  analyst: new Set([...readOnly, "threads:run"]),
  agent: new Set([...readOnly, "leads:write", "threads:run", "outcomes:write", "memory:write"]),
  viewer: new Set(readOnly),
};

/** Who is calling: derived from a verified token, or the local operator when auth is off. */
export interface Principal {
  subject: string;
  role: Role;
  tenantId: string;
}

/** With authentication off (loopback only), the local operator is an admin of the default tenant. */
export const localOperator: Principal = { subject: "local", role: "admin", tenantId: "default" };

export function can(principal: Principal, permission: Permission): boolean {
  return rolePermissions[principal.role].has(permission);
}
