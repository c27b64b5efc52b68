import { describe, expect, it } from "vitest";
import { DiLoCo, OuterNesterov, StreamingDiLoCo, fragmentsDueAt, planFragments } from "../../../collectives/diloco/index.js";
import { createFakeComms } from "./fake-comm.js";

describe("outer Nesterov", () => {
  it("matches b <- mu b + g; p <- p - lr (g + mu b) by hand over two steps", () => {
    const opt = new OuterNesterov(2, 0.7, 0.9);
    const p = Float32Array.from([1, -1]);
    opt.step(p, Float32Array.from([0.5, 1]));
    // b = [0.5, 1]; p = [1 - 0.7*(0.5+0.45), -1 - 0.7*(1+0.9)]
    expect(p[0]).toBeCloseTo(0.335, 6);
    expect(p[1]).toBeCloseTo(-2.33, 6);
    opt.step(p, Float32Array.from([0.1, 0]));
    // b = [0.55, 0.9]; p -= 0.7 * ([0.1, 0] + 0.9 * b)
    expect(p[0]).toBeCloseTo(0.335 - 0.7 * (0.1 + 0.495), 6);
    expect(p[1]).toBeCloseTo(-2.33 - 0.7 * 0.81, 6);
  });
});

describe("DiLoCo", () => {
  it("syncs every H steps and applies the outer step to the averaged pseudo-gradient", async () => {
    const { comms, calls } = createFakeComms(2);
    const workers = comms.map((c) => new DiLoCo(c, Float32Array.from([1, 1]), { innerSteps: 3 }));
    const drift = [Float32Array.from([0.3, 0]), Float32Array.from([0.1, 0.6])];
    for (let s = 1; s <= 3; s++) {
      workers.forEach((w, r) => w.params.forEach((_, i) => (w.params[i] -= drift[r][i] / 3)));
      const synced = await Promise.all(workers.map((w) => w.step()));
      expect(synced).toEqual([s === 3, s === 3]);
    }
    // delta avg = [0.2, 0.3]; b = delta; global = 1 - 0.7 * 1.9 * delta
    for (const w of workers) {
      expect(w.params[0]).toBeCloseTo(1 - 0.7 * 1.9 * 0.2, 5);
      expect(w.params[1]).toBeCloseTo(1 - 0.7 * 1.9 * 0.3, 5);
    }
    expect(calls).toEqual([1, 1]);
  });

  it("with outer lr 1 and momentum 0 it is parameter averaging", async () => {
    const { comms } = createFakeComms(3);
    const workers = comms.map((c, r) => new DiLoCo(c, Float32Array.from([r, 10 * r]), { innerSteps: 1, outerLr: 1, momentum: 0 }));
    await Promise.all(workers.map((w) => w.broadcastInitial()));
    workers.forEach((w, r) => w.params.set([r, -r]));
    await Promise.all(workers.map((w) => w.step()));
    for (const w of workers) expect(Array.from(w.params)).toEqual([1, -1]);
  });
});

describe("overlapped DiLoCo", () => {
  it("applies the outer step tau steps late and keeps the local progress made meanwhile", async () => {
    const { comms } = createFakeComms(2);
    const workers = comms.map((c) => new DiLoCo(c, Float32Array.from([0]), { innerSteps: 2, overlapSteps: 1, outerLr: 1, momentum: 0 }));
    const changed: boolean[][] = [];
    for (let s = 1; s <= 3; s++) {
      workers.forEach((w, r) => (w.params[0] += r + 1));
      changed.push(await Promise.all(workers.map((w) => w.step())));
    }
    expect(changed.map((c) => c[0])).toEqual([false, false, true]);
    // at step 2 locals were [2], [4]: global = 3; since then +1 and +2
    expect(workers[0].global[0]).toBe(3);
    expect(Array.from(workers.map((w) => w.params[0]))).toEqual([4, 5]);
    expect(await workers[0].flush()).toBe(false);
  });

  it("with tau = H (train's default) lands each exchange at the step that sends the next, and refuses a tau past H", async () => {
    const { comms } = createFakeComms(2);
    const workers = comms.map((c) => new DiLoCo(c, Float32Array.from([0]), { innerSteps: 2, overlapSteps: 2, outerLr: 1, momentum: 0 }));
    const changed: boolean[] = [];
    for (let s = 1; s <= 4; s++) {
      workers.forEach((w, r) => (w.params[0] += r + 1));
      changed.push((await Promise.all(workers.map((w) => w.step())))[0]);
    }
    expect(changed).toEqual([false, false, false, true]);
    // Sent at step 2 (locals 2 and 4: global 3), landed at step 4 with the +2/+4 since kept: 5 and 7,
    // and the exchange sent at step 4 carries those two steps.
    expect(Array.from(workers.map((w) => w.params[0]))).toEqual([5, 7]);
    expect(await workers[0].flush() && (await workers[1].flush())).toBe(true);
    expect(workers[0].global[0]).toBe(6); // pseudo-gradients 3 - 5 and 3 - 7, mean -3: global 3 + 3
    expect(() => new DiLoCo(comms[0], new Float32Array(1), { innerSteps: 2, overlapSteps: 3 })).toThrow(/overlapSteps must be an integer from 0 to innerSteps \(2\)/);
  });
});

describe("streaming DiLoCo fragments", () => {
  it("staggers 4 fragments over H = 8", () => {
    const f = planFragments(10, 8, 4);
    expect(f.map((x) => [x.start, x.end, x.offset])).toEqual([[0, 3, 2], [3, 5, 4], [5, 8, 6], [8, 10, 8]]);
    expect(fragmentsDueAt(f, 8, 6).map((x) => x.index)).toEqual([2]);
    expect(fragmentsDueAt(f, 8, 16).map((x) => x.index)).toEqual([3]);
    expect(fragmentsDueAt(f, 8, 3)).toEqual([]);
    expect(() => planFragments(10, 2, 4)).toThrow(/at most H/);
  });

  it("overlaps each exchange with tau inner steps, then merges with alpha", async () => {
    const { comms, calls } = createFakeComms(2);
    const opts = { innerSteps: 4, fragments: 2, overlapSteps: 1, mixing: 0.5, outerLr: 1, momentum: 0 };
    const workers = comms.map((c) => new StreamingDiLoCo(c, Float32Array.from([0, 0]), opts));
    // fragment 0 = [0], starts after step 2, applied after step 3.
    for (let s = 1; s <= 3; s++) {
      workers.forEach((w, r) => (w.params[0] += r + 1));
      await Promise.all(workers.map((w) => w.step()));
      if (s === 2) expect(calls).toEqual([1, 1]);
    }
    // at step 2 locals were [2], [4] -> delta avg = -3 -> global 3; locals after step 3: [3] and [6]
    expect(workers[0].global[0]).toBe(3);
    expect(workers[0].params[0]).toBe(0.5 * 3 + 0.5 * 3);
    expect(workers[1].params[0]).toBe(0.5 * 6 + 0.5 * 3);
    await Promise.all(workers.map((w) => w.step()));
    await Promise.all(workers.map((w) => w.flush()));
    expect(workers[0].syncs).toBe(2);
  });
});
