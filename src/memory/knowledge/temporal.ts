/**
 * Bi-temporal fact keeping, pure. A belief is a fact row not yet retired; its valid interval
 * [validFrom, validTo) says when it holds in the world (validTo null = still). Asserting a fact for a
 * (subject, predicate):
 *
 * - single-valued predicates (the default, e.g. `industry`, `works_at`): the new fact supersedes every
 *   belief whose interval overlaps its own, whatever their object;
 * - multi-valued predicates (`uses`, `interested_in`): only beliefs with the same object are touched.
 *
 * A superseded belief is retired (it stays in the table with `retiredAt`, so past beliefs stay queryable),
 * and the parts of its interval the new fact does not cover are re-asserted as copies: Acme's industry
 * "retail" valid from 2020, superseded by "fintech" from 2024, leaves "retail" believed for [2020, 2024).
 * A fact already covered by an identical belief changes nothing.
 */
export interface Belief {
  id: number;
  /** The object entity's id, or the value's canonical JSON: what "the same fact" compares. */
  objectKey: string;
  validFrom: Date;
  validTo: Date | null;
}

export interface Assertion {
  objectKey: string;
  validFrom: Date;
  validTo: Date | null;
  multiValued: boolean;
}

export interface ReassertedPart {
  /** The retired belief the copy is made from. */
  of: number;
  validFrom: Date;
  validTo: Date | null;
}

export interface AssertionPlan {
  /** Set when an identical belief already covers the assertion: nothing to write. */
  duplicateOf: number | null;
  retire: number[];
  reassert: ReassertedPart[];
}

const END_OF_TIME = Number.POSITIVE_INFINITY;
const end = (d: Date | null) => (d === null ? END_OF_TIME : d.getTime());

export function planAssertion(beliefs: readonly Belief[], assertion: Assertion): AssertionPlan {
  if (assertion.validTo !== null && assertion.validTo <= assertion.validFrom) {
    throw new RangeError("a fact's validTo must be after its validFrom");
  }
  const from = assertion.validFrom.getTime();
  const to = end(assertion.validTo);
  const relevant = assertion.multiValued
    ? beliefs.filter((b) => b.objectKey === assertion.objectKey)
    : beliefs;

  const covering = relevant.find(
    (b) => b.objectKey === assertion.objectKey && b.validFrom.getTime() <= from && end(b.validTo) >= to,
  );
  if (covering) return { duplicateOf: covering.id, retire: [], reassert: [] };

  const plan: AssertionPlan = { duplicateOf: null, retire: [], reassert: [] };
  for (const b of relevant) {
    const bFrom = b.validFrom.getTime();
    const bTo = end(b.validTo);
    if (!(bTo > from && bFrom < to)) continue; // no overlap: both stand
    plan.retire.push(b.id);
    if (bFrom < from) plan.reassert.push({ of: b.id, validFrom: b.validFrom, validTo: assertion.validFrom });
    if (bTo > to) plan.reassert.push({ of: b.id, validFrom: assertion.validTo!, validTo: b.validTo });
  }
  return plan;
}

/** Ending a belief at `at` (a retraction): retire it, keeping the part before `at` if there is one. */
export function planRetraction(belief: Belief, at: Date): AssertionPlan {
  if (end(belief.validTo) <= at.getTime()) return { duplicateOf: belief.id, retire: [], reassert: [] };
  const reassert = belief.validFrom < at ? [{ of: belief.id, validFrom: belief.validFrom, validTo: at }] : [];
  return { duplicateOf: null, retire: [belief.id], reassert };
}

/** The two time axes of a knowledge query: what held at `validAt`, as we believed at `knownAt`. */
export interface AsOf {
  validAt: Date;
  knownAt: Date;
}
