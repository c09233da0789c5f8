import { seededRandom, shuffledIndices } from "../../src/agents/triage/random.js";
import { LeadInput } from "../../src/db/lead-input.js";

/**
 * X Education rows as product leads, so they can go through the real graph (which only takes a
 * `LeadInput`). The mapping is the inverse of `leadToRecord` in src/agents/triage/dataset.ts for the seven
 * columns a lead can carry; everything else in the row is dropped, as the product never sees it.
 */

/** Occupation answer → a job title that `occupationFromTitle` maps back to the same answer. */
const TITLE_OF_OCCUPATION: Record<string, string> = {
  Student: "Student",
  Unemployed: "Unemployed",
  Housewife: "Housewife",
  Businessman: "Businessman",
  "Working Professional": "Working Professional",
  // "Other" has no title that maps back to it (any other title reads as Working Professional), so it
  // stays unset; 12 of 7,581 rows.
};

/**
 * The data has no names. Drafts greet by first name, so each lead gets one from this fixed list (by its
 * lead number): the engagement suite then measures the templates as product leads, which have names, see
 * them. The triage score does not read names.
 */
const FIRST_NAMES = [
  "Aarav",
  "Diya",
  "Kabir",
  "Meera",
  "Rohan",
  "Ananya",
  "Vikram",
  "Isha",
  "Arjun",
  "Priya",
  "Neha",
  "Sameer",
  "Kavya",
  "Rahul",
  "Tara",
  "Nikhil",
  "Sara",
  "Dev",
  "Leela",
  "Omar",
];

const isMissing = (value: string | undefined) => value === undefined || value === "" || value === "Select";

function numberOf(value: string | undefined): number | undefined {
  if (isMissing(value)) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** A dataset row as the lead the product would have received. Validated by the product's own schema. */
export function rowToLead(row: Record<string, string>): LeadInput {
  const number = row["Lead Number"] ?? row["Prospect ID"] ?? "0";
  const firstName = FIRST_NAMES[Number.parseInt(number, 10) % FIRST_NAMES.length] ?? FIRST_NAMES[0]!;
  const occupation = row["What is your current occupation"];
  const visits = numberOf(row.TotalVisits);
  const lead = {
    name: `${firstName} ${number}`,
    email: `lead-${number}@example.com`,
    title: occupation ? TITLE_OF_OCCUPATION[occupation] : undefined,
    source: isMissing(row["Lead Source"]) ? undefined : row["Lead Source"],
    totalVisits: visits === undefined ? undefined : Math.round(visits),
    timeOnSite: numberOf(row["Total Time Spent on Website"]),
    pageViewsPerVisit: numberOf(row["Page Views Per Visit"]),
    lastActivity: isMissing(row["Last Activity"]) ? undefined : row["Last Activity"],
    doNotEmail: row["Do Not Email"] === "Yes" ? true : row["Do Not Email"] === "No" ? false : undefined,
  };
  const defined = Object.fromEntries(Object.entries(lead).filter(([, v]) => v !== undefined));
  return LeadInput.parse(defined);
}

/** `count` of `indices`, chosen by a seeded shuffle and returned in their original order. */
export function sampleOf(indices: readonly number[], count: number, seed: number): number[] {
  if (count >= indices.length) return [...indices];
  const order = shuffledIndices(indices.length, seededRandom(seed)).slice(0, count);
  return order.sort((a, b) => a - b).map((k) => indices[k]!);
}
