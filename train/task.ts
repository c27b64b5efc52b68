import * as tf from "@tensorflow/tfjs";

/** What a trained model is judged by: MNIST's held-out accuracy, the LM's validation loss (nats per token). */
export interface Evaluation {
  testAccuracy?: number;
  valLoss?: number;
}

/**
 * One model, its data and its inner optimizer, as the training loops see them (trainRank for the
 * ranks, trainOneProcess for the reference): the same loops drive the MNIST MLP and the LM.
 */
export interface TrainTask {
  readonly vars: tf.Variable[];
  /** The inner optimizer (Adam for the MLP, AdamW with its schedule for the LM). */
  readonly optimizer: tf.Optimizer;
  /** The loss of this task's batch at `step` (a rank's own batch; the union of all ranks' in the reference). */
  lossAt(step: number): () => tf.Scalar;
  evaluate(): Evaluation;
  dispose(): void;
}

/** One local optimizer step on the task's batch at `step`, nothing sent; returns the batch's loss. */
export function localStep(task: TrainTask, step: number): number {
  return tf.tidy(() => (task.optimizer.minimize(task.lossAt(step), true, task.vars) as tf.Scalar).dataSync()[0]);
}
