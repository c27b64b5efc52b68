import * as tf from "@tensorflow/tfjs";
import type { TrainConfig } from "./config.js";
import { PIXELS, batchRows, shardOf, takeRows, type Dataset } from "./mnist-data.js";
import { MnistMlp } from "./mnist-mlp.js";
import type { TrainTask } from "./task.js";

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
 * The MNIST MLP with Adam: rank `rank` of `size` trains on its own shard; with rank "all", one
 * process trains each step on the union of the batches the `size` ranks would take at that step.
 */
export function mnistTask(config: TrainConfig, data: { train: Dataset; test: Dataset }, rank: number | "all", size: number): TrainTask {
  const shards = rank === "all" ? Array.from({ length: size }, (_, r) => shardOf(data.train, r, size)) : [shardOf(data.train, rank, size)];
  const model = new MnistMlp(config.hidden, config.seed);
  const optimizer = tf.train.adam(config.lr);
  return {
    vars: model.vars,
    optimizer,
    lossAt: (step) => model.lossOf(concat(shards.map((s) => takeRows(s, batchRows(s, step, config.batch))))),
    evaluate: () => ({ testAccuracy: model.accuracy(data.test) }),
    dispose: () => (model.dispose(), optimizer.dispose()),
  };
}
