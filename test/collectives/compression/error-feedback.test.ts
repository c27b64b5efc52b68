import { describe, expect, it } from "vitest";
import { ErrorFeedback, createCodec, decodeAdd } from "../../../collectives/compression/index.js";

describe("top-k with error feedback", () => {
  it("conserves gradient mass: sent over all steps + residual = sum of gradients", () => {
    const feedback = new ErrorFeedback();
    const codec = createCodec({ kind: "topk", ratio: 0.1, values: "f32", key: "g" }, feedback);
    const n = 50;
    const sentTotal = new Float64Array(n);
    const gradTotal = new Float64Array(n);
    for (let step = 0; step < 20; step++) {
      const grad = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + step) * (1 + (i % 5)));
      grad.forEach((g, i) => (gradTotal[i] += g));
      const sent = new Float32Array(n);
      decodeAdd(codec.encode(grad), sent);
      expect(sent.filter((v) => v !== 0).length).toBeLessThanOrEqual(5);
      sent.forEach((s, i) => (sentTotal[i] += s));
    }
    const residual = feedback.residual("g")!;
    for (let i = 0; i < n; i++) expect(sentTotal[i] + residual[i]).toBeCloseTo(gradTotal[i], 4);
  });

  it("hand-computed: 2 steps, k=1", () => {
    const feedback = new ErrorFeedback();
    const codec = createCodec({ kind: "topk", ratio: 1 / 3, values: "f32", key: "h" }, feedback);
    const s1 = new Float32Array(3);
    decodeAdd(codec.encode(Float32Array.from([1, -3, 2])), s1);
    expect(Array.from(s1)).toEqual([0, -3, 0]);
    expect(Array.from(feedback.residual("h")!)).toEqual([1, 0, 2]);
    const s2 = new Float32Array(3);
    decodeAdd(codec.encode(Float32Array.from([1, 1, 0.5])), s2); // acc = [2, 1, 2.5]
    expect(Array.from(s2)).toEqual([0, 0, 2.5]);
    expect(Array.from(feedback.residual("h")!)).toEqual([2, 1, 0]);
  });

  it("keeps fp16 rounding error in the residual too", () => {
    const feedback = new ErrorFeedback();
    const codec = createCodec({ kind: "topk", ratio: 1, key: "r" }, feedback);
    const sent = new Float32Array(1);
    decodeAdd(codec.encode(Float32Array.from([0.1])), sent);
    expect(sent[0]).not.toBe(Math.fround(0.1));
    expect(sent[0] + feedback.residual("r")![0]).toBeCloseTo(Math.fround(0.1), 9);
  });

  it("without a key, two buffers of the same length keep separate residuals; a new view of the same memory keeps its own", () => {
    const feedback = new ErrorFeedback();
    const codec = createCodec({ kind: "topk", ratio: 0.5, values: "f32" }, feedback);
    const params = new Float32Array(8);
    const bucketA = params.subarray(0, 4);
    const bucketB = params.subarray(4, 8);
    bucketA.set([4, 3, 2, 1]);
    bucketB.set([-1, -2, -3, -4]);
    codec.encode(bucketA);
    codec.encode(bucketB);
    expect(Array.from(feedback.residual(bucketA)!)).toEqual([0, 0, 2, 1]);
    expect(Array.from(feedback.residual(bucketB)!)).toEqual([-1, -2, 0, 0]);
    // the same memory seen through a view made anew (as a streaming fragment is each round)
    expect(Array.from(feedback.residual(params.subarray(4, 8))!)).toEqual([-1, -2, 0, 0]);
    expect(feedback.residual(new Float32Array(4))).toBeUndefined();
  });
});
