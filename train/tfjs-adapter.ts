import * as tf from "@tensorflow/tfjs";
import type { CompressOptions } from "../collectives/compression/types.js";
import type { Communicator } from "../collectives/types.js";
import { flatten, split } from "./flat.js";

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

export interface DistributedOptimizerOptions {
  /** e.g. { kind: "topk", ratio: 0.01 } — top-k with error feedback; default: dense. */
  compress?: CompressOptions;
  timeoutMs?: number;
}

/**
 * Wraps a tfjs optimizer like Horovod's DistributedOptimizer: `minimize` computes the gradients,
 * averages them over all ranks in one flat all-reduce, then applies them with the wrapped
 * optimizer. Every rank must call it the same number of times with the same variable list.
 */
export class DistributedOptimizer {
  /** Seconds spent waiting for the gradient all-reduce so far. */
  commSeconds = 0;

  constructor(
    readonly optimizer: tf.Optimizer,
    private readonly comm: Communicator,
    private readonly options: DistributedOptimizerOptions = {},
  ) {}

  /** One training step; resolves with the local loss. */
  async minimize(loss: () => tf.Scalar, varList: tf.Variable[]): Promise<number> {
    await tf.ready(); // resolves at once once the backend is up; before that, its first op would throw
    const { value, grads } = tf.variableGrads(loss, varList);
    const names = varList.map((v) => v.name);
    const flat = flatten(names.map((n) => grads[n].dataSync() as Float32Array));
    const lossValue = (await value.data())[0];
    tf.dispose([value, ...Object.values(grads)]);
    const t = performance.now();
    // The flat gradient is a new array each step: name its residual so error feedback carries over.
    const compress = this.options.compress && { key: "distributed-optimizer", ...this.options.compress };
    await this.comm.allReduce(flat, { op: "avg", compress, timeoutMs: this.options.timeoutMs });
    this.commSeconds += (performance.now() - t) / 1000;
    const parts = split(flat, varList.map((v) => v.size));
    tf.tidy(() => {
      const averaged: tf.NamedTensorMap = {};
      varList.forEach((v, i) => (averaged[v.name] = tf.tensor(parts[i], v.shape, "float32")));
      this.optimizer.applyGradients(averaged);
    });
    return lossValue;
  }
}
