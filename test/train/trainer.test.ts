import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createCommunicator } from "../../collectives/communicator.js";
import { DEFAULT_CONFIG, type Method, type TrainConfig } from "../../train/config.js";
import { loadMnist } from "../../train/mnist-data.js";
import { mnistTask } from "../../train/mnist-task.js";
import { DistributedOptimizer, readVariables } from "../../train/tfjs-adapter.js";
import { useWasmBackend } from "../../train/tfjs-backend.js";
import { trainOneProcess } from "../../train/train-one-process.js";
import { trainRank } from "../../train/train-rank.js";
import { createMemoryWorld } from "../../transports/memory.js";
import { parseTopology } from "../../world/topology.js";

function world(size: number) {
  const topology = parseTopology(String(size));
  return createMemoryWorld(size).map((t) => createCommunicator(t, topology, { timeoutMs: 10_000 }));
}

describe("trainer", () => {
  const data = loadMnist();
  beforeAll(async () => {
    await useWasmBackend();
  });

  it("DistributedOptimizer applies the rank-averaged gradient (hand-computed SGD step)", async () => {
    const comms = world(2);
    const targets = [1, 3];
    const ws = comms.map(() => tf.variable(tf.zeros([1])));
    await Promise.all(comms.map((comm, r) => {
      const opt = new DistributedOptimizer(tf.train.sgd(0.1), comm);
      return opt.minimize(() => ws[r].sub(targets[r]).square().sum() as tf.Scalar, [ws[r]]);
    }));
    // grad_r = 2 (w - t_r); average = 2 (0 - 2) = -4; w = 0 - 0.1 * -4
    for (const w of ws) expect(readVariables([w])[0]).toBeCloseTo(0.4, 6);
  });

  it("sync data-parallel over 2 ranks matches one process on the same samples", async () => {
    const config: TrainConfig = { ...DEFAULT_CONFIG, method: "sync", steps: 30, batch: 16, hidden: 32, lr: 3e-3 };
    const runs = await Promise.all(world(2).map((comm) => trainRank(comm, config, mnistTask(config, data, comm.rank, 2))));
    const one = trainOneProcess(config, mnistTask(config, data, "all", 2));
    expect(runs[0].testAccuracy).toBe(runs[1].testAccuracy);
    expect(Math.abs(runs[0].testAccuracy! - one.testAccuracy!)).toBeLessThanOrEqual(0.002);
    expect(one.testAccuracy).toBeGreaterThan(0.5);
  });

  for (const method of ["topk", "diloco", "streaming-diloco"] as Method[]) {
    it(`${method} trains above chance and leaves every rank with the same model`, async () => {
      const config: TrainConfig = { ...DEFAULT_CONFIG, method, steps: 30, batch: 16, hidden: 32, lr: 3e-3, innerSteps: 10, fragments: 2, overlapSteps: 2, topkRatio: 0.1 };
      const runs = await Promise.all(world(2).map((comm) => trainRank(comm, config, mnistTask(config, data, comm.rank, 2))));
      expect(runs[0].testAccuracy).toBeGreaterThan(0.4);
      expect(runs[1].testAccuracy).toBe(runs[0].testAccuracy);
      expect(runs[0].syncs).toBe(method === "topk" ? 30 : method === "diloco" ? 3 : 7);
    });
  }
});
