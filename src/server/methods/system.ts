import { z } from "zod";
import { defineMethod } from "../rpc/method.js";
import type { Services } from "./services.js";

export function systemMethods(services: Services) {
  return [
    defineMethod({
      name: "system.health",
      description: "Liveness and the pieces this replica runs on: database driver, model, uptime.",
      permission: "system:read",
      params: z.object({}).strict(),
      result: z.object({
        status: z.enum(["ok", "degraded"]),
        version: z.string(),
        database: z.object({ driver: z.enum(["pglite", "postgres"]), reachable: z.boolean() }),
        model: z.string(),
        uptimeSeconds: z.number(),
      }),
      handler: async () => {
        const reachable = await services.database.ping().then(
          () => true,
          () => false,
        );
        return {
          status: reachable ? ("ok" as const) : ("degraded" as const),
          version: services.version,
          database: { driver: services.database.driver, reachable },
          model: services.model,
          uptimeSeconds: Math.round((Date.now() - services.startedAt.getTime()) / 1000),
        };
      },
    }),
  ];
}
