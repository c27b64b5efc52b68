import { describe, expect, it } from "vitest";
import { allReduceCompressed, countTraffic, type CompressOptions } from "../../../collectives/compression/index.js";
import type { OpContext } from "../../../collectives/types.js";
import { createMemoryWorld } from "../../../transports/memory.js";
import { parseTopology } from "../../../world/topology.js";

async function run(spec: string, n: number, compress: CompressOptions, op: "sum" | "avg", steps = 1) {
  const topology = parseTopology(spec);
  const transports = createMemoryWorld(topology.size).map((t) => countTraffic(t, topology));
  const inputs = transports.map((_, r) => Float32Array.from({ length: n }, (_, i) => ((i * 7 + r * 13) % 11) - 5 + r * 0.25));
  let results: Float32Array[] = [];
  for (let s = 0; s < steps; s++) {
    results = inputs.map((x) => Float32Array.from(x));
    await Promise.all(transports.map((transport, r) => {
      const ctx: OpContext = { transport, topology, opSeq: s + 1, timeoutMs: 2000, opName: "allReduce", segmentBytes: 1 << 20 };
      return allReduceCompressed(ctx, results[r], compress, op);
    }));
  }
  const exact = new Float32Array(n).map((_, i) => inputs.reduce((sum, x) => sum + x[i], 0) / (op === "avg" ? topology.size : 1));
  const wanBytes = transports.reduce((sum, t) => sum + t.traffic.wanBytes, 0);
  return { results, exact, wanBytes };
}

describe("compressed allReduce (in-memory world)", () => {
  for (const spec of ["1", "3", "a:2,b:2,c:1", "a:1,b:1"]) {
    it(`top-k ratio 1 with f32 values is exact on ${spec}`, async () => {
      const { results, exact } = await run(spec, 37, { kind: "topk", ratio: 1, values: "f32" }, "sum");
      for (const r of results) expect(Array.from(r)).toEqual(Array.from(exact));
    });
  }

  for (const spec of ["a:2,b:1,c:3", "continents"]) {
    for (const n of [0, 1, 7, 1000]) {
      it(`fp16 is exact for fp16-representable values: ${spec}, n=${n}`, async () => {
        const { results, exact } = await run(spec, n, { kind: "fp16" }, "sum");
        for (const r of results) expect(Array.from(r)).toEqual(Array.from(exact));
      });
    }
  }

  it("int8 reduce-scatters among region leaders: >= 4x fewer WAN bytes than the dense ring", async () => {
    const n = 40_000;
    const { wanBytes } = await run("continents", n, { kind: "int8" }, "avg");
    expect(wanBytes).toBeLessThan((4 * 2 * (7 / 8) * 4 * n) / 4);
  });

  it("int8 avg is within the quantisation bound, identical on every rank", async () => {
    const { results, exact } = await run("a:2,b:3", 1000, { kind: "int8" }, "avg");
    // Each rank's error <= max/254, the region sum re-quantised adds <= its max/254.
    for (let i = 0; i < 1000; i++) expect(Math.abs(results[0][i] - exact[i])).toBeLessThan(0.1);
    for (const r of results) expect(Array.from(r)).toEqual(Array.from(results[0]));
  });

  it("top-k 1% sends >= 30x fewer WAN bytes than a dense exchange, identical results on every rank", async () => {
    const n = 20_000;
    const { results, wanBytes } = await run("continents", n, { kind: "topk", ratio: 0.01 }, "avg", 3);
    for (const r of results) expect(Array.from(r)).toEqual(Array.from(results[0]));
    // Region-ordered dense ring: 4 WAN hops x 2(n-1)/n x 4n bytes per step.
    const denseRing = 3 * 4 * 2 * (7 / 8) * 4 * n;
    expect(wanBytes).toBeLessThan(denseRing / 30);
  });

  it("rejects Int32Array and op max with UNSUPPORTED", async () => {
    const topology = parseTopology("1");
    const [transport] = createMemoryWorld(1);
    const ctx: OpContext = { transport, topology, opSeq: 1, timeoutMs: 100, opName: "allReduce", segmentBytes: 1 << 20 };
    await expect(allReduceCompressed(ctx, new Int32Array(3), { kind: "fp16" }, "sum")).rejects.toMatchObject({ code: "UNSUPPORTED" });
    await expect(allReduceCompressed(ctx, new Float32Array(3), { kind: "topk", ratio: 2 }, "sum")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("times out with a typed error when a region leader never answers", async () => {
    const topology = parseTopology("a:1,b:1");
    const [transport] = createMemoryWorld(2);
    const ctx: OpContext = { transport, topology, opSeq: 1, timeoutMs: 100, opName: "allReduce", segmentBytes: 1 << 20 };
    await expect(allReduceCompressed(ctx, new Float32Array(3), { kind: "fp16" }, "sum")).rejects.toMatchObject({ code: "TIMEOUT" });
  });
});
