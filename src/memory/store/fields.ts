/**
 * The texts an item is indexed by, from LangGraph-style field paths: `$` (the whole value as JSON), `a.b`,
 * `list[*].text` (each element), `list[0]`, `list[-1]` (last). Strings are taken as they are, numbers and
 * booleans as their text; objects as JSON; missing paths give nothing.
 */
export function textsAtPath(value: unknown, path: string): string[] {
  if (path === "$") return [JSON.stringify(value)];
  let current: unknown[] = [value];
  for (const segment of path.split(".")) {
    const match = /^([^[\]]*)((?:\[(?:\*|-?\d+)\])*)$/.exec(segment);
    if (match === null) return [];
    const [, name, indexes] = match;
    current = current.flatMap((node) => {
      if (name === "") return [node];
      if (node === null || typeof node !== "object" || Array.isArray(node)) return [];
      const child = (node as Record<string, unknown>)[name!];
      return child === undefined ? [] : [child];
    });
    for (const index of indexes!.match(/\[(\*|-?\d+)\]/g) ?? []) {
      const i = index.slice(1, -1);
      current = current.flatMap((node) => {
        if (!Array.isArray(node)) return [];
        if (i === "*") return node;
        const n = Number(i);
        const element = node[n < 0 ? node.length + n : n];
        return element === undefined ? [] : [element];
      });
    }
  }
  return current.flatMap(asText);
}

function asText(node: unknown): string[] {
  if (typeof node === "string") return node.trim() === "" ? [] : [node];
  if (typeof node === "number" || typeof node === "boolean") return [String(node)];
  if (node === null || node === undefined) return [];
  return [JSON.stringify(node)];
}

/** Every text to embed for an item, each with the path it came from (`$` means the whole value). */
export function indexedTexts(
  value: Record<string, unknown>,
  fields: readonly string[],
): { path: string; text: string }[] {
  return fields.flatMap((path) => textsAtPath(value, path).map((text) => ({ path, text })));
}
