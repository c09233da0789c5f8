/**
 * The memory suite's question set, built from dataset rows (pure): each lead becomes a person with a few
 * facts taken from its own columns, and each fact a question whose right answer is that fact. Leads share
 * most values (thousands are "Unemployed", hundreds live in "Mumbai"), so only retrieval that keys on the
 * right person answers well; a bag-of-words match on the value alone cannot.
 */

export interface PlannedFact {
  person: string;
  predicate: string;
  value: string;
  /** When the fact became true; a later fact with the same predicate supersedes it. */
  validFrom: Date;
}

export interface PlannedQuestion {
  kind: string;
  query: string;
  /** The fact that answers it (index into the planned facts). */
  answer: number;
  /** Ask what held in the world at an earlier time (bi-temporal valid time; recorded time stays now). */
  validAt?: Date;
}

const isMissing = (v: string | undefined) => v === undefined || v === "" || v === "Select";

/** Column → predicate and the question asked about it. */
const KINDS: { column: string; predicate: string; ask: (person: string) => string }[] = [
  { column: "Lead Source", predicate: "found_us_via", ask: (p) => `How did ${p} find us?` },
  {
    column: "What is your current occupation",
    predicate: "occupation",
    ask: (p) => `What is ${p}'s occupation?`,
  },
  { column: "City", predicate: "lives_in_city", ask: (p) => `Which city does ${p} live in?` },
  { column: "Specialization", predicate: "specialization", ask: (p) => `What is ${p}'s specialization?` },
];

const FIRST_SEEN = new Date("2025-01-01T00:00:00Z");
const MOVED = new Date("2025-06-01T00:00:00Z");

/**
 * Facts and questions for `rows` (each with a person name). Every `moveEvery`-th person later moves to
 * another city: the current question must find the new city, an as-of question the old one.
 */
export function planQuestions(
  rows: readonly { person: string; row: Record<string, string> }[],
  moveEvery = 5,
): { facts: PlannedFact[]; questions: PlannedQuestion[] } {
  const facts: PlannedFact[] = [];
  const questions: PlannedQuestion[] = [];
  rows.forEach(({ person, row }, i) => {
    const cityFact: { index?: number } = {};
    for (const kind of KINDS) {
      const value = row[kind.column];
      if (isMissing(value)) continue;
      facts.push({ person, predicate: kind.predicate, value: value!, validFrom: FIRST_SEEN });
      if (kind.predicate === "lives_in_city") cityFact.index = facts.length - 1;
      else questions.push({ kind: kind.predicate, query: kind.ask(person), answer: facts.length - 1 });
    }
    if (cityFact.index === undefined) return;
    const ask = KINDS.find((k) => k.predicate === "lives_in_city")!.ask(person);
    if (i % moveEvery !== 0) {
      questions.push({ kind: "lives_in_city", query: ask, answer: cityFact.index });
      return;
    }
    const oldCity = facts[cityFact.index]!.value;
    const newCity = oldCity === "Other Cities" ? "Mumbai" : "Other Cities";
    facts.push({ person, predicate: "lives_in_city", value: newCity, validFrom: MOVED });
    questions.push({ kind: "moved: current city", query: ask, answer: facts.length - 1 });
    questions.push({
      kind: "moved: city before the move",
      query: ask,
      answer: cityFact.index,
      validAt: new Date("2025-03-01T00:00:00Z"),
    });
  });
  return { facts, questions };
}

/**
 * Rank (1-based) of the answer among the hits, or null when it is not among them. A hit answers when it
 * states the planned fact (same person, predicate and value), not when it has the id first written: a
 * superseded belief is retired and its still-valid part re-asserted under a new id.
 */
export function rankOf(
  hits: readonly { subject: { name: string }; predicate: string; value: unknown }[],
  answer: PlannedFact,
): number | null {
  const i = hits.findIndex(
    (h) => h.subject.name === answer.person && h.predicate === answer.predicate && h.value === answer.value,
  );
  return i === -1 ? null : i + 1;
}
