import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import type { FilterCondition } from "./filter.js";
import type { NamespacePattern } from "./namespace.js";

/**
 * SQL fragments of the store, built with drizzle's `sql` template: every label, path and value is a bound
 * parameter, and namespaces compare as `text[]` (equality and slices), so no character is special.
 */

/** `namespace` starts with `prefix` (an empty prefix matches everything). */
export function namespaceHasPrefix(namespace: AnyColumn, prefix: readonly string[]): SQL {
  if (prefix.length === 0) return sql`true`;
  return sql`${namespace}[1:${prefix.length}] = ${textArray(prefix)}`;
}

/** "a.b." for ["a", "b"]: the `namespace_path` of the vector table (labels never contain "."). */
export function namespacePath(namespace: readonly string[]): string {
  return namespace.map((label) => `${label}.`).join("");
}

/**
 * `namespace_path` starts with `prefix`, as a byte range under the "C" collation: every path beginning with
 * "a.b." lies in ["a.b.", "a.b/"), "/" being the byte after ".". Estimated from column statistics, unlike
 * an array slice.
 */
export function namespacePathHasPrefix(path: AnyColumn, prefix: readonly string[]): SQL {
  if (prefix.length === 0) return sql`true`;
  const low = namespacePath(prefix);
  return sql`(${path} >= ${low} and ${path} < ${`${low.slice(0, -1)}/`})`;
}

export function namespaceEquals(namespace: AnyColumn, exact: readonly string[]): SQL {
  return sql`${namespace} = ${textArray(exact)}`;
}

/**
 * `listNamespaces` match conditions: a prefix or suffix path where `*` stands for any one label. Compared
 * label by label, so a label `*` can only be matched by the wildcard, never stored as one.
 */
export function namespaceMatches(
  namespace: AnyColumn,
  kind: "prefix" | "suffix",
  path: NamespacePattern,
): SQL {
  const n = path.length;
  const parts: SQL[] = [sql`cardinality(${namespace}) >= ${n}`];
  path.forEach((label, i) => {
    if (label === "*") return;
    const position = kind === "prefix" ? sql`${i + 1}` : sql`cardinality(${namespace}) - ${n - 1 - i}`;
    parts.push(sql`${namespace}[${position}] = ${label}::text`);
  });
  return sql.join(parts, sql` and `);
}

/** The filter conditions on a jsonb column, joined with AND. */
export function filterSql(value: AnyColumn, conditions: readonly FilterCondition[]): SQL {
  if (conditions.length === 0) return sql`true`;
  return sql.join(
    conditions.map((c) => conditionSql(value, c)),
    sql` and `,
  );
}

function conditionSql(value: AnyColumn, condition: FilterCondition): SQL {
  const field = sql`(${value} #> ${textArray(condition.path)})`;
  switch (condition.op) {
    case "$eq":
      // jsonb equality is structural (objects regardless of key order; 1 = 1.0).
      return sql`${field} = ${jsonb(condition.value)}`;
    case "$ne":
      // A missing field is "not equal", as in LangGraph's in-memory store.
      return sql`${field} is distinct from ${jsonb(condition.value)}`;
    case "$in":
      if (condition.value.length === 0) return sql`false`;
      return sql`${field} in (${sql.join(condition.value.map(jsonb), sql`, `)})`;
    default: {
      // jsonb orders values of different types by type (string < number < boolean …): compare only like
      // with like, so { $gt: 5 } never matches the string "6".
      const operand = jsonb(condition.value);
      const op = { $gt: sql`>`, $gte: sql`>=`, $lt: sql`<`, $lte: sql`<=` }[condition.op];
      return sql`(jsonb_typeof(${field}) = jsonb_typeof(${operand}) and ${field} ${op} ${operand})`;
    }
  }
}

export function textArray(values: readonly string[]): SQL {
  // An ARRAY constructor of bound texts: both drivers bind each element as a plain parameter.
  if (values.length === 0) return sql`'{}'::text[]`;
  return sql`array[${sql.join(
    values.map((v) => sql`${v}::text`),
    sql`, `,
  )}]::text[]`;
}

function jsonb(value: unknown): SQL {
  return sql`${JSON.stringify(value)}::jsonb`;
}

/** Words of a keyword query as an OR tsquery; only letters and digits reach `to_tsquery`, so no operators. */
export function orTsQuery(words: readonly string[]): string | null {
  const unique = [...new Set(words.filter((w) => /^[\p{L}\p{N}]+$/u.test(w)))];
  return unique.length === 0 ? null : unique.join(" | ");
}
