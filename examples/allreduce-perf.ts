/**
 * nccl-tests' all_reduce_perf for launched ranks (like `mpirun -n 4 all_reduce_perf`): run it under
 * `longhaul launch`, with or without --threads, and rank 0 prints per size the median time of the
 * slowest rank, algbw and busbw (= 2(p−1)/p · bytes / time) and the elements that differ from the
 * closed-form sum. Each size runs as many iterations as fill --min-time (5..10,000), a count all ranks
 * agree on, after a warm-up as long that decides it (`longhaul bench`'s: a fast op's first hundreds
 * of runs are slower). --json: one line per size.
 *
 *   longhaul launch -n 4 --threads -- node dist/examples/allreduce-perf.js --sizes 4KiB,64MiB
 */
import { parseArgs } from "node:util";
import { allocArray, init, type AllReduceAlgorithmName, type Communicator } from "../index.js";
import { countWrong, fillInput } from "../bench/expected.js";
import { MAX_ITERS, warmUp } from "../bench/rank-sweep.js";
import { formatSize, parseSizes } from "../bench/sizes.js";
import { parseDuration } from "../world/units.js";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "4KiB,64MiB" },
    "min-time": { type: "string", default: "1s" },
    algorithm: { type: "string", default: "auto" },
    json: { type: "boolean", default: false },
  },
});
const sizes = parseSizes(values.sizes);
const minTimeMs = parseDuration(values["min-time"], "--min-time");
const algorithm = values.algorithm as AllReduceAlgorithmName;

/** One all-reduce after a barrier; its time on this rank (ms). */
async function timeOp(comm: Communicator, data: Float32Array): Promise<number> {
  await comm.barrier();
  const started = performance.now();
  await comm.allReduce(data, { algorithm });
  return performance.now() - started;
}

/** Times one all-reduce per iteration; returns every iteration's time (ms) on this rank. */
async function timeOps(comm: Communicator, data: Float32Array, iters: number): Promise<Float64Array> {
  const times = new Float64Array(iters);
  for (let i = 0; i < iters; i++) times[i] = await timeOp(comm, data);
  return times;
}

async function measure(comm: Communicator, bytes: number): Promise<string> {
  const data = allocArray(Float32Array, bytes / 4);
  // The bench's warm-up: rounds of 1, 2, 4, … ops until they fill --min-time; the count follows from the last round.
  const warmUs = await warmUp(comm, { minTimeMs }, async () => (await timeOp(comm, data)) * 1e3);
  const iters = Math.min(MAX_ITERS, Math.max(5, Math.ceil((minTimeMs * 1e3) / warmUs)));
  const slowest = await comm.allReduce(await timeOps(comm, data, iters), { op: "max" });
  const ms = [...slowest].sort((a, b) => a - b)[Math.floor(iters / 2)];
  fillInput(data, "sum", comm.rank);
  await comm.allReduce(data, { algorithm });
  const wrong = await comm.allReduce(new Float64Array([countWrong(data, "sum", comm.size)]), { op: "max" });
  const algbw = bytes / (ms * 1e6);
  const busbw = (algbw * 2 * (comm.size - 1)) / comm.size;
  if (values.json) return JSON.stringify({ bytes, algorithm, ranks: comm.size, timeUs: ms * 1000, algbwGBps: algbw, busbwGBps: busbw, wrong: wrong[0], iters });
  return [formatSize(bytes).padStart(10), String(bytes / 4).padStart(10), "float32", algorithm.padEnd(8), (ms * 1000).toFixed(1).padStart(10), algbw.toFixed(3).padStart(8), busbw.toFixed(3).padStart(8), String(wrong[0]).padStart(6), String(iters).padStart(6)].join("  ");
}

const comm = await init();
if (comm.rank === 0 && !values.json) console.log(`# all_reduce_perf ranks=${comm.size} min-time=${minTimeMs} ms\n${["size", "count", "type   ", "algo    ", "time(us)", "algbw", "busbw", "#wrong", "iters"].map((h, i) => (i === 2 || i === 3 ? h : h.padStart([10, 10, 0, 0, 10, 8, 8, 6, 6][i]))).join("  ")}`);
for (const bytes of sizes) {
  const row = await measure(comm, bytes);
  if (comm.rank === 0) console.log(row);
}
await comm.close();
