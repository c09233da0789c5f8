import { z } from "zod";
import { columnsLeadsNeverSupply } from "../agents/triage/column-checks.js";
import { TriageError } from "../agents/triage/errors.js";
import { loadStoredTriageModel } from "../agents/triage/registry.js";
import {
  activateTriageModel,
  deactivateTriageModels,
  listTriageModels,
  type TriageModelSummary,
} from "../db/triage-models.js";
import { CliError } from "./read-input.js";
import { databaseUrlFrom, processIo, type TriageCliIo, withDatabase } from "./triage-io.js";

/** `marketing-agents triage models list|activate|deactivate`: the stored models and which one triage uses. */

export interface RegistryCliOptions {
  database?: string | undefined;
  dataDir?: string | undefined;
  json?: boolean;
}

const heldOutAuc = (summary: TriageModelSummary): string => {
  const auc = (summary.metrics as { holdout?: { auc?: unknown } | null }).holdout?.auc;
  return typeof auc === "number" ? auc.toFixed(4) : "-";
};

export async function listModelsCommand(o: RegistryCliOptions, io: TriageCliIo = processIo): Promise<void> {
  const url = databaseUrlFrom(o);
  const models = await withDatabase(io, url, (database) => listTriageModels(database.db));
  if (o.json) {
    io.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
    return;
  }
  if (models.length === 0) {
    io.stdout.write(`no stored triage models in ${url}: triage uses the shipped default\n`);
    return;
  }
  const rows = [
    ["version", "active", "kind", "setting", "held-out AUC", "created", "source"],
    ...models.map((m) => [
      String(m.version),
      m.active ? "yes" : "",
      m.kind,
      m.setting,
      heldOutAuc(m),
      m.createdAt.toISOString().slice(0, 19).replace("T", " "),
      m.source ?? "",
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  io.stdout.write(
    `${rows
      .map((r) =>
        r
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n")}\n`,
  );
  if (!models.some((m) => m.active)) io.stdout.write("none active: triage uses the shipped default\n");
}

const Version = z.coerce.number().int().min(1);

export async function activateModelCommand(
  versionText: string,
  o: RegistryCliOptions,
  io: TriageCliIo = processIo,
): Promise<void> {
  const parsed = Version.safeParse(versionText);
  if (!parsed.success) throw new CliError(`"${versionText}" is not a model version (1, 2, …)`, 2);
  const version = parsed.data;
  const url = databaseUrlFrom(o);
  await withDatabase(io, url, async (database) => {
    let unsupplied: string[];
    try {
      unsupplied = columnsLeadsNeverSupply(await loadStoredTriageModel(database.db, version));
    } catch (error) {
      if (error instanceof TriageError) throw new CliError(error.message);
      throw error;
    }
    if (unsupplied.length > 0) {
      throw new CliError(
        `version ${version} uses columns product leads never carry (${unsupplied.slice(0, 4).join(", ")}` +
          `${unsupplied.length > 4 ? ", …" : ""}): only a --features lead-input model can score live leads`,
        2,
      );
    }
    await activateTriageModel(database.db, version);
  });
  io.stdout.write(`version ${version} is active in ${url}; triage uses it from the next start\n`);
}

export async function deactivateModelsCommand(
  o: RegistryCliOptions,
  io: TriageCliIo = processIo,
): Promise<void> {
  const url = databaseUrlFrom(o);
  const count = await withDatabase(io, url, (database) => deactivateTriageModels(database.db));
  io.stdout.write(
    count === 0
      ? "no model was active; triage uses the shipped default\n"
      : `deactivated; triage uses the shipped default from the next start\n`,
  );
}
