/**
 * A hot lead the shipped model routes to personal outreach now: a referral with a title, a company and a
 * reachable email. Tests that need the whole three-agent path (triage → engagement → optimization →
 * engagement) start from it; spread it and override what a test is about.
 */
export const hotLead = {
  name: "Priya Raman",
  email: "priya@northwind.example",
  company: "Northwind",
  title: "Head of Data",
  source: "Reference",
  totalVisits: 6,
  timeOnSite: 1850,
  lastActivity: "SMS Sent",
} as const;

/** The i-th of many referral leads alike to the segment rule (source and class): one segment's evidence. */
export const referral = (i: number) => ({
  name: `Referral Lead${i}`,
  email: `referral${i}@example.com`,
  company: `Company ${i}`,
  title: "Head of Data",
  source: "Reference",
  totalVisits: 6,
  timeOnSite: 1850,
  pageViewsPerVisit: 4,
  lastActivity: "Email Opened",
});
