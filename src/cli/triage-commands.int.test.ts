import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import { parseTriageModel } from "../agents/triage/model.js";
import { seededRandom } from "../agents/triage/random.js";
import type { Database } from "../db/client.js";
import { upsertLead } from "../db/leads.js";
import { outcomeEvents } from "../db/schema.js";
import { listTriageModels } from "../db/triage-models.js";
import { CliError } from "./read-input.js";
import { triageCommand } from "./triage.js";
import { triageProgram } from "./triage-command.js";
import { evaluateCommand } from "./triage-evaluate.js";
import type { TriageCliIo } from "./triage-io.js";
import { activateModelCommand, deactivateModelsCommand, listModelsCommand } from "./triage-registry.js";
import { trainCommand } from "./triage-train.js";

/**
 * The triage subcommands in-process, on CSV files generated here (the X Education data has no licence to
 * copy into the repository), against a PGlite test database. One test runs the real binary entry.
 */

const quote = (cell: string) => (/[",\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);

/**
 * Leads with the X Education column names and a known pattern: Reference leads and long visits convert,
 * "Do Not Email" hurts, and the post-contact `Tags` column leaks the outcome.
 */
function syntheticCsv(n: number, seed: number, options: { dropColumns?: string[] } = {}): string {
  const random = seededRandom(seed);
  const header = [
    "Prospect ID",
    "Lead Source",
    "TotalVisits",
    "Total Time Spent on Website",
    "Page Views Per Visit",
    "Last Activity",
    "Do Not Email",
    "What is your current occupation",
    "Tags",
    "Converted",
  ];
  const sources = ["Google", "Reference", "Olark Chat", "Direct Traffic"];
  const effect: Record<string, number> = { Google: 0, Reference: 1.8, "Olark Chat": -1, "Direct Traffic": 0 };
  const lines: string[][] = [];
  for (let i = 0; i < n; i++) {
    const source = sources[Math.floor(random() * sources.length)]!;
    const seconds = Math.floor(random() * 2000);
    const doNotEmail = random() < 0.15;
    const z = -1.2 + effect[source]! + 0.0018 * seconds - (doNotEmail ? 1.5 : 0);
    const converted = random() < 1 / (1 + Math.exp(-z));
    lines.push([
      `p-${seed}-${i}`,
      source,
      String(Math.floor(random() * 10)),
      String(seconds),
      (1 + random() * 4).toFixed(1),
      random() < 0.5 ? "Email Opened" : "SMS Sent",
      doNotEmail ? "Yes" : "No",
      random() < 0.7 ? "Working Professional" : "Select",
      converted === random() < 0.9 ? "Will revert after reading the email" : "Ringing",
      converted ? "1" : "0",
    ]);
  }
  const keep = header.map((h) => !options.dropColumns?.includes(h));
  return [header, ...lines]
    .map((cells) =>
      cells
        .filter((_, c) => keep[c])
        .map(quote)
        .join(","),
    )
    .join("\n");
}

interface CapturedIo extends TriageCliIo {
  out(): string;
  err(): string;
}

/** Output captured in strings; every command shares one test database, which stays open between them. */
function captureIo(database: Database): CapturedIo {
  let out = "";
  let err = "";
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text), isTTY: false },
    openDatabase: async () => ({ ...database, close: async () => {} }),
    out: () => out,
    err: () => err,
  };
}

