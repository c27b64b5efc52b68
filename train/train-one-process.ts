import * as tf from "@tensorflow/tfjs";
import type { TrainConfig } from "./config.js";
import { PIXELS, batchRows, shardOf, takeRows, type Dataset } from "./mnist-data.js";
import { MnistMlp } from "./mnist-mlp.js";

/** Concatenates datasets row-wise. */
function concat(parts: Dataset[]): Dataset {
  const n = parts.reduce((s, p) => s + p.n, 0);
  const x = new Float32Array(n * PIXELS);
  const y = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    x.set(p.x, at * PIXELS);
    y.set(p.y, at);
    at += p.n;
  }
  return { x, y, n };
}

/**
 * The reference: one process, one model, each step on the union of the batches the `size` ranks
 * would take at that step — the same samples, the same number of them, the same optimizer.
 */
export function trainOneProcess(config: TrainConfig, size: number, data: { train: Dataset; test: Dataset }): { testAccuracy: number; seconds: number; finalLoss: number } {
  const shards = Array.from({ length: size }, (_, r) => shardOf(data.train, r, size));
  const model = new MnistMlp(config.hidden, config.seed);
  const adam = tf.train.adam(config.lr);
  let loss = NaN;
  const started = performance.now();
  for (let step = 0; step < config.steps; step++) {
    const batch = concat(shards.map((s) => takeRows(s, batchRows(s, step, config.batch))));
    loss = tf.tidy(() => (adam.minimize(model.lossOf(batch), true, model.vars) as tf.Scalar).dataSync()[0]);
  }
  const seconds = (performance.now() - started) / 1000;
  const testAccuracy = model.accuracy(data.test);
  model.dispose();
  return { testAccuracy, seconds, finalLoss: loss };
}
