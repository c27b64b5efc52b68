import { lmTrainConfig } from "../../train/config.js";
import { markdownTable } from "./table.js";
import { trainEach, type TrainingPartOptions, type TrainingPlan } from "./training.js";
import type { LmTrainingRow } from "./types.js";

/**
 * Trains the LM with each method across the emulated topology, each with its own recipe
 * (lmTrainConfig). No references: the part is sized for npm start (`train --model lm --compare`
 * has them), and the MLP's part already measures step rates against one site.
 */
export function runLmTrainingPart(plan: TrainingPlan, options: TrainingPartOptions): Promise<LmTrainingRow[]> {
  return trainEach(plan, options, {
    label: "language model",
    config: (method) => lmTrainConfig(method, plan.steps),
    references: { oneSite: false, oneProcess: false },
    row: (method, s) => ({
      method, ranks: s.ranks, steps: s.steps, valPerplexity: s.valPerplexity ?? NaN,
      wanBytes: s.wanBytes, stepsPerSec: s.stepsPerSec, lr: s.lr, outerLr: s.outerLr, outerMomentum: s.outerMomentum,
    }),
  });
}

const recipe = (r: LmTrainingRow): string => `AdamW ${r.lr}${r.outerLr === undefined ? "" : `, outer ${r.outerLr} / momentum ${r.outerMomentum}`}`;

export function lmTrainingSection(rows: readonly LmTrainingRow[]): string {
  const sync = rows.find((r) => r.method === "sync");
  const cells = rows.map((r) => [
    r.method,
    String(r.steps),
    r.valPerplexity.toFixed(2),
    sync ? `${(100 * (r.valPerplexity / sync.valPerplexity - 1)).toFixed(1)}%` : "-",
    `${(r.wanBytes / 1e6).toFixed(2)} MB`,
    sync && r.wanBytes > 0 ? `${(sync.wanBytes / r.wanBytes).toFixed(1)}×` : "-",
    r.stepsPerSec.toFixed(1),
    recipe(r),
  ]);
  return [
    "A small causal transformer (29,312 parameters, characters of the Brown corpus), data-parallel; validation",
    "perplexity per character on held-out documents (docs/trainer.md). Each method trains with its own recipe.",
    "",
    markdownTable(["method", "steps", "val perplexity", "vs sync", "WAN bytes", "fewer than sync", "steps/s", "recipe"], cells),
  ].join("\n");
}
