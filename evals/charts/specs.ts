import type { TopLevelSpec } from "vega-lite";

/**
 * Vega-Lite specifications of the report's charts. Pure: data in, JSON out; `render.ts` turns them into
 * SVG. Each chart layers a dashed reference (the diagonal, or zero regret) under the series, so a reader
 * sees at a glance how far from chance or from perfect calibration a curve is.
 */

const WIDTH = 420;
const HEIGHT = 320;
const REFERENCE = { color: "#9a9a9a", strokeDash: [4, 4], strokeWidth: 1 };
const CONFIG = {
  font: "DejaVu Sans, Helvetica, Arial, sans-serif",
  title: { fontSize: 14, anchor: "start" as const, subtitleColor: "#555" },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: "#eee" },
  // Series labels carry their headline number ("pre-contact (AUC 0.902)"): never truncate them.
  legend: {
    labelFontSize: 11,
    titleFontSize: 12,
    labelLimit: 0,
    orient: "bottom-right" as const,
    fillColor: "white",
  },
};

export interface SeriesPoint {
  series: string;
  x: number;
  y: number;
}

const diagonal = {
  values: [
    { x: 0, y: 0 },
    { x: 1, y: 1 },
  ],
};

function unitAxis(field: "x" | "y", title: string, format = ".1f") {
  return { field, type: "quantitative" as const, title, scale: { domain: [0, 1] }, axis: { format } };
}

/** ROC curves, one per series (legend labels carry the AUC), over the chance diagonal. */
export function rocSpec(points: readonly SeriesPoint[], subtitle: string): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "ROC curve (hold-out)", subtitle },
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    layer: [
      {
        data: diagonal,
        mark: { type: "line", ...REFERENCE },
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
      },
      {
        data: { values: points.map((p) => ({ ...p })) },
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          x: unitAxis("x", "false positive rate"),
          y: unitAxis("y", "true positive rate"),
          color: { field: "series", type: "nominal", title: null },
          order: { field: "x", type: "quantitative" },
        },
      },
    ],
  };
}

export interface ReliabilityPoint {
  series: string;
  predicted: number;
  observed: number;
  count: number;
}

/** Reliability diagram: mean predicted vs observed rate per probability bin, point size by bin count. */
export function calibrationSpec(points: readonly ReliabilityPoint[], subtitle: string): TopLevelSpec {
  const encoding = {
    x: {
      field: "predicted",
      type: "quantitative" as const,
      title: "mean predicted probability",
      scale: { domain: [0, 1] },
    },
    y: {
      field: "observed",
      type: "quantitative" as const,
      title: "observed conversion rate",
      scale: { domain: [0, 1] },
    },
    color: { field: "series", type: "nominal" as const, title: null },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Calibration (reliability diagram, hold-out)", subtitle },
    width: WIDTH,
    height: HEIGHT,
    // Reliability curves hug the diagonal, so the empty corner is the top left.
    config: { ...CONFIG, legend: { ...CONFIG.legend, orient: "top-left" as const } },
    layer: [
      {
        data: diagonal,
        mark: { type: "line", ...REFERENCE },
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
      },
      {
        data: { values: points.map((p) => ({ ...p })) },
        layer: [
          { mark: { type: "line", strokeWidth: 1.5 }, encoding },
          {
            mark: { type: "point", filled: true, opacity: 0.85 },
            encoding: {
              ...encoding,
              // No size legend: its box would cover the curve; the report's caption explains the sizes.
              size: { field: "count", type: "quantitative", scale: { range: [20, 400] }, legend: null },
            },
          },
        ],
      },
    ],
  };
}

/** Cumulative gains: share of conversions captured when contacting the top share of leads by score. */
export function gainsSpec(points: readonly SeriesPoint[], subtitle: string): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Cumulative gains (lift) on the hold-out", subtitle },
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    layer: [
      {
        data: diagonal,
        mark: { type: "line", ...REFERENCE },
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
      },
      {
        data: { values: [{ x: 0.1 }] },
        mark: { type: "rule", color: "#bbb", strokeDash: [2, 2] },
        encoding: { x: { field: "x", type: "quantitative" } },
      },
      {
        data: { values: points.map((p) => ({ ...p })) },
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          x: unitAxis("x", "share of leads contacted, best scores first", ".0%"),
          y: unitAxis("y", "share of conversions captured", ".0%"),
          color: { field: "series", type: "nominal", title: null },
          order: { field: "x", type: "quantitative" },
        },
      },
    ],
  };
}

export interface RegretPoint {
  series: string;
  round: number;
  median: number;
  min: number;
  max: number;
}

/** Cumulative regret against the best fixed arm: median line per policy, the seeds' range as a band. */
export function regretSpec(points: readonly RegretPoint[], subtitle: string): TopLevelSpec {
  const x = { field: "round", type: "quantitative" as const, title: "round", axis: { format: "~s" } };
  const color = { field: "series", type: "nominal" as const, title: null };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Cumulative regret vs the best fixed ad (ads replay)", subtitle },
    width: WIDTH,
    height: HEIGHT,
    config: { ...CONFIG, legend: { ...CONFIG.legend, orient: "top-left" as const } },
    data: { values: points.map((p) => ({ ...p })) },
    layer: [
      {
        mark: { type: "area", opacity: 0.18 },
        // The lines' legend is enough; the bands' faint swatches would only blur it.
        encoding: {
          x,
          y: { field: "min", type: "quantitative" },
          y2: { field: "max" },
          color: { ...color, legend: null },
        },
      },
      {
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          x,
          y: { field: "median", type: "quantitative", title: "clicks behind the best fixed ad" },
          color,
        },
      },
    ],
  };
}

/** A rate per window of rounds, one line per series (adaptive loop: with memory, prior only, best fixed). */
export function windowRateSpec(points: readonly SeriesPoint[], subtitle: string): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Conversion per window: learning through memory", subtitle },
    width: WIDTH,
    height: HEIGHT,
    config: { ...CONFIG, legend: { ...CONFIG.legend, orient: "bottom-right" as const } },
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: "line", strokeWidth: 2, point: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: "round (end of window)", axis: { format: ",d" } },
      y: { field: "y", type: "quantitative", title: "conversion rate in window", axis: { format: ".0%" } },
      color: { field: "series", type: "nominal", title: null },
    },
  };
}

/** Log loss after recalibration ÷ before, against outcomes recorded, one line per tenant; 1 = no change. */
export function recalibrationSpec(points: readonly SeriesPoint[], subtitle: string): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Triage log loss as outcomes are recorded (recalibrated ÷ model alone)", subtitle },
    width: WIDTH,
    height: HEIGHT,
    config: { ...CONFIG, legend: { ...CONFIG.legend, orient: "bottom-left" as const } },
    layer: [
      {
        data: { values: [{ y: 1 }] },
        mark: { type: "rule", strokeDash: [4, 4], color: "#888" },
        encoding: { y: { field: "y", type: "quantitative" } },
      },
      {
        data: { values: points.map((p) => ({ ...p })) },
        mark: { type: "line", strokeWidth: 2, point: true },
        encoding: {
          x: {
            field: "x",
            type: "quantitative",
            title: "outcomes recorded (leads with a known result)",
            scale: { type: "log" },
            axis: { format: ",d" },
          },
          y: { field: "y", type: "quantitative", title: "log loss ratio", scale: { zero: false } },
          color: { field: "series", type: "nominal", title: null },
        },
      },
    ],
  };
}
