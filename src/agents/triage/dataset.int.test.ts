import { describe, expect, it } from "vitest";
import { defaultLeadsCsvPath, readLeadsCsv, stratifiedSplit } from "./dataset.js";
import { evaluateTriageModel, trainTriageModel } from "./model.js";

/**
 * The acceptance bar, on the real X Education file: a seeded, stratified 80/20 split, AUC ≥ 0.88
 * before contact and ≥ 0.97 with every column. The file is not in the repository (no licence to
 * redistribute it), so the suite skips when it is absent.
 */
const path = defaultLeadsCsvPath();
if (!path)
  console.warn(
    "leads.csv not found (set DATASETS_DIR or add ../shared/datasets): skipping the dataset suite",
  );

describe.skipIf(!path)("triage model on the X Education leads", () => {
  const data = path ? readLeadsCsv(path) : { rows: [], target: [], columns: [] };
  const split = stratifiedSplit(data.target, 0.2, 42);
  const pick = <T>(items: readonly T[], indices: readonly number[]) => indices.map((i) => items[i]!);
  const train = { rows: pick(data.rows, split.train), target: pick(data.target, split.train) };
  const test = { rows: pick(data.rows, split.test), target: pick(data.target, split.test) };

  it.each([
    ["pre-contact", 0.88],
    ["all", 0.97],
  ] as const)("reaches the AUC bar in the %s setting", (setting, bar) => {
    const model = trainTriageModel(train.rows, train.target, { kind: "blend", setting, seed: 42 });
    const evaluation = evaluateTriageModel(model, test.rows, test.target);
    console.info(
      `${setting}: AUC ${evaluation.auc.toFixed(4)}, PR-AUC ${evaluation.prAuc.toFixed(4)}, ` +
        `Brier ${evaluation.brier.toFixed(4)}, ECE ${evaluation.ece.toFixed(4)}`,
    );
    expect(evaluation.n).toBe(split.test.length);
    expect(evaluation.auc).toBeGreaterThanOrEqual(bar);
    // Calibrated on out-of-fold scores, so the test set's reliability bins should sit near the diagonal.
    expect(evaluation.ece).toBeLessThan(0.05);
  });
});
