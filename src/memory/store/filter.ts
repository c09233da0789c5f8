import { MemoryError, MemoryErrorCode } from "../errors.js";

/**
 * Store search filters, parsed into conditions before any SQL is built. LangGraph's shape:
 * `{ field: value }` is equality (deep, for objects and arrays), `{ field: { $op: value, … } }` applies
 * operators. Fields may be dotted paths into nested objects (`"profile.stage"`).
 */
export const FILTER_OPERATORS = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in"] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type FilterCondition =
  | { path: string[]; op: "$eq" | "$ne"; value: JsonValue }
  | { path: string[]; op: "$gt" | "$gte" | "$lt" | "$lte"; value: number | string }
  | { path: string[]; op: "$in"; value: JsonValue[] };

export function parseFilter(filter: Record<string, unknown> | undefined): FilterCondition[] {
  if (filter === undefined) return [];
  if (filter === null || typeof filter !== "object" || Array.isArray(filter)) {
    throw invalid("a filter is an object of field → value or field → { $operator: value }");
  }
  const conditions: FilterCondition[] = [];
  for (const [field, spec] of Object.entries(filter)) {
    const path = field.split(".");
    if (path.some((p) => p === "")) throw invalid(`filter field "${field}" has an empty path segment`);
    if (!isOperatorObject(spec)) {
      conditions.push({ path, op: "$eq", value: json(spec, field) });
      continue;
    }
    for (const [op, operand] of Object.entries(spec)) {
      if (!(FILTER_OPERATORS as readonly string[]).includes(op)) {
        throw invalid(`unknown filter operator ${op} on "${field}" (known: ${FILTER_OPERATORS.join(" ")})`);
      }
      if (op === "$eq" || op === "$ne") conditions.push({ path, op, value: json(operand, field) });
      else if (op === "$in") {
        if (!Array.isArray(operand)) throw invalid(`$in on "${field}" takes an array`);
        conditions.push({ path, op, value: operand.map((v) => json(v, field)) });
      } else {
        if (typeof operand !== "string" && !(typeof operand === "number" && Number.isFinite(operand))) {
          throw invalid(`${op} on "${field}" takes a number or a string`);
        }
        conditions.push({ path, op: op as "$gt" | "$gte" | "$lt" | "$lte", value: operand });
      }
    }
  }
  return conditions;
}

/** `{ $gt: 1 }` is an operator object; `{ a: 1 }` is a value to compare with; mixing both is an error. */
function isOperatorObject(spec: unknown): spec is Record<string, unknown> {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) return false;
  const keys = Object.keys(spec);
  const operators = keys.filter((k) => k.startsWith("$"));
  if (operators.length > 0 && operators.length !== keys.length) {
    throw invalid(`a filter object mixes operators and fields: ${keys.join(", ")}`);
  }
  return operators.length > 0;
}

function json(value: unknown, field: string): JsonValue {
  if (
    value === undefined ||
    typeof value === "function" ||
    typeof value === "symbol" ||
    typeof value === "bigint"
  ) {
    throw invalid(`the filter value of "${field}" is not JSON`);
  }
  if (typeof value === "number" && !Number.isFinite(value))
    throw invalid(`the filter value of "${field}" is not finite`);
  return value as JsonValue;
}

function invalid(message: string): MemoryError {
  return new MemoryError(MemoryErrorCode.InvalidFilter, message);
}
