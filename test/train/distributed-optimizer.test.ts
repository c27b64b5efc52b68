/** DistributedOptimizer's bucketed sync and noSync accumulation, hand-computed SGD steps over the in-memory transport. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { DistributedOptimizer, readVariables } from "../../train/tfjs-adapter.js";
import { useWasmBackend } from "../../train/tfjs-backend.js";
import { memoryComms } from "../collectives/world.js";

/** Two ranks, model y = a + b with loss (a - t_r)² + (b - 2 t_r)², t = [1, 3]; grads 2(a - t), 2(b - 2t). */
function setup(bucketBytes?: number) {
  const comms = memoryComms(2);
  const targets = [1, 3];
  const vars = comms.map(() => [tf.variable(tf.zeros([1])), tf.variable(tf.zeros([1]))]);
  const opts = comms.map((comm) => new DistributedOptimizer(tf.train.sgd(0.1), comm, { bucketBytes }));
  const loss = (r: number) => () => vars[r][0].sub(targets[r]).square().add(vars[r][1].sub(2 * targets[r]).square()).sum() as tf.Scalar;
  return { comms, vars, opts, loss };
}

describe("DistributedOptimizer with buckets", () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  for (const bucketBytes of [undefined, 4]) {
    it(`applies the rank-averaged gradient with ${bucketBytes === undefined ? "one 25 MiB bucket" : "a 4-byte bucket per variable"}`, async () => {
      const { vars, opts, loss } = setup(bucketBytes);
      await Promise.all(opts.map((opt, r) => opt.minimize(loss(r), vars[r])));
      expect(opts[0].bucketsFor(vars[0]).count).toBe(bucketBytes === undefined ? 1 : 2);
      // a: average of 2(0 - 1), 2(0 - 3) = -4 -> 0.4; b: average of -4, -12 = -8 -> 0.8
      for (const v of vars) expect(readVariables(v)).toEqual(Float32Array.from([0.4, 0.8].map(Math.fround)));
    });
  }

  it("noSync then minimize applies the average of the sum of both steps' gradients, once", async () => {
    const { vars, opts, loss } = setup(4);
    await Promise.all(opts.map((opt, r) => opt.noSync(loss(r), vars[r])));
    for (const v of vars) expect(Array.from(readVariables(v))).toEqual([0, 0]); // nothing applied yet
    await Promise.all(opts.map((opt, r) => opt.minimize(loss(r), vars[r])));
    // Twice the one-step gradient: a -> 0 - 0.1 · (-8) = 0.8, b -> 0 - 0.1 · (-16) = 1.6
    for (const v of vars) expect(readVariables(v)).toEqual(Float32Array.from([0.8, 1.6].map(Math.fround)));
  });
});
