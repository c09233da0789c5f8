import { describe, expect, it } from "vitest";
import { indexedTexts, textsAtPath } from "./fields.js";

const doc = {
  title: "Q4 plan",
  meta: { owner: { name: "Ann" }, views: 12, draft: false },
  chapters: [{ content: "intro" }, { content: "pricing" }, { content: "" }],
  tags: ["a", "b"],
};

describe("textsAtPath", () => {
  it("follows LangGraph's path syntax", () => {
    expect(textsAtPath(doc, "title")).toEqual(["Q4 plan"]);
    expect(textsAtPath(doc, "meta.owner.name")).toEqual(["Ann"]);
    expect(textsAtPath(doc, "chapters[*].content")).toEqual(["intro", "pricing"]);
    expect(textsAtPath(doc, "chapters[1].content")).toEqual(["pricing"]);
    expect(textsAtPath(doc, "tags[-1]")).toEqual(["b"]);
    expect(textsAtPath(doc, "meta.views")).toEqual(["12"]);
    expect(textsAtPath(doc, "meta.draft")).toEqual(["false"]);
    expect(textsAtPath(doc, "meta.owner")).toEqual(['{"name":"Ann"}']);
    expect(textsAtPath(doc, "$")).toEqual([JSON.stringify(doc)]);
  });

  it("gives nothing for missing paths and wrong shapes", () => {
    expect(textsAtPath(doc, "nope")).toEqual([]);
    expect(textsAtPath(doc, "title[0]")).toEqual([]);
    expect(textsAtPath(doc, "chapters[9].content")).toEqual([]);
    expect(textsAtPath(doc, "tags.x")).toEqual([]);
    expect(textsAtPath(doc, "bad[path")).toEqual([]);
  });

  it("labels each text with its path", () => {
    expect(indexedTexts(doc, ["title", "tags[*]"])).toEqual([
      { path: "title", text: "Q4 plan" },
      { path: "tags[*]", text: "a" },
      { path: "tags[*]", text: "b" },
    ]);
  });
});
