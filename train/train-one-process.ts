import type { TrainConfig } from "./config.js";
import { localStep, type Evaluation, type TrainTask } from "./task.js";

/**
 * The reference: one process, one model, each step on the union of the batches the ranks would
 * take at that step — the same samples, the same number of them, the same optimizer. `task` is
 * built for rank "all" (mnistTask, lmTask).
 */
export function trainOneProcess(config: TrainConfig, task: TrainTask): Evaluation & { seconds: number; finalLoss: number } {
  let loss = NaN;
  const started = performance.now();
  for (let step = 0; step < config.steps; step++) {
    loss = localStep(task, step);
  }
  const seconds = (performance.now() - started) / 1000;
  const evaluation = task.evaluate();
  task.dispose();
  return { ...evaluation, seconds, finalLoss: loss };
}
