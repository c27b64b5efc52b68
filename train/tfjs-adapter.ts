import * as tf from "@tensorflow/tfjs";
import type { Communicator } from "../collectives/types.js";
import { flatten, split } from "./flat.js";
import { GradientBuckets, type BucketOptions } from "./grad-buckets.js";

/** All variables as one Float32Array, in the given order. */
export function readVariables(vars: readonly tf.Variable[]): Float32Array {
  return flatten(vars.map((v) => v.dataSync() as Float32Array));
}

/** Assigns consecutive slices of `flat` to `vars`. */
export function writeVariables(vars: readonly tf.Variable[], flat: Float32Array): void {
  const parts = split(flat, vars.map((v) => v.size));
  vars.forEach((v, i) => v.assign(tf.tensor(parts[i], v.shape, "float32")));
}

/** Horovod's broadcast_variables: every rank starts from `root`'s values. */
export async function broadcastVariables(comm: Communicator, vars: readonly tf.Variable[], root = 0): Promise<void> {
  await tf.ready(); // whatever backend the caller picked (an async one like wasm) is usable before first use
  const flat = readVariables(vars);
  await comm.broadcast(flat, root);
  writeVariables(vars, flat);
}

/** bucketBytes (default 25 MiB), compress (per bucket), timeoutMs. */
export type DistributedOptimizerOptions = BucketOptions;

/**
 * Wraps a tfjs optimizer like Horovod's DistributedOptimizer, with PyTorch DDP's bucketed sync:
 * `minimize` computes the gradients, reads them from the last variable back and starts each bucket's
 * all-reduce (average over ranks; bucketBytes, default 25 MiB) as soon as the bucket is full, then
 * waits for all of them and applies them with the wrapped optimizer. `{ sync: false }` (or
 * `noSync`) only accumulates the step's gradients; the next synced step sends and applies the sum.
 * Every rank must call it the same number of times, with the same sync flags and variable list.
 */
export class DistributedOptimizer {
  /** Seconds spent waiting for gradient all-reduces after the last gradient was read. */
  commSeconds = 0;
  private buckets?: { key: string; buckets: GradientBuckets };

  constructor(
    readonly optimizer: tf.Optimizer,
    private readonly comm: Communicator,
    private readonly options: DistributedOptimizerOptions = {},
  ) {}

  /** Buckets of the last variable list, made anew when the list changes. */
  bucketsFor(varList: readonly tf.Variable[]): GradientBuckets {
    const key = varList.map((v) => `${v.name}:${v.size}`).join(",");
    if (this.buckets?.key !== key) this.buckets = { key, buckets: new GradientBuckets(this.comm, varList.map((v) => v.size), this.options) };
    return this.buckets.buckets;
  }

  /** One training step; resolves with the local loss. */
  async minimize(loss: () => tf.Scalar, varList: tf.Variable[], options: { sync?: boolean } = {}): Promise<number> {
    await tf.ready(); // resolves at once once the backend is up; before that, its first op would throw
    const sync = options.sync ?? true;
    const buckets = this.bucketsFor(varList);
    buckets.begin(sync);
    const { value, grads } = tf.variableGrads(loss, varList);
    try {
      // Backward order: the first bucket's all-reduce is under way while later gradients are read.
      for (let i = varList.length - 1; i >= 0; i--) buckets.add(i, (await grads[varList[i].name].data()) as Float32Array);
      const lossValue = (await value.data())[0];
      const t = performance.now();
      const averaged = await buckets.wait();
      this.commSeconds += (performance.now() - t) / 1000;
      if (sync) {
        tf.tidy(() => {
          const named: tf.NamedTensorMap = {};
          varList.forEach((v, i) => (named[v.name] = tf.tensor(averaged[i], v.shape, "float32")));
          this.optimizer.applyGradients(named);
        });
      }
      return lossValue;
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  }

  /** A gradient-accumulation step: this step's gradients are added up locally, nothing is sent or applied. */
  noSync(loss: () => tf.Scalar, varList: tf.Variable[]): Promise<number> {
    return this.minimize(loss, varList, { sync: false });
  }
}
