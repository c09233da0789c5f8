import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where the datasets are. They have no redistribution licence (see the shared datasets README), so they are
 * never in the repository: the harness looks in `--data`, then `$DATASETS_DIR`, then `../shared/datasets`
 * beside the repository, and says exactly what to put where when a file is missing.
 */

/** The repository root (evals/ sits at its top). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The routing scenarios (JSON, one per file); they are the repository's own, unlike the datasets. */
export const DEFAULT_SCENARIOS_DIR = join(REPO_ROOT, "evals", "scenarios");

export type DatasetId = "leads" | "ads";

/** Each dataset: its path under the data folder, and what it is, for the "where to put it" message. */
export const DATASETS: Record<DatasetId, { file: string; description: string; usedBy: string }> = {
  leads: {
    file: join("leads", "leads.csv"),
    description: "X Education lead-scoring CSV (37 columns incl. Converted; the 7,581-row development split)",
    usedBy: "triage and memory (and the dataset sample of engagement)",
  },
  ads: {
    file: join("ads-ctr", "ads-ctr.csv"),
    description: "Ads CTR Optimisation CSV (header Ad 1…Ad 10, then 10,000 rows of 0/1)",
    usedBy: "optimization and adaptive",
  },
};

export interface DataLocation {
  /** The folder looked in. */
  dir: string;
  /** How it was chosen, for messages. */
  source: "--data" | "DATASETS_DIR" | "default";
  /** Absolute path per dataset, or null when that file is not there. */
  files: Record<DatasetId, string | null>;
}

/** Resolves the data folder (flag, then env, then the default) and checks which files exist. */
export function locateData(
  flag: string | undefined,
  env: Record<string, string | undefined> = process.env,
  exists: (path: string) => boolean = existsSync,
): DataLocation {
  const [dir, source]: [string, DataLocation["source"]] = flag
    ? [resolve(flag), "--data"]
    : env.DATASETS_DIR
      ? [resolve(env.DATASETS_DIR), "DATASETS_DIR"]
      : [resolve(REPO_ROOT, "..", "shared", "datasets"), "default"];
  const files = {} as Record<DatasetId, string | null>;
  for (const id of Object.keys(DATASETS) as DatasetId[]) {
    const path = join(dir, DATASETS[id].file);
    files[id] = exists(path) ? path : null;
  }
  return { dir, source, files };
}

/** The instructions printed when datasets are missing: which files, where, and how to point elsewhere. */
export function missingDataMessage(location: DataLocation, missing: readonly DatasetId[]): string {
  const how =
    location.source === "default"
      ? "the default folder ../shared/datasets beside the repository"
      : location.source === "--data"
        ? "the folder given with --data"
        : "the folder in $DATASETS_DIR";
  const lines = missing.map(
    (id) =>
      `  ${join(location.dir, DATASETS[id].file)}\n      ${DATASETS[id].description}; used by ${DATASETS[id].usedBy}`,
  );
  return [
    `Missing dataset${missing.length > 1 ? "s" : ""} in ${location.dir} (${how}). Put:`,
    ...lines,
    "or point the harness at a folder that has leads/leads.csv and ads-ctr/ads-ctr.csv:",
    "  npm run eval -- --data /path/to/datasets",
    "  DATASETS_DIR=/path/to/datasets npm run eval",
    "The files are not in the repository: they carry no redistribution licence.",
  ].join("\n");
}
