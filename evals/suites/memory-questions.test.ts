import { describe, expect, it } from "vitest";
import { planQuestions, rankOf } from "./memory-questions.js";

const row = (city: string, extra: Record<string, string> = {}) => ({
  "Lead Source": "Google",
  "What is your current occupation": "Student",
  City: city,
  Specialization: "Select",
  ...extra,
});

describe("planQuestions", () => {
  const { facts, questions } = planQuestions(
    [
      { person: "Aarav 1", row: row("Mumbai") },
      { person: "Diya 2", row: row("Thane & Outskirts") },
    ],
    2,
  );

  it("makes a fact per answered column and skips unanswered ones ('Select')", () => {
    expect(facts.filter((f) => f.person === "Diya 2").map((f) => f.predicate)).toEqual([
      "found_us_via",
      "occupation",
      "lives_in_city",
    ]);
    expect(facts.some((f) => f.predicate === "specialization")).toBe(false);
  });

  it("moves every n-th person and asks for the new city now and the old one before the move", () => {
    const moved = facts.filter((f) => f.person === "Aarav 1" && f.predicate === "lives_in_city");
    expect(moved.map((f) => f.value)).toEqual(["Mumbai", "Other Cities"]);
    expect(moved[1]!.validFrom > moved[0]!.validFrom).toBe(true);
    const asked = questions.filter((q) => q.kind.startsWith("moved"));
    expect(asked.map((q) => [q.kind, facts[q.answer]!.value, q.validAt !== undefined])).toEqual([
      ["moved: current city", "Other Cities", false],
      ["moved: city before the move", "Mumbai", true],
    ]);
    expect(asked[1]!.validAt! > moved[0]!.validFrom && asked[1]!.validAt! < moved[1]!.validFrom).toBe(true);
  });

  it("names the person in every question", () => {
    for (const q of questions) expect(q.query).toContain(facts[q.answer]!.person);
  });
});

describe("rankOf", () => {
  const answer = { person: "Aarav 1", predicate: "lives_in_city", value: "Mumbai", validFrom: new Date(0) };
  const hit = (name: string, value: string) => ({ subject: { name }, predicate: "lives_in_city", value });

  it("finds the hit stating the planned fact, whatever its id", () => {
    expect(rankOf([hit("Diya 2", "Mumbai"), hit("Aarav 1", "Mumbai")], answer)).toBe(2);
    expect(rankOf([hit("Aarav 1", "Thane")], answer)).toBeNull();
  });
});
