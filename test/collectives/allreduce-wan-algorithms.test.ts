/**
 * Correctness sweeps (Gloo's allreduce_test.cc style) for the tree, halving-doubling and
 * hierarchical all-reduces over the in-memory transport: world sizes 1–8, uneven regions, lengths
 * 0/1/7/1000 (and 1,000,003 for a few), every op and dtype, closed-form expected values.
 */
import { describe, expect, it } from "vitest";
import { allReduceExchange } from "../../collectives/algorithms/allreduce-exchange.js";
import { allReduceHalvingDoubling, allReduceRabenseifner, allReduceRecursiveDoubling } from "../../collectives/algorithms/allreduce-halving-doubling.js";
import { allReduceHierarchical, allReduceStriped } from "../../collectives/algorithms/allreduce-hierarchical.js";
import { allReduceTree } from "../../collectives/algorithms/allreduce-tree.js";
import type { AllReduceAlgorithm, NumericArray, OpContext } from "../../collectives/types.js";
import { createMemoryWorld } from "../../transports/memory.js";
import { parseTopology } from "../../world/topology.js";

type Op = "sum" | "prod" | "min" | "max";
type DType = "float32" | "float64" | "int32";
const CTORS = { float32: Float32Array, float64: Float64Array, int32: Int32Array };

/** Rank r's input at index i: small integers, so every reduction order gives the exact same value. */
function input(op: Op, r: number, i: number): number {
  if (op === "prod") return 1 + ((r + i) % 2);
  if (op === "sum") return (r + 1) * ((i % 5) + 1) - 3;
  return ((r * 7 + i * 3) % 11) - 5;
}

function expected(op: Op, n: number, i: number): number {
  if (op === "sum") return ((n * (n + 1)) / 2) * ((i % 5) + 1) - 3 * n; // closed form
  const values = Array.from({ length: n }, (_, r) => input(op, r, i));
  if (op === "prod") return 2 ** values.filter((v) => v === 2).length;
  return op === "min" ? Math.min(...values) : Math.max(...values);
}

export async function runWorld(algorithm: AllReduceAlgorithm, spec: string, length: number, dtype: DType, op: Op, segmentBytes = 1 << 20): Promise<NumericArray[]> {
  const topology = parseTopology(spec);
  const world = createMemoryWorld(topology.size);
  const datas = world.map((_, r) => CTORS[dtype].from({ length }, (_, i) => input(op, r, i)));
  const ctx = (r: number): OpContext => ({ transport: world[r], topology, opSeq: 1, timeoutMs: 10_000, deadline: Date.now() + 10_000, opName: "allReduce", segmentBytes });
  await Promise.all(world.map((_, r) => algorithm(ctx(r), datas[r], op)));
  return datas;
}

/** Count of elements on any rank that differ from the closed form. */
function wrong(results: NumericArray[], op: Op): number {
  let bad = 0;
  const n = results.length;
  for (let i = 0; i < results[0].length; i++) {
    const want = expected(op, n, i);
    for (const data of results) if (data[i] !== want) bad++;
  }
  return bad;
}

const ALGORITHMS: Record<string, AllReduceAlgorithm> = {
  tree: allReduceTree,
  "halving-doubling": allReduceHalvingDoubling,
  rabenseifner: allReduceRabenseifner,
  "recursive-doubling": allReduceRecursiveDoubling,
  hierarchical: allReduceHierarchical,
  "hierarchical-striped": allReduceStriped,
  "hierarchical-exchange": allReduceExchange,
};
const SPECS = ["1", "2", "3", "4", "5", "6", "7", "8", "continents", "new-york:3,london:1,asuncion:2", "chicago:1,london:3", "new-york:2,london:1,asuncion:2,chicago:3"];
const OPS: Op[] = ["sum", "prod", "min", "max"];
const DTYPES: DType[] = ["float32", "float64", "int32"];

describe.each(Object.keys(ALGORITHMS))("all-reduce %s over the memory transport", (name) => {
  it.each(SPECS)("topology %s: lengths 0,1,7,1000 x ops x dtypes are exact", async (spec) => {
    const failures: string[] = [];
    for (const length of [0, 1, 7, 1000]) {
      for (const op of OPS) {
        for (const dtype of DTYPES) {
          // 64-byte segments on 1000 elements exercise the segment pipelines
          const bad = wrong(await runWorld(ALGORITHMS[name], spec, length, dtype, op, length === 1000 ? 64 : 1 << 20), op);
          if (bad > 0) failures.push(`${length}/${op}/${dtype}: ${bad} wrong`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("all-reduce over the memory transport, 1,000,003 elements", () => {
  it.each([
    ["tree", "5"],
    ["halving-doubling", "7"],
    ["halving-doubling", "continents"],
    ["hierarchical", "continents"],
    ["hierarchical", "new-york:3,london:1,asuncion:2"],
  ])("%s on %s is exact (float64: 8 MB, so hierarchical runs two chunks)", async (name, spec) => {
    const results = await runWorld(ALGORITHMS[name], spec, 1_000_003, "float64", "sum", 256 * 1024);
    expect(wrong(results, "sum")).toBe(0);
  });
});
