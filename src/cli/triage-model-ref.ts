import { TriageError } from "../agents/triage/errors.js";
import { loadDefaultTriageModel, loadTriageModelFile, type TriageModel } from "../agents/triage/model.js";
import { loadStoredTriageModel, parseModelReference } from "../agents/triage/registry.js";
import { CliError } from "./read-input.js";
import { databaseUrlFrom, type TriageCliIo, withDatabase } from "./triage-io.js";

/**
 * The model a command works with, from `--model`: a JSON file, `db:<version>`, `db:active`, or (when
 * absent) the model shipped with the package. Only a `db:` reference opens the database.
 */
export async function resolveTriageModel(
  spec: string | undefined,
  io: TriageCliIo,
  databaseOptions: { database?: string | undefined; dataDir?: string | undefined },
): Promise<{ model: TriageModel; label: string }> {
  try {
    if (spec === undefined) return { model: loadDefaultTriageModel(), label: "the shipped default model" };
    const reference = parseModelReference(spec);
    if (reference.from === "file") return { model: await loadTriageModelFile(reference.path), label: spec };
    const url = databaseUrlFrom(databaseOptions);
    const model = await withDatabase(io, url, (database) =>
      loadStoredTriageModel(database.db, reference.version),
    );
    return { model, label: `${spec} in ${url}` };
  } catch (error) {
    if (error instanceof TriageError) throw new CliError(error.message);
    throw error;
  }
}
