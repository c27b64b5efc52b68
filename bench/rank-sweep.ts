/**
 * What every rank runs in a sweep: for each algorithm and size, warm-up then timed iterations of
 * one collective, each started after a barrier (so the slowest rank's time is the op's time),
 * inputs refilled before each iteration outside the timing, the last result checked against the
 * closed form, and the peak RSS above this rank's idle RSS.
 */
import { countWrong, fillInput, inputValue } from "./expected.js";
import { peakRssBytes, resetPeakRss, rssBytes } from "./rss.js";
import { BYTES_PER_ELEMENT, median, type RankResult, type RankSweepConfig } from "./sweep-types.js";
import { allocArray } from "../collectives/kernels/index.js";
import { blockBounds } from "../collectives/algorithms/ring-pass.js";
import type { AllReduceAlgorithmName, Communicator, NumericArray } from "../collectives/types.js";

const CTORS = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;
const MiB = 1024 * 1024;

interface Case {
  prepare(): void;
  run(): Promise<NumericArray>;
  wrong(result: NumericArray): number;
}

function makeCase(comm: Communicator, config: RankSweepConfig, algorithm: string, count: number): Case {
  const { rank, size } = comm;
  const Ctor = CTORS[config.dtype];
  const op = config.reduceOp;
  const opts = { op, timeoutMs: config.timeoutMs };
  if (config.op === "allgather") {
    const input = new Ctor(Math.floor(count / size));
    return {
      prepare: () => fillInput(input, "sum", rank),
      run: () => comm.allGather(input, opts),
      wrong: (out) => {
        let wrong = 0;
        for (let i = 0; i < out.length; i++) if (out[i] !== inputValue("sum", Math.floor(i / input.length), i % input.length)) wrong++;
        return wrong;
      },
    };
  }
  const data = config.buffers === "plain" ? new Ctor(count) : allocArray(Ctor as Float32ArrayConstructor, count);
  if (config.op === "reducescatter") {
    return {
      prepare: () => fillInput(data, op, rank),
      run: () => comm.reduceScatter(data, opts),
      wrong: (out) => countWrong(out, op, size, blockBounds(count, size)(rank)[0]),
    };
  }
  return {
    prepare: () => fillInput(data, op, rank),
    run: () => comm.allReduce(data, { ...opts, algorithm: algorithm as AllReduceAlgorithmName }),
    wrong: (out) => countWrong(out, op, size),
  };
}

function cpuMicros(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}

/**
 * Most timed iterations minTimeMs may ask for: enough that a 4 KiB op between threads (~100 µs)
 * fills the default second. With 1,000 the window was ~0.13 s and caught a slow stretch that
 * follows the warm-up here: 4 threads, one-shot 4 KiB, four alternated runs gave 120–134 µs with
 * 1,000 timed iterations and 81–96 µs with 10,000; a 9,000-iteration run took 107–165 µs over its
 * first ~2,750 iterations and ~80 µs for the rest. It is the op's path on less-optimized code: under
 * `node --no-opt` every iteration ran at 130–140 µs (why the warm-up leaves it so is not known).
 */
export const MAX_ITERS = 10_000;

/**
 * With minTimeMs, the warm-up also runs this share of it: a fast op's first hundreds of runs are
 * slower (JIT tiers, thread wake-up patterns). Measured here, 4 KiB ring between 4 threads: 1.7 ms
 * over 300 runs after 1 warm-up, 1.1 ms after 300, 0.6 ms after 1,000.
 */
const WARMUP_SHARE = 1;

type WarmUpConfig = Pick<RankSweepConfig, "minTimeMs" | "timeoutMs">;

interface Timing {
  timesUs: number[];
  cpuUs: number;
  result: NumericArray | undefined;
}

