export type Align = "left" | "right";

export interface Column {
  header: string;
  align?: Align;
}

/** Renders rows as a plain-text table with a header rule; cells are padded to the widest in their column. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    columns
      .map((column, i) => {
        const cell = cells[i] ?? "";
        const width = widths[i] ?? 0;
        return column.align === "right" ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  return [
    line(columns.map((c) => c.header)),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
  ].join("\n");
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatRate(perSecond: number): string {
  return Number.isFinite(perSecond) ? integer.format(perSecond) : "-";
}

/** Milliseconds with three significant digits: 0.412, 4.12, 41.2, 412. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms >= 100) return integer.format(ms);
  return ms.toPrecision(3);
}

export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : "-";
}
