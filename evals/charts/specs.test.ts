import { describe, expect, it } from "vitest";
import { renderSvg } from "./render.js";
import { calibrationSpec, gainsSpec, regretSpec, rocSpec } from "./specs.js";

describe("chart specs", () => {
  it("render to standalone SVG headless, with titles and series labels", async () => {
    const svg = await renderSvg(
      rocSpec(
        [
          { series: "pre-contact (AUC 0.902)", x: 0, y: 0 },
          { series: "pre-contact (AUC 0.902)", x: 0.2, y: 0.8 },
          { series: "pre-contact (AUC 0.902)", x: 1, y: 1 },
        ],
        "3 points",
      ),
    );
    expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain("ROC curve (hold-out)");
    expect(svg).toContain("pre-contact (AUC 0.902)");
    expect(svg).toContain("false positive rate");
  });

  it("every chart compiles and draws its reference line or band", async () => {
    const specs = [
      calibrationSpec([{ series: "s", predicted: 0.1, observed: 0.12, count: 50 }], "sub"),
      gainsSpec(
        [
          { series: "s", x: 0, y: 0 },
          { series: "s", x: 1, y: 1 },
        ],
        "sub",
      ),
      regretSpec([{ series: "UCB", round: 100, median: 5, min: 5, max: 5 }], "sub"),
    ];
    for (const spec of specs) {
      const svg = await renderSvg(spec);
      expect(svg).toContain("<path");
      expect(svg).toContain("sub");
    }
  });
});
