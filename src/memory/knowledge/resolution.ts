import type { EntityType } from "./knowledge.schema.js";

/**
 * Entity resolution by normalized names: "Acme Inc.", "ACME" and "Acme, Incorporated" are one company.
 * Names are compared after Unicode folding (accents dropped), lower-casing, "&" → "and", punctuation removed
 * and, for companies, legal-form suffixes and a leading "the" dropped. Every name and alias of an entity is
 * stored under its key; a new name resolves to the entity that already owns its key.
 */
const LEGAL_SUFFIXES = new Set([
  "inc",
  "incorporated",
  "llc",
  "llp",
  "ltd",
  "limited",
  "corp",
  "corporation",
  "co",
  "company",
  "plc",
  "gmbh",
  "ag",
  "sa",
  "sas",
  "sarl",
  "bv",
  "nv",
  "oy",
  "ab",
  "pty",
  "srl",
  "spa",
  "kk",
]);

/**
 * Trailing words that describe what a company does rather than name it: "Northwind Analytics" is called
 * "Northwind" in conversation. Used only to *find* mentions in questions, never to merge entities
 * ("Acme Analytics" and "Acme Software" stay two companies).
 */
const DESCRIPTORS = new Set([
  "analytics",
  "software",
  "labs",
  "lab",
  "group",
  "technologies",
  "technology",
  "tech",
  "systems",
  "solutions",
  "holdings",
  "partners",
  "consulting",
  "digital",
  "media",
  "industries",
  "international",
  "global",
  "services",
]);

/** Prefix of the keys that only serve mention lookup (see DESCRIPTORS). */
export const SHORT_NAME_PREFIX = "short:";

/** Lower-case words of a name, accents and punctuation removed. */
export function nameWords(name: string): string[] {
  return (
    name
      .normalize("NFKD")
      .replace(/\p{M}+/gu, "")
      .toLowerCase()
      .replace(/&/g, " and ")
      // "A.C.M.E." and "O'Brien" keep their letters together.
      .replace(/(?<=\p{L})[.'’](?=\p{L})/gu, "")
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** The key a name resolves by, or null for a name with no letters or digits. */
export function canonicalName(type: EntityType, name: string): string | null {
  let words = nameWords(name);
  if (type === "company") {
    if (words[0] === "the" && words.length > 1) words = words.slice(1);
    while (words.length > 1 && LEGAL_SUFFIXES.has(words[words.length - 1]!)) words = words.slice(0, -1);
  }
  return words.length === 0 ? null : words.join(" ");
}

/** The conversational short name of a company ("northwind" for "Northwind Analytics Ltd"), if it has one. */
export function shortNameKey(type: EntityType, name: string): string | null {
  if (type !== "company") return null;
  let words = canonicalName(type, name)?.split(" ") ?? [];
  const full = words.length;
  while (words.length > 1 && DESCRIPTORS.has(words[words.length - 1]!)) words = words.slice(0, -1);
  return words.length < full ? `${SHORT_NAME_PREFIX}${words.join(" ")}` : null;
}

/** Every distinct key of a name and its aliases (a person's email is an alias too: "email:ann@x.com"). */
export function aliasKeys(type: EntityType, names: readonly string[]): { key: string; alias: string }[] {
  const seen = new Set<string>();
  const keys: { key: string; alias: string }[] = [];
  for (const alias of names) {
    const trimmed = alias.trim();
    const key = /^[^\s@]+@[^\s@]+$/.test(trimmed)
      ? `email:${trimmed.toLowerCase()}`
      : canonicalName(type, trimmed);
    if (key === null || seen.has(key)) continue;
    seen.add(key);
    keys.push({ key, alias: trimmed });
  }
  return keys;
}

/**
 * Candidate entity keys mentioned in a question: every run of 1 to `maxWords` consecutive words, so "does
 * acme inc use salesforce" proposes "acme", "acme inc", "salesforce", …, each also as a short name
 * ("short:northwind"), looked up in the alias table.
 */
export function mentionCandidates(text: string, maxWords = 4): string[] {
  const words = nameWords(text);
  const keys = new Set<string>();
  for (let n = 1; n <= maxWords; n++) {
    for (let i = 0; i + n <= words.length; i++) keys.add(words.slice(i, i + n).join(" "));
  }
  const exact = [...keys].slice(0, 250);
  return [...exact, ...exact.map((k) => `${SHORT_NAME_PREFIX}${k}`)];
}
