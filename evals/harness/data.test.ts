import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { locateData, missingDataMessage, REPO_ROOT } from "./data.js";

describe("locateData", () => {
  const none = () => false;

  it("prefers --data, then DATASETS_DIR, then ../shared/datasets beside the repository", () => {
    expect(locateData("/a", { DATASETS_DIR: "/b" }, none)).toMatchObject({ dir: "/a", source: "--data" });
    expect(locateData(undefined, { DATASETS_DIR: "/b" }, none)).toMatchObject({
      dir: "/b",
      source: "DATASETS_DIR",
    });
    expect(locateData(undefined, {}, none)).toMatchObject({
      dir: resolve(REPO_ROOT, "..", "shared", "datasets"),
      source: "default",
    });
  });

  it("reports each dataset file only when it exists", () => {
    const location = locateData("/d", {}, (p) => p.endsWith("leads.csv"));
    expect(location.files).toEqual({ leads: join("/d", "leads", "leads.csv"), ads: null });
  });
});

describe("missingDataMessage", () => {
  it("says which files to put where, and both ways to point elsewhere", () => {
    const text = missingDataMessage(
      locateData("/d", {}, () => false),
      ["leads", "ads"],
    );
    expect(text).toContain("Missing datasets in /d (the folder given with --data)");
    expect(text).toContain("/d/leads/leads.csv");
    expect(text).toContain("/d/ads-ctr/ads-ctr.csv");
    expect(text).toContain("used by triage");
    expect(text).toContain("npm run eval -- --data /path/to/datasets");
    expect(text).toContain("DATASETS_DIR=/path/to/datasets npm run eval");
  });
});
