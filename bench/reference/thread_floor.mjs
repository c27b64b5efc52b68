// The bare Node floor of a small all-reduce between worker threads of one process, no longhaul
// code: 4 threads and one SharedArrayBuffer; each iteration is timed as `longhaul bench` times its
// own — a barrier (an atomic counter: the last thread in wakes the others with Atomics.notify, the
// rest block in Atomics.wait), then the one-shot all-reduce: every thread copies its 4 KiB into its
// slot, meets the others at a second such barrier, and sums the 4 slots. An iteration's time is the
// slowest thread's; the figure is the median of the second half (the first half warms up).
//   node bench/reference/thread_floor.mjs [iters]
// Prints one JSON line: {"transport":"threads","ranks","bytes","medianUs"}.
import { isMainThread, Worker, workerData } from "node:worker_threads";

const RANKS = 4;
const COUNT = 1024; // float32: 4 KiB
const SLOT = COUNT * 4;

if (isMainThread) {
  const iters = Number(process.argv[2] ?? "4000");
  const shared = new SharedArrayBuffer(64 + 2 * RANKS * SLOT);
  const times = new SharedArrayBuffer(RANKS * iters * 8);
  const workers = Array.from({ length: RANKS }, (_, rank) => new Worker(new URL(import.meta.url), { workerData: { rank, iters, shared, times } }));
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.on("exit", resolve).on("error", reject))));
  const perRank = new Float64Array(times);
  const slowest = [];
  for (let i = iters >> 1; i < iters; i++) slowest.push(Math.max(...Array.from({ length: RANKS }, (_, r) => perRank[r * iters + i])));
  slowest.sort((a, b) => a - b);
  console.log(JSON.stringify({ transport: "threads", ranks: RANKS, bytes: SLOT, medianUs: Math.round(slowest[slowest.length >> 1] * 10) / 10 }));
} else {
  const { rank, iters, shared, times } = workerData;
  const arrivals = new Int32Array(shared, 0, 1);
  // Two slot sets used alternately: a fast thread's next copy never overwrites one a slow thread still reads.
  const slots = [0, 1].map((set) => Array.from({ length: RANKS }, (_, r) => new Float32Array(shared, 64 + (set * RANKS + r) * SLOT, COUNT)));
  const out = new Float64Array(times, rank * iters * 8, iters);
  const data = new Float32Array(COUNT);
  let meetings = 0;
  const meet = () => {
    const target = ++meetings * RANKS;
    if (Atomics.add(arrivals, 0, 1) + 1 === target) return void Atomics.notify(arrivals, 0);
    for (let seen = Atomics.load(arrivals, 0); seen < target; seen = Atomics.load(arrivals, 0)) Atomics.wait(arrivals, 0, seen, 20);
  };
  for (let i = 0; i < iters; i++) {
    data.fill(rank + 1);
    meet();
    const started = performance.now();
    const set = slots[i & 1];
    set[rank].set(data);
    meet();
    data.set(set[0]);
    for (let r = 1; r < RANKS; r++) for (let k = 0; k < COUNT; k++) data[k] += set[r][k];
    out[i] = (performance.now() - started) * 1e3;
    if (data[0] !== (RANKS * (RANKS + 1)) / 2) throw new Error(`thread ${rank}: sum ${data[0]}, expected ${(RANKS * (RANKS + 1)) / 2}`);
  }
}
