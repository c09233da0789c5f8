import { describe, expect, it } from "vitest";
import { defaultSegmentOf, slug } from "./segment.js";

describe("segments", () => {
  it("pools leads by source and triage class", () => {
    expect(defaultSegmentOf({ source: "Olark Chat", class: "hot" })).toBe("olark-chat/hot");
    expect(defaultSegmentOf({ source: "Référence ", class: "warm" })).toBe("reference/warm");
    expect(defaultSegmentOf({})).toBe("unknown-source/unscored");
    expect(defaultSegmentOf({ source: "  ", class: null })).toBe("unknown-source/unscored");
  });

  it("slugs to lower-case words joined by dashes", () => {
    expect(slug("Welingak Website!!")).toBe("welingak-website");
    expect(slug(null)).toBeNull();
  });
});
