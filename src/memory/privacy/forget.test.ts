import { describe, expect, it } from "vitest";
import { mentionPattern } from "./forget.js";

describe("mentionPattern", () => {
  const matches = (ids: string[], text: string) => new RegExp(mentionPattern(ids), "i").test(text);

  it("matches an email or id as a whole token, case-insensitively", () => {
    expect(matches(["ann@x.com"], '{"note":"mail Ann@X.com today"}')).toBe(true);
    expect(matches(["ann@x.com"], '{"to":"ann@x.com"}')).toBe(true);
    expect(matches(["ann@x.com"], "ann@x.com")).toBe(true);
  });

  it("does not match inside a longer address, and treats metacharacters literally", () => {
    expect(matches(["ann@x.com"], "joann@x.com")).toBe(false);
    expect(matches(["ann@x.com"], "annx@x.com")).toBe(false);
    expect(matches(["a.b@x.com"], "aXb@x.com")).toBe(false);
    expect(matches(["a+b@x.com"], "aab@x.com")).toBe(false);
    expect(matches(["a+b@x.com"], "a+b@x.com")).toBe(true);
  });
});
