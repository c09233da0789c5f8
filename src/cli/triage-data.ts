import { readFile } from "node:fs/promises";
import { CsvError } from "csv-parse/sync";
import { type LeadsData, parseLeadsCsv } from "../agents/triage/dataset.js";
import { TriageError } from "../agents/triage/errors.js";
import { CliError } from "./read-input.js";

/**
 * Reads a labelled leads CSV for `triage train` and `triage evaluate`, turning every way it can be wrong
 * (missing file, broken CSV, no target column, a bad label) into one readable line naming the file.
 */
export async function readLabelledCsv(path: string): Promise<LeadsData & { text: string }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${path}${code === "ENOENT" ? ": no such file" : `: ${code ?? error}`}`);
  }
  try {
    return { ...parseLeadsCsv(text), text };
  } catch (error) {
    if (error instanceof CsvError) throw new CliError(`${path} is not a valid CSV: ${error.message}`);
    if (error instanceof TriageError) throw new CliError(`${path}: ${error.message}`);
    throw error;
  }
}