/** The slowest rank's value (one 8-byte all-reduce, so every rank agrees on what follows from it). */
async function slowest(comm: Communicator, config: WarmUpConfig, us: number): Promise<number> {
  const max = await comm.allReduce(new Float64Array([us]), { op: "max", algorithm: "ring", timeoutMs: config.timeoutMs });
  return max[0];
}

/**
 * The minTimeMs warm-up: rounds of 1, 2, 4, … iterations until the slowest rank's rounds add up to
 * WARMUP_SHARE of minTimeMs (or MAX_ITERS were run); returns the last round's time per iteration,
 * from which the timed count follows. Judging by the last round, not the first iteration, lets an
 * op that keeps getting faster while it warms up get the count its warm speed fills.
 */
export async function warmUp(comm: Communicator, config: WarmUpConfig, runOnce: () => Promise<number>): Promise<number> {
  const targetUs = config.minTimeMs! * 1e3 * WARMUP_SHARE;
  let spentUs = 0;
  let ran = 0;
  for (let round = 1; ; round *= 2) {
    let roundUs = 0;
    for (let i = 0; i < round; i++) roundUs += await runOnce();
    const perIteration = (await slowest(comm, config, roundUs)) / round;
    spentUs += perIteration * round;
    ran += round;
    if (spentUs >= targetUs || ran + round * 2 > MAX_ITERS) return Math.max(perIteration, 1);
  }
}

/** Warm-up then timed iterations of one case, each started after a barrier. */
async function timeCase(comm: Communicator, config: RankSweepConfig, testCase: Case, gc: (() => void) | undefined): Promise<Timing> {
  const timesUs: number[] = [];
  const cpusUs: number[] = [];
  let result: NumericArray | undefined;
  const perIteration = config.cpuSampling !== "whole-loop";
  let cpu: NodeJS.CpuUsage | undefined;
  const runOnce = async (): Promise<number> => {
    testCase.prepare();
    await comm.barrier({ timeoutMs: config.timeoutMs });
    cpu = perIteration ? process.cpuUsage() : undefined;
    const started = process.hrtime.bigint();
    result = await testCase.run();
    return Number(process.hrtime.bigint() - started) / 1e3;
  };
  for (let i = 0; i < config.warmup; i++) await runOnce();
  let timed = config.iters;
  if (config.minTimeMs && config.warmup > 0) {
    const perIterationUs = await warmUp(comm, config, runOnce);
    timed = Math.min(MAX_ITERS, Math.max(config.iters, Math.ceil((config.minTimeMs * 1e3) / perIterationUs)));
  }
  // The warm-up's garbage (auto's first call replays its model) is collected before timing.
  gc?.();
  const loopCpu = process.cpuUsage();
  for (let i = 0; i < timed; i++) {
    timesUs.push(await runOnce());
    if (cpu) cpusUs.push(cpuMicros(process.cpuUsage(cpu)));
  }
  if (!perIteration) cpusUs.push(cpuMicros(process.cpuUsage(loopCpu)) / Math.max(1, timesUs.length));
  return { timesUs, cpuUs: median(cpusUs), result };
}

/** Runs the whole sweep on this rank, handing each (algorithm, size) result to `emit` as it completes. */
export async function runRankSweep(comm: Communicator, config: RankSweepConfig, emit: (result: RankResult) => void): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const idle = rssBytes();
  for (const algorithm of config.algorithms) {
    for (const bytes of config.sizes) {
      const count = Math.floor(bytes / BYTES_PER_ELEMENT[config.dtype]);
      gc?.();
      resetPeakRss();
      const testCase = makeCase(comm, config, algorithm, count);
      const { timesUs, cpuUs, result } = await timeCase(comm, config, testCase, gc);
      const wrong = result ? testCase.wrong(result) : count;
      emit({ rank: comm.rank, algorithm, bytes: count * BYTES_PER_ELEMENT[config.dtype], count, timesUs, cpuUs, wrong, peakRssMiB: Math.max(0, peakRssBytes() - idle) / MiB });
    }
  }
}
