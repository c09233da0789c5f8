/**
 * Roles and permissions live in `src/auth/permissions.ts`, below every layer that checks them (the MCP
 * server among them, which must not import from the server layer). Re-exported here for the server's own
 * modules.
 */
export {
  can,
  localOperator,
  type Permission,
  Permissions,
  type Principal,
  type Role,
  Roles,
  rolePermissions,
} from "../../auth/permissions.js";
