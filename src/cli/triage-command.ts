import { Command, Option } from "commander";
import { TRIAGE_SETTINGS } from "../agents/triage/dataset.js";
import { databaseOption, dataDirOption } from "./database-options.js";
import { triageCommand } from "./triage.js";
import { evaluateCommand } from "./triage-evaluate.js";
import { activateModelCommand, deactivateModelsCommand, listModelsCommand } from "./triage-registry.js";
import { trainCommand } from "./triage-train.js";

/**
 * The `triage` command group: `score` (the default, so `triage leads.json` keeps working), `train`,
 * `evaluate` and `models`. Only wiring here: each action lives in its own file and parses its options.
 */

function withDatabaseOptions(command: Command): Command {
  return command.addOption(databaseOption()).addOption(dataDirOption());
}

export function triageProgram(): Command {
  const triage = new Command("triage")
    .description("Score leads, and train, evaluate and choose the triage scoring model.")
    .showHelpAfterError()
    .addHelpText(
      "after",
      "\nExamples:\n  marketing-agents triage examples/leads.json\n" +
        "  marketing-agents triage train --data leads.csv --features lead-input --activate\n" +
        "  marketing-agents triage train --from-db --activate\n" +
        "  marketing-agents triage evaluate --model db:2 --data test.csv",
    );

  withDatabaseOptions(
    triage
      .command("score", { isDefault: true })
      .description("Score and classify a lead (or a JSON array of leads) and print the result as JSON.")
      .argument("<file>", "a JSON file, or - for standard input")
      .option("-m, --model <model>", "model.json, db:<version> or db:active (default: the shipped model)")
      .option("--offline", "no LLM analysis, even when OPENAI_API_KEY / OPENAI_BASE_URL is set"),
  )
    .addHelpText(
      "after",
      `\nExamples:\n  echo '{"name":"Ada","email":"ada@example.com","source":"Reference","totalVisits":5}' | marketing-agents triage -\n` +
        "  marketing-agents triage examples/leads.json --model db:active",
    )
    .action((file: string, opts) => triageCommand(file, opts));

  withDatabaseOptions(
    triage
      .command("train")
      .description(
        "Train a scoring model on labelled leads, from a CSV (a Converted 0/1 column) or from the outcomes " +
          "recorded in the database: held-out metrics on a seeded 80/20 split, stored as a new version in the " +
          "database and/or written to --out.",
      )
      .option("--data <file.csv>", "labelled leads, X Education column names")
      .option(
        "--from-db",
        "label the stored leads by their recorded outcomes instead (converted; or unsubscribed, bounced, or no conversion --window-days after the latest outcome)",
      )
      .option("--tenant <id>", "with --from-db: whose leads and outcomes", "default")
      .option(
        "--window-days <n>",
        "with --from-db: days after its latest outcome that an unconverted lead counts as not converted",
        "30",
      )
      .addOption(
        new Option(
          "--features <setting>",
          "which columns: pre-contact (default for a CSV), all (includes post-contact columns that leak the outcome) or lead-input (what product leads carry; the default and the only choice with --from-db)",
        ).choices(TRIAGE_SETTINGS),
      )
      .addOption(
        new Option(
          "--kind <kind>",
          "gradient-boosted trees blended with logistic regression, or either alone",
        )
          .choices(["blend", "gbt", "logistic"])
          .default("blend"),
      )
      .option("--seed <n>", "seed of the split, the folds and the trees", "42")
      .option("--out <model.json>", "also write the model to this file")
      .option("--no-db", "do not store the model in the database (needs --out)")
      .option("--activate", "make it the model triage uses (lead-input models only)")
      .option("--refit", "after measuring on the 80/20 split, train again on every row and keep that model"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  marketing-agents triage train --data ../shared/datasets/leads/leads.csv --features all --out model.json --no-db\n" +
        "  marketing-agents triage train --data leads.csv --features lead-input --refit --activate\n" +
        "  marketing-agents triage train --from-db --window-days 30 --activate",
    )
    .action((opts) => trainCommand(opts));

  withDatabaseOptions(
    triage
      .command("evaluate")
      .description(
        "Print a model's AUC, PR-AUC, Brier, log loss, ECE and top-decile lift on a labelled CSV, as JSON.",
      )
      .requiredOption("-m, --model <model>", "model.json, db:<version> or db:active")
      .requiredOption("--data <file.csv>", "labelled leads (a Converted 0/1 column)"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  marketing-agents triage evaluate --model model.json --data test.csv\n" +
        "  marketing-agents triage evaluate --model db:3 --data test.csv --database postgres://u:p@db/marketing",
    )
    .action((opts) => evaluateCommand(opts));

  const models = triage
    .command("models")
    .description("List the stored models, or choose the one triage uses.")
    .addHelpText(
      "after",
      "\nExamples:\n  marketing-agents triage models list\n  marketing-agents triage models activate 3\n" +
        "  marketing-agents triage models deactivate",
    );
  withDatabaseOptions(
    models.command("list").description("Stored models, newest first.").option("--json", "print JSON"),
  )
    .addHelpText("after", "\nExample:\n  marketing-agents triage models list --json")
    .action((opts) => listModelsCommand(opts));
  withDatabaseOptions(
    models
      .command("activate")
      .description("Make a stored version the model triage uses (from the next start).")
      .argument("<version>", "a stored version, as `models list` shows it"),
  )
    .addHelpText("after", "\nExample:\n  marketing-agents triage models activate 3")
    .action((version: string, opts) => activateModelCommand(version, opts));
  withDatabaseOptions(
    models.command("deactivate").description("Go back to the model shipped with the package."),
  )
    .addHelpText("after", "\nExample:\n  marketing-agents triage models deactivate")
    .action((opts) => deactivateModelsCommand(opts));

  return triage;
}
