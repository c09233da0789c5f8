/** Plain-text tables for the terminal: padded columns, a rule under the header. Pure. */
export function renderTextTable(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly number[] = [],
): string {
  const width = (s: string) => [...s].length;
  const widths = columns.map((c, i) => Math.max(width(c), ...rows.map((r) => width(r[i] ?? ""))));
  const pad = (cell: string, i: number) => {
    const gap = " ".repeat(widths[i]! - width(cell));
    return numeric.includes(i) ? gap + cell : cell + gap;
  };
  const line = (cells: readonly string[]) =>
    columns
      .map((_, i) => pad(cells[i] ?? "", i))
      .join("  ")
      .trimEnd();
  return [line(columns), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** A GitHub-flavoured markdown table; pipes inside cells are escaped so they cannot split a row. */
export function renderMarkdownTable(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly number[] = [],
): string {
  const cell = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");
  const rule = columns.map((_, i) => (numeric.includes(i) ? "---:" : "---"));
  return [
    `| ${columns.map(cell).join(" | ")} |`,
    `| ${rule.join(" | ")} |`,
    ...rows.map((r) => `| ${columns.map((_, i) => cell(r[i] ?? "")).join(" | ")} |`),
  ].join("\n");
}
