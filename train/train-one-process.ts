import * as tf from "@tensorflow/tfjs";
import type { TrainConfig } from "./config.js";
import type { Evaluation, TrainTask } from "./task.js";

/**
 * The reference: one process, one model, each step on the union of the batches the ranks would
 * take at that step — the same samples, the same number of them, the same optimizer. `task` is
 * built for rank "all" (mnistTask, lmTask).
 */
export function trainOneProcess(config: TrainConfig, task: TrainTask): Evaluation & { seconds: number; finalLoss: number } {
  let loss = NaN;
  const started = performance.now();
  for (let step = 0; step < config.steps; step++) {
    loss = tf.tidy(() => (task.optimizer.minimize(task.lossAt(step), true, task.vars) as tf.Scalar).dataSync()[0]);
  }
  const seconds = (performance.now() - started) / 1000;
  const evaluation = task.evaluate();
  task.dispose();
  return { ...evaluation, seconds, finalLoss: loss };
}