let dir: string;
let database: Database;
const files = { train: "", test: "", noTarget: "", fewColumns: "", ragged: "" };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "triage-cli-"));
  database = await createTestDatabase();
  files.train = join(dir, "train.csv");
  files.test = join(dir, "test.csv");
  files.noTarget = join(dir, "no-target.csv");
  files.fewColumns = join(dir, "few-columns.csv");
  files.ragged = join(dir, "ragged.csv");
  await writeFile(files.train, syntheticCsv(800, 1));
  await writeFile(files.test, syntheticCsv(400, 2));
  await writeFile(files.noTarget, syntheticCsv(50, 3, { dropColumns: ["Converted"] }));
  await writeFile(files.fewColumns, syntheticCsv(400, 4, { dropColumns: ["Lead Source", "Tags"] }));
  await writeFile(files.ragged, "Lead Source,TotalVisits,Converted\nGoogle,3,1\nReference,2\n");
});
afterAll(async () => {
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

const metricKeys = ["auc", "brier", "ece", "liftTopDecile", "logLoss", "n", "prAuc"];

describe("triage train", () => {
  it("trains on an 80/20 split, prints the held-out metrics, stores version 1 active and writes --out", async () => {
    const io = captureIo(database);
    const out = join(dir, "lead-input.json");
    await trainCommand({ data: files.train, features: "lead-input", activate: true, out }, io);

    expect(io.out()).toMatch(/^metric\s+held-out \(160 rows\)\s+cross-validated \(640 rows\)$/m);
    for (const label of ["AUC", "PR-AUC", "Brier", "log loss", "ECE", "top-decile lift"]) {
      expect(io.out()).toMatch(new RegExp(`^${label}\\s+\\d`, "m"));
    }
    expect(io.out()).toMatch(/calibration on the held-out rows/);
    expect(io.out()).toMatch(/stored as version 1 \(db:1\) .*; active/);
    // Progress: one line per fold fit and the final fit, on stderr (stdout stays the result).
    expect(io.err()).toMatch(/held-out fit: fold 1\/5/);
    expect(io.err()).toMatch(/held-out fit: final fit/);

    const model = parseTriageModel(JSON.parse(await readFile(out, "utf8")));
    expect(model.kind).toBe("blend");
    expect(model.trainedOn).toMatchObject({ rows: 640, setting: "lead-input", seed: 42 });
    expect(model.metrics.holdout).toMatchObject({ n: 160, testFraction: 0.2, seed: 42 });
    expect(model.metrics.holdout!.auc).toBeGreaterThan(0.7);
    const [stored] = await listTriageModels(database.db);
    expect(stored).toMatchObject({ version: 1, active: true, kind: "blend", setting: "lead-input" });
    expect(stored?.source).toMatch(/^train\.csv sha256:[0-9a-f]{16}$/);
  });

  it("keeps the leaky post-contact column out of pre-contact models, and all shows what it leaks", async () => {
    const auc = async (features: "pre-contact" | "all") => {
      const out = join(dir, `${features}.json`);
      await trainCommand(
        { data: files.train, features, kind: "logistic", out, db: false },
        captureIo(database),
      );
      const model = parseTriageModel(JSON.parse(await readFile(out, "utf8")));
      return { columns: model.featureSpec.columns.map((c) => c.column), auc: model.metrics.holdout!.auc };
    };
    const pre = await auc("pre-contact");
    const all = await auc("all");
    expect(pre.columns).not.toContain("Tags");
    expect(pre.columns).not.toContain("Prospect ID");
    expect(all.columns).toContain("Tags");
    expect(all.auc).toBeGreaterThan(pre.auc + 0.05);
  });

  it("refits on every row when asked, and is deterministic for a seed", async () => {
    const run = async (name: string, refit: boolean) => {
      const out = join(dir, name);
      const io = captureIo(database);
      await trainCommand({ data: files.train, kind: "logistic", seed: "7", out, db: false, refit }, io);
      return { model: JSON.parse(await readFile(out, "utf8")), err: io.err() };
    };
    const a = await run("a.json", false);
    const b = await run("b.json", false);
    const refit = await run("refit.json", true);
    expect({ ...a.model, createdAt: 0 }).toEqual({ ...b.model, createdAt: 0 });
    expect(a.model.trainedOn.rows).toBe(640);
    expect(refit.model.trainedOn.rows).toBe(800);
    expect(refit.err).toMatch(/refit on all rows: final fit/);
    expect(refit.model.metrics.holdout).toEqual(a.model.metrics.holdout);
  });

  const pathOf = (name: string) =>
    name in files ? files[name as keyof typeof files] : join(dir, `${name}.csv`);

  it.each([
    [
      { data: "noTarget" },
      /no "Converted" column \(the 0\/1 outcome\); its columns: Prospect ID, Lead Source/,
    ],
    [{ data: "ragged" }, /ragged\.csv is not a valid CSV: Invalid Record Length/],
    [{ data: "missing" }, /cannot read .*missing\.csv: no such file/],
    [
      { data: "fewColumns", features: "all" },
      /--features all adds the post-contact columns .* use --features pre-contact/,
    ],
    [{ data: "train", db: false }, /--no-db without --out/],
    [{ data: "train", features: "all", activate: true }, /train with --features lead-input to activate/],
    [{ data: "train", seed: "soon" }, /invalid options:[\s\S]*seed/],
  ] as const)("explains a bad request: %o", async (options, message) => {
    const error = await trainCommand({ ...options, data: pathOf(options.data) }, captureIo(database)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toMatch(message);
  });
});

describe("triage evaluate", () => {
  it("prints the same metrics JSON for a model file and its stored version", async () => {
    const run = async (model: string) => {
      const io = captureIo(database);
      await evaluateCommand({ model, data: files.test }, io);
      return JSON.parse(io.out()) as Record<string, number>;
    };
    const fromFile = await run(join(dir, "lead-input.json"));
    const fromDb = await run("db:1");
    const active = await run("db:active");
    expect(Object.keys(fromFile).sort()).toEqual(metricKeys);
    expect(fromFile.n).toBe(400);
    expect(fromFile.auc).toBeGreaterThan(0.7);
    expect(fromFile.brier).toBeLessThan(0.25);
    expect(fromDb).toEqual(fromFile);
    expect(active).toEqual(fromFile);
  });

  it.each([
    ["db:99", "test", /no stored triage model has version 99/],
    ["db:latest", "test", /use db:<version> \(e\.g\. db:3\) or db:active/],
    ["nope.json", "test", /cannot read the triage model at nope\.json/],
    ["lead-input.json", "fewColumns", /lacks 1 column\(s\) the model .* was trained on: "Lead Source"/],
    ["lead-input.json", "noTarget", /no "Converted" column/],
  ] as const)("explains a bad request: --model %s --data %s", async (model, data, message) => {
    const error = await evaluateCommand(
      { model: model === "lead-input.json" ? join(dir, model) : model, data: files[data] },
      captureIo(database),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toMatch(message);
  });
});

describe("triage models and score", () => {
  it("lists, refuses to activate a model product leads cannot feed, activates and deactivates", async () => {
    await trainCommand({ data: files.train, kind: "logistic", features: "all" }, captureIo(database));
    const list = captureIo(database);
    await listModelsCommand({}, list);
    expect(list.out()).toMatch(/^version\s+active\s+kind\s+setting\s+held-out AUC/m);
    expect(list.out()).toMatch(/^2\s+logistic\s+all\s+0\.\d{4}/m);
    expect(list.out()).toMatch(/^1\s+yes\s+blend\s+lead-input/m);

    const refused = await activateModelCommand("2", {}, captureIo(database)).catch((e: unknown) => e);
    expect(refused).toMatchObject({ exitCode: 2 });
    expect((refused as Error).message).toMatch(/columns product leads never carry/);
    await expect(activateModelCommand("two", {}, captureIo(database))).rejects.toThrow(/not a model version/);

    const off = captureIo(database);
    await deactivateModelsCommand({}, off);
    expect(off.out()).toMatch(/shipped default/);
    const json = captureIo(database);
    await listModelsCommand({ json: true }, json);
    expect((JSON.parse(json.out()) as { active: boolean }[]).every((m) => !m.active)).toBe(true);
    await activateModelCommand("1", {}, captureIo(database));
    expect((await listTriageModels(database.db)).find((m) => m.active)?.version).toBe(1);
  });

  it("scores the sample leads with a stored model", async () => {
    const io = captureIo(database);
    await triageCommand("examples/leads.json", { model: "db:active" }, io, null);
    const results = JSON.parse(io.out()) as { class: string; model: string; llm: unknown }[];
    expect(results).toHaveLength(3);
    expect(results[2]?.class).toBe("disqualified");
    expect(results.every((r) => r.model === "offline" && r.llm === null)).toBe(true);
  });

  it("shows help with an example for every subcommand", () => {
    const help = (path: string[]) => {
      let text = "";
      let command = triageProgram();
      for (const name of path) command = command.commands.find((c) => c.name() === name)!;
      command.configureOutput({ writeOut: (s) => (text += s) });
      command.outputHelp();
      return text;
    };
    for (const path of [
      [],
      ["score"],
      ["train"],
      ["evaluate"],
      ["models"],
      ["models", "list"],
      ["models", "activate"],
      ["models", "deactivate"],
    ]) {
      expect(help(path), path.join(" ")).toMatch(/\nExamples?:\n[^\n]*marketing-agents triage/);
    }
    expect(help(["train"])).toMatch(
      /--features <setting>[\s\S]*pre-contact[\s\S]*--activate[\s\S]*--database/,
    );
  });

  it("keeps `marketing-agents triage <file>` working through the real entry point", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "triage",
      "examples/leads.json",
      "--offline",
    ]);
    const classes = (JSON.parse(stdout) as { class: string }[]).map((r) => r.class);
    expect(classes).toEqual(["hot", "cold", "disqualified"]);
  });
});

/**
 * Stored leads with the same kind of pattern (Reference leads and long visits convert) and outcomes recorded
 * for most of them: converted, unsubscribed, or contacted long ago without converting; some contacted only
 * recently (still open) and some never (unlabelled).
 */
async function seedOutcomes(database: Database, n: number, seed: number) {
  const random = seededRandom(seed);
  const sources = ["Google", "Reference", "Olark Chat", "Direct Traffic"];
  const effect: Record<string, number> = { Google: 0, Reference: 1.8, "Olark Chat": -1, "Direct Traffic": 0 };
  const day = 86_400_000;
  const counts = { converted: 0, notConverted: 0, open: 0 };
  for (let i = 0; i < n; i++) {
    const source = sources[Math.floor(random() * sources.length)]!;
    const timeOnSite = Math.floor(random() * 2000);
    const z = -1.2 + effect[source]! + 0.0018 * timeOnSite;
    const converted = random() < 1 / (1 + Math.exp(-z));
    const lead = await upsertLead(database.db, "default", {
      name: `Lead ${i}`,
      email: `lead-${seed}-${i}@example.com`,
      source,
      timeOnSite,
      totalVisits: Math.floor(random() * 10),
      lastActivity: random() < 0.5 ? "Email Opened" : "SMS Sent",
      title: "Marketing Manager",
    });
    const fate = random();
    const events: [string, number][] =
      fate < 0.1
        ? [] // never contacted: unlabelled
        : converted
          ? [
              ["sent", 50],
              ["converted", 20],
            ]
          : fate < 0.2
            ? [["sent", 3]] // contacted recently: still open
            : fate < 0.4
              ? [
                  ["sent", 50],
                  ["unsubscribed", 40],
                ]
              : [["sent", 60]];
    if (events.length > 0) {
      if (converted) counts.converted++;
      else if (fate < 0.2) counts.open++;
      else counts.notConverted++;
    }
    for (const [k, [event, age]] of events.entries()) {
      await database.db.insert(outcomeEvents).values({
        tenantId: "default",
        idempotencyKey: `seed-${seed}-${i}-${k}`,
        leadId: lead.id,
        event: event as "sent",
        occurredAt: new Date(Date.now() - age * day),
      });
    }
  }
  return counts;
}

describe("triage train --from-db", () => {
  let fromDb: Database;
  let counts: Awaited<ReturnType<typeof seedOutcomes>>;
  beforeAll(async () => {
    fromDb = await createTestDatabase();
    counts = await seedOutcomes(fromDb, 400, 11);
  });
  afterAll(() => fromDb?.close());

  it("labels the stored leads by their recorded outcomes, trains a lead-input model and stores it active", async () => {
    const io = captureIo(fromDb);
    const out = join(dir, "from-db.json");
    await trainCommand({ fromDb: true, activate: true, out }, io);
    const labelled = counts.converted + counts.notConverted;
    expect(io.err()).toContain(`labelled ${labelled} leads from the outcomes recorded in `);
    expect(io.err()).toContain(
      `: ${counts.converted} converted, ${counts.notConverted} not; left out: ${counts.open} still open (outcomes in the last 30 days, no conversion yet)`,
    );
    expect(io.err()).toMatch(/training a blend model \(lead-input columns, seed 42\)/);
    expect(io.out()).toMatch(/^AUC\s+\d/m);
    expect(io.out()).toMatch(/stored as version 1 \(db:1\) .*; active/);

    const model = parseTriageModel(JSON.parse(await readFile(out, "utf8")));
    const heldOut = Math.round(counts.converted * 0.2) + Math.round(counts.notConverted * 0.2);
    expect(model.trainedOn).toMatchObject({ setting: "lead-input", rows: labelled - heldOut });
    expect(model.metrics.holdout).toMatchObject({ n: heldOut });
    expect(model.metrics.holdout!.auc).toBeGreaterThan(0.7);
    // The stored do-not-email flag is set by an unsubscribe: never a feature of a model trained on outcomes.
    expect(model.featureSpec.columns.map((c) => c.column)).not.toContain("Do Not Email");
    expect(model.featureSpec.columns.map((c) => c.column)).toContain("Lead Source");
    const [stored] = await listTriageModels(fromDb.db);
    expect(stored).toMatchObject({ version: 1, active: true, setting: "lead-input" });
    expect(stored?.source).toMatch(
      new RegExp(`^db outcomes tenant=default window=30d leads=${labelled} sha256:[0-9a-f]{16}$`),
    );
  });

  it("refuses clearly when too few leads are labelled", async () => {
    const few = await createTestDatabase();
    try {
      const seeded = await seedOutcomes(few, 30, 12);
      const error = await trainCommand({ fromDb: true, out: join(dir, "few.json") }, captureIo(few)).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CliError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^too few labelled leads in the database to train: ${seeded.converted} converted and ` +
            `${seeded.notConverted} not converted \\(tenant "default"; left out: ${seeded.open} still open .*\\)\\. ` +
            "At least 20 of each are needed\\. .*Or train from a CSV with --data\\.$",
        ),
      );
      expect(await listTriageModels(few.db)).toEqual([]);
    } finally {
      await few.close();
    }
  });

  it("an empty tenant is too few as well", async () => {
    const error = await trainCommand({ fromDb: true, tenant: "nobody" }, captureIo(fromDb)).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(
      /^too few labelled leads .*: 0 converted and 0 not converted \(tenant "nobody"/,
    );
  });

  it.each([
    [{ fromDb: true, data: "x.csv" }, /--data and --from-db are two sources/],
    [{}, /no labelled leads: give --data <file\.csv>, or --from-db/],
    [{ fromDb: true, features: "all" }, /--from-db trains on stored leads, .*use --features lead-input/],
    [{ fromDb: true, windowDays: "-1" }, /invalid options:[\s\S]*windowDays/],
  ] as const)("explains a bad request: %o", async (options, message) => {
    const error = await trainCommand(options, captureIo(fromDb)).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 2 });
    expect((error as Error).message).toMatch(message);
  });
});
