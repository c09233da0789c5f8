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
