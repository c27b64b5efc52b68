import { describe, expect, it } from "vitest";
import { countWrong, fillInput } from "../../bench/expected.js";
import { allocArray } from "../../collectives/kernels/index.js";
import type { NumericArray, ReduceOp } from "../../collectives/types.js";
import { inWorld } from "./world.js";

const OPS: ReduceOp[] = ["sum", "avg", "min", "max", "prod"];
const DTYPES = [Float32Array, Float64Array, Int32Array] as const;
type Ctor = (typeof DTYPES)[number];

async function allReduceCase(size: number, length: number, op: ReduceOp, Dtype: Ctor, segmentBytes?: number): Promise<number[]> {
  return inWorld(
    size,
    async (comm, rank) => {
      const data: NumericArray = new Dtype(length);
      fillInput(data, op, rank);
      const out = await comm.allReduce(data, { op, algorithm: "ring" });
      expect(out).toBe(data);
      return countWrong(out, op, size);
    },
    { segmentBytes },
  );
}

describe("ring allReduce over the in-memory transport", () => {
  for (let size = 1; size <= 8; size++) {
    it(`world ${size}: lengths 0,1,7,1000 x every op x every dtype give the closed-form result (small segments)`, async () => {
      for (const length of [0, 1, 7, 1000]) {
        for (const op of OPS) {
          for (const Dtype of DTYPES) {
            const wrong = await allReduceCase(size, length, op, Dtype, 256);
            expect(wrong, `size ${size} length ${length} ${op} ${Dtype.name}`).toEqual(new Array(size).fill(0));
          }
        }
      }
    });
  }

  const large: Array<[number, ReduceOp, Ctor]> = [
    [3, "sum", Float32Array],
    [8, "avg", Int32Array],
    [5, "max", Float64Array],
    [2, "prod", Int32Array],
    [7, "min", Float32Array],
  ];
  for (const [size, op, Dtype] of large) {
    it(`world ${size}: length 1000003 ${op} ${Dtype.name} with 1 MiB segments`, async () => {
      expect(await allReduceCase(size, 1000003, op, Dtype)).toEqual(new Array(size).fill(0));
    });
  }

  it("registered buffers (allocArray) give the same closed-form results", async () => {
    for (const [op, Dtype] of [["sum", Float32Array], ["prod", Int32Array], ["min", Float64Array]] as const) {
      const wrong = await inWorld(3, async (comm, rank) => {
        const data = allocArray(Dtype as Float32ArrayConstructor, 100003);
        fillInput(data, op, rank);
        await comm.allReduce(data, { op, algorithm: "ring" });
        return countWrong(data, op, 3);
      }, { segmentBytes: 8192 });
      expect(wrong, `${op} ${Dtype.name}`).toEqual([0, 0, 0]);
    }
  });

  it("successive ops issued without awaiting keep their messages apart", async () => {
    const results = await inWorld(4, async (comm, rank) => {
      const a = new Float32Array(100).fill(rank);
      const b = new Int32Array(33).fill(rank + 1);
      const c = new Float64Array(5000).fill(1);
      const [ra, rb, rc] = await Promise.all([
        comm.allReduce(a, { algorithm: "ring" }),
        comm.allReduce(b, { op: "max", algorithm: "ring" }),
        comm.allReduce(c, { op: "avg", algorithm: "ring" }),
      ]);
      return [ra[99], rb[32], rc[4999]];
    }, { segmentBytes: 128 });
    for (const r of results) expect(r).toEqual([6, 4, 1]);
  });
});
