import { z } from "zod";
import type { AnyMethod } from "./method.js";

/**
 * An OpenRPC 1.3 document (https://spec.open-rpc.org/) derived from the method declarations, so the
 * documentation can never drift from what the dispatcher validates.
 */
export function openRpcDocument(methods: readonly AnyMethod[], info: { title: string; version: string }) {
  return {
    openrpc: "1.3.2",
    info,
    methods: methods.map((method) => ({
      name: method.name,
      description: method.description,
      paramStructure: method.positional ? "either" : "by-name",
      params: [{ name: "params", required: true, schema: jsonSchemaOf(method.params, "input") }],
      result: { name: "result", schema: jsonSchemaOf(method.result, "output") },
      "x-permission": method.permission,
      ...(method.streaming ? { "x-streaming": true } : {}),
    })),
  };
}

function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): unknown {
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: "any" });
  } catch {
    // Refinements/transforms that JSON Schema cannot express still document as "any": never fail discovery.
    return {};
  }
}
