import { z } from "zod";

export type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema sent to the model for a zod schema, and whether it can be sent with
 * `strict: true`.
 *
 * OpenAI's strict mode guarantees schema-shaped output but rejects the whole request (HTTP 400) when
 * the schema uses anything outside its subset: optional properties, open objects, `minLength`,
 * `pattern`, untyped nodes. (@langchain/openai always sends zod schemas as strict, so an `.optional()`
 * field breaks every call.) We send strict only when the schema fits a conservative subset of
 * https://platform.openai.com/docs/guides/structured-outputs#supported-schemas and otherwise rely on
 * validation and retries. Local servers (Ollama, vLLM, LM Studio) constrain decoding either way.
 */
export function responseSchemaOf(schema: z.ZodType): { schema: JsonSchema; strict: boolean } {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
  });
  const strict = jsonSchema["type"] === "object" && fitsStrictSubset(jsonSchema);
  return { schema: strict ? closeObjects(jsonSchema) : jsonSchema, strict };
}

const STRICT_KEYWORDS = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "const",
  "anyOf",
  "description",
  "title",
  "$defs",
  "$ref",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minItems",
  "maxItems",
]);

function fitsStrictSubset(node: unknown): boolean {
  if (!isRecord(node)) return false;
  if (!Object.keys(node).every((key) => STRICT_KEYWORDS.has(key))) return false;
  if (!["type", "anyOf", "$ref", "enum", "const"].some((key) => key in node)) return false;
  const types = [node["type"]].flat();
  if (types.includes("object")) {
    const properties = node["properties"];
    if (!isRecord(properties)) return false;
    const required = new Set(Array.isArray(node["required"]) ? node["required"] : []);
    if (!Object.keys(properties).every((key) => required.has(key))) return false;
    if (node["additionalProperties"] !== undefined && node["additionalProperties"] !== false) return false;
  }
  const children = [
    ...Object.values(isRecord(node["properties"]) ? node["properties"] : {}),
    ...Object.values(isRecord(node["$defs"]) ? node["$defs"] : {}),
    ...(Array.isArray(node["anyOf"]) ? node["anyOf"] : []),
    ...(node["items"] === undefined ? [] : [node["items"]]),
  ];
  return children.every(fitsStrictSubset);
}

/** Strict mode wants `additionalProperties: false` spelled out on every object. */
function closeObjects(node: unknown): JsonSchema {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (!isRecord(value)) return value;
    const out = Object.fromEntries(Object.entries(value).map(([key, child]) => [key, visit(child)]));
    if ([value["type"]].flat().includes("object")) out["additionalProperties"] = false;
    return out;
  };
  return visit(node) as JsonSchema;
}

export type ParsedOutput<T> = { ok: true; value: T } | { ok: false; problem: string; error: Error };

/**
 * Parses a model's answer as JSON and validates it. Tolerates what models wrap JSON in when a
 * server ignores `response_format` (a Markdown fence, a sentence before the object), nothing more.
 */
export function parseModelJson<T>(text: string, schema: z.ZodType<T>): ParsedOutput<T> {
  let json: unknown;
  try {
    json = JSON.parse(jsonTextOf(text));
  } catch (error) {
    const syntax = error instanceof Error ? error : new SyntaxError(String(error));
    const problem =
      text.trim() === "" ? "the answer was empty" : `the answer is not valid JSON (${syntax.message})`;
    return { ok: false, problem, error: syntax };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    problem: `the JSON does not match the schema:\n${z.prettifyError(result.error)}`,
    error: result.error,
  };
}

function jsonTextOf(text: string): string {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(trimmed);
  if (fenced?.[1] !== undefined) return fenced[1];
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return trimmed;
  const start = trimmed.indexOf("{");
  const end = trimmed.lastIndexOf("}");
  return start >= 0 && end > start ? trimmed.slice(start, end + 1) : trimmed;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
