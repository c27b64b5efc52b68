import { describe, expect, it } from "vitest";
import { countWrong, fillInput } from "../../bench/expected.js";
import { blockBounds } from "../../collectives/algorithms/ring-pass.js";
import { inWorld } from "./world.js";

const SIZES = [1, 2, 3, 5, 8];
const LENGTHS = [0, 1, 7, 1000];

describe("reduceScatter", () => {
  it("rank r gets the reduced block r for every world size and length, input untouched", async () => {
    for (const size of SIZES) {
      for (const length of LENGTHS) {
        const wrong = await inWorld(size, async (comm, rank) => {
          const input = new Float32Array(length);
          fillInput(input, "sum", rank);
          const copy = input.slice();
          const out = await comm.reduceScatter(input, { op: "sum" });
          const [lo, hi] = blockBounds(length, size)(rank);
          expect(out.length).toBe(hi - lo);
          expect(input).toEqual(copy);
          return countWrong(out, "sum", size, lo);
        }, { segmentBytes: 64 });
        expect(wrong, `size ${size} length ${length}`).toEqual(new Array(size).fill(0));
      }
    }
  });

  it("avg on Int32Array truncates toward zero", async () => {
    const out = await inWorld(3, (comm, rank) => comm.reduceScatter(new Int32Array([rank === 0 ? -4 : 0, 0, 0]), { op: "avg" }));
    expect(out[0][0]).toBe(-1);
  });
});

describe("allGather", () => {
  it("concatenates every rank's input in rank order", async () => {
    for (const size of SIZES) {
      for (const length of LENGTHS) {
        const outs = await inWorld(size, (comm, rank) => comm.allGather(new Float64Array(length).fill(rank + 0.5)), { segmentBytes: 64 });
        const expected = Float64Array.from({ length: size * length }, (_, i) => Math.floor(i / Math.max(1, length)) + 0.5);
        for (const out of outs) expect(out).toEqual(expected);
      }
    }
  });

  it("takes uneven counts", async () => {
    const counts = [3, 0, 1, 5];
    const outs = await inWorld(4, (comm, rank) => comm.allGather(new Int32Array(counts[rank]).fill(rank), { counts }));
    for (const out of outs) expect([...out]).toEqual([0, 0, 0, 2, 3, 3, 3, 3, 3]);
  });
});

describe("broadcast", () => {
  it("copies the root's data to every rank for every root", async () => {
    for (const size of SIZES) {
      for (let root = 0; root < size; root++) {
        const outs = await inWorld(size, (comm, rank) => comm.broadcast(new Int32Array(1000).fill(rank === root ? 42 : -1), root), { segmentBytes: 256 });
        for (const out of outs) expect(out.every((x) => x === 42)).toBe(true);
      }
    }
  });
});

describe("reduce", () => {
  it("leaves the closed-form result on the root", async () => {
    for (const size of SIZES) {
      for (const root of [0, size - 1]) {
        const outs = await inWorld(size, async (comm, rank) => {
          const data = new Float64Array(1001);
          fillInput(data, "max", rank);
          return comm.reduce(data, root, { op: "max" });
        }, { segmentBytes: 512 });
        expect(countWrong(outs[root], "max", size)).toBe(0);
      }
    }
  });
});

describe("barrier and point-to-point", () => {
  it("barrier resolves on every rank of every world size", async () => {
    for (const size of [1, 2, 3, 4, 7, 8]) {
      expect(await inWorld(size, async (comm) => (await comm.barrier(), true))).toEqual(new Array(size).fill(true));
    }
  });

  it("send/recv move data between two ranks by tag, outside the collectives' sequence", async () => {
    const outs = await inWorld(2, async (comm, rank) => {
      if (rank === 0) {
        await comm.send(new Float32Array([1, 2, 3]), 1, { tag: 7 });
        await comm.send(new Float32Array([4]), 1);
        return [];
      }
      const b = await comm.recv(new Float32Array(1), 0);
      const a = await comm.recv(new Float32Array(3), 0, { tag: 7 });
      return [...a, ...b];
    });
    expect(outs[1]).toEqual([1, 2, 3, 4]);
  });
});
