import { describe, expect, it } from "vitest";
import { LEAD_INPUT_COLUMNS, leadToRecord } from "../../src/agents/triage/dataset.js";
import { rowToLead, sampleOf } from "./dataset-leads.js";

const row = {
  "Prospect ID": "8cc8c611",
  "Lead Number": "660727",
  "Lead Source": "Direct Traffic",
  "Do Not Email": "No",
  TotalVisits: "2",
  "Total Time Spent on Website": "1532",
  "Page Views Per Visit": "2.5",
  "Last Activity": "Email Opened",
  "What is your current occupation": "Student",
  Tags: "Will revert after reading the email",
};

describe("rowToLead", () => {
  it("maps the seven lead-input columns so leadToRecord gives them back", () => {
    const record = leadToRecord(rowToLead(row));
    for (const column of Object.keys(LEAD_INPUT_COLUMNS)) {
      const expected = (row as Record<string, string>)[column]!;
      expect(String(record[column])).toBe(expected);
    }
  });

  it("gives every lead a name and an example.com address, and drops post-contact columns", () => {
    const lead = rowToLead(row);
    expect(lead.name).toMatch(/^\w+ 660727$/);
    expect(lead.email).toBe("lead-660727@example.com");
    expect(JSON.stringify(lead)).not.toContain("revert");
  });

  it("leaves missing and 'Select' answers unset, and 'Other' occupation without a title", () => {
    const lead = rowToLead({
      ...row,
      TotalVisits: "",
      "Lead Source": "Select",
      "What is your current occupation": "Other",
    });
    expect(lead.totalVisits).toBeUndefined();
    expect(lead.source).toBeUndefined();
    expect(lead.title).toBeUndefined();
  });
});

describe("sampleOf", () => {
  it("is seeded, keeps the original order and takes everything when asked for more", () => {
    const indices = Array.from({ length: 100 }, (_, i) => i * 2);
    const a = sampleOf(indices, 10, 1);
    expect(a).toEqual(sampleOf(indices, 10, 1));
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(new Set(a).size).toBe(10);
    expect(sampleOf(indices, 500, 1)).toEqual(indices);
  });
});
