import { beforeAll, describe, expect, it } from "vitest";
import { createCommunicator } from "../../../collectives/communicator.js";
import { DEFAULT_CONFIG, DEFAULT_LM, DEFAULT_LM_LR, methodDefaults, type TrainConfig } from "../../../train/config.js";
import { learningRateAt } from "../../../train/lm/adamw.js";
import { trainWindows } from "../../../train/lm/batches.js";
import { decodeToken, encode, loadBrown, untag, VOCAB } from "../../../train/lm/corpus.js";
import { lmTask } from "../../../train/lm/lm-task.js";
import { localStep } from "../../../train/task.js";
import { useWasmBackend } from "../../../train/tfjs-backend.js";
import { trainOneProcess } from "../../../train/train-one-process.js";
import { trainRank } from "../../../train/train-rank.js";
import { createMemoryWorld } from "../../../transports/memory.js";
import { parseTopology } from "../../../world/topology.js";

const config: TrainConfig = { ...DEFAULT_CONFIG, model: "lm", method: "sync", steps: 25, batch: 4, lr: 1e-2, lm: { ...DEFAULT_LM, dModel: 16, heads: 2, seqLen: 16, warmupSteps: 3, valWindows: 16 }, seed: 11 };

/** Trains one process on a fixed seed; the losses of every step and the final validation loss. */
function run(): { losses: number[]; valLoss: number } {
  const task = lmTask(config, loadBrown(), 0, 1);
  const losses: number[] = [];
  for (let step = 0; step < config.steps; step++) losses.push(localStep(task, step));
  const { valLoss } = task.evaluate();
  task.dispose();
  return { losses, valLoss: valLoss! };
}

describe("the transformer LM on the Brown corpus", () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it("reads the corpus as text, 450 training and 50 held-out documents, over a 96-character vocabulary", () => {
    expect(untag("The/at jury/nn said/vbd ``/`` no/at ''/'' ,/, it/pps did/dod ./.")).toBe('The jury said "no", it did.');
    const corpus = loadBrown();
    expect(corpus.documents).toEqual({ train: 450, validation: 50 });
    expect(corpus.train.length).toBeGreaterThan(5_000_000);
    expect(Math.max(...corpus.train.subarray(0, 100_000))).toBeLessThan(VOCAB);
    expect(Array.from(encode("Hi!\n"), decodeToken).join("")).toBe("Hi!\n");
    expect(Array.from(trainWindows(corpus.train, 1, 0, 0, 1, 40), decodeToken).join("")).toMatch(/^[\x20-\x7e\n]{41}$/);
  });

  it("warms up linearly, then decays along a cosine to a tenth", () => {
    const o = { lr: 1, warmupSteps: 10, totalSteps: 110 };
    expect(learningRateAt(0, o)).toBeCloseTo(0.1);
    expect(learningRateAt(9, o)).toBeCloseTo(1);
    expect(learningRateAt(60, o)).toBeCloseTo(0.55);
    expect(learningRateAt(110, o)).toBeCloseTo(0.1);
  });

  it("DiLoCo's inner peak grows with the square root of the worker's batch; sync's and the MLP's do not move", () => {
    expect(methodDefaults("lm", "diloco", 8).lr).toBeCloseTo(2e-3, 12);
    expect(methodDefaults("lm", "streaming-diloco", 32).lr).toBeCloseTo(4e-3, 12);
    expect(methodDefaults("lm", "diloco", 64).lr).toBeCloseTo(2e-3 * Math.sqrt(8), 12);
    expect(methodDefaults("lm", "sync", 64).lr).toBe(DEFAULT_LM_LR);
    expect(methodDefaults("mlp", "diloco", 64).lr).toBe(DEFAULT_CONFIG.lr);
  });

  it("on a fixed seed the loss falls, and the same seed gives the same losses twice", () => {
    const first = run();
    const second = run();
    expect(second.losses).toEqual(first.losses);
    expect(second.valLoss).toBe(first.valLoss);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(first.losses[0]).toBeGreaterThan(Math.log(VOCAB) - 0.2); // starts near uniform over 96 characters
    expect(mean(first.losses.slice(-5))).toBeLessThan(first.losses[0] - 0.8);
    expect(first.valLoss).toBeLessThan(first.losses[0] - 0.8);
  });

  it("sync over 2 ranks leaves both with the model one process trains on the union of their windows", async () => {
    const small = { ...config, steps: 6 };
    const comms = createMemoryWorld(2).map((t) => createCommunicator(t, parseTopology("2"), { timeoutMs: 10_000 }));
    const runs = await Promise.all(comms.map((comm) => trainRank(comm, small, lmTask(small, loadBrown(), comm.rank, 2))));
    const one = trainOneProcess(small, lmTask(small, loadBrown(), "all", 2));
    expect(runs[1].valLoss).toBe(runs[0].valLoss);
    expect(Math.abs(runs[0].valLoss! - one.valLoss!)).toBeLessThan(1e-3);
  });

  it("top-k of AdamW's update over 2 ranks keeps both on the same parameters while the loss falls", async () => {
    const topk: TrainConfig = { ...config, method: "topk", topkOn: "update", topkRatio: 0.05, lr: 2e-2 };
    const comms = createMemoryWorld(2).map((t) => createCommunicator(t, parseTopology("2"), { timeoutMs: 10_000 }));
    const runs = await Promise.all(comms.map((comm) => trainRank(comm, topk, lmTask(topk, loadBrown(), comm.rank, 2))));
    // Each rank's own batches and AdamW moments, but the same averaged update applied: the same model.
    expect(runs[1].valLoss).toBe(runs[0].valLoss);
    expect(runs[0].valLoss).toBeLessThan(Math.log(VOCAB) - 0.5);
  });
});

describe("the LM's errors", () => {
  it("a width the heads do not divide is an INVALID_ARGUMENT that says what to pick", async () => {
    const { TransformerLm } = await import("../../../train/lm/transformer.js");
    expect(() => new TransformerLm({ vocab: VOCAB, seqLen: 8, dModel: 30, heads: 4, layers: 1 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/pick a head count that divides the width/) }));
  });
});
