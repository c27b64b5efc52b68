/** Bucketed overlap of gradient sync with the backward pass, by hand. */
import { describe, expect, it } from "vitest";
import { exposedWithOverlap } from "../../plan/overlap.js";

describe("exposedWithOverlap (4 buckets over an 8 s backward pass)", () => {
  it("a link that keeps up exposes only the last bucket: 1 s", () => expect(exposedWithOverlap([1], 4, 8)).toBe(1));
  it("a slow link exposes the backlog: 4 x 3 s from t = 2 s ends at 14 s, 6 s after the pass", () => expect(exposedWithOverlap([3], 4, 8)).toBe(6));
  it("phases pipeline on their own resources: [1, 2, 1] per bucket ends at 2 + 1 + 4 x 2 + 1 = 12 s", () => expect(exposedWithOverlap([1, 2, 1], 4, 8)).toBe(4));
  it("no window: the whole sync, bucket by bucket", () => expect(exposedWithOverlap([1], 4, 0)).toBe(4));
});
