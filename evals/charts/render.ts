import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/**
 * Vega-Lite → Vega → SVG, headless: `View.toSVG()` needs no browser and no canvas (without the optional
 * `canvas` package Vega estimates text widths, which is close enough for axis labels and legends).
 * See https://vega.github.io/vega/usage/#node.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
