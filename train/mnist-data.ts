import { createRequire } from "node:module";

/** Images as rows of 784 floats in [0, 1], labels 0..9. */
export interface Dataset {
  readonly x: Float32Array;
  readonly y: Uint8Array;
  readonly n: number;
}

export const PIXELS = 784;

/** Deterministic PRNG (mulberry32): every rank and the baseline draw the same numbers. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gather(raw: number[][], picks: Array<[number, number]>): Dataset {
  const x = new Float32Array(picks.length * PIXELS);
  const y = new Uint8Array(picks.length);
  picks.forEach(([digit, index], row) => {
    y[row] = digit;
    x.set(raw[digit].slice(index * PIXELS, (index + 1) * PIXELS), row * PIXELS);
  });
  return { x, y, n: picks.length };
}

/**
 * The ~10,000 real digits of the `mnist` package: the last `testFraction` of each digit's samples
 * are held out for testing, the rest shuffled with `seed` for training.
 */
export function loadMnist(testFraction = 0.15, seed = 42): { train: Dataset; test: Dataset } {
  const require = createRequire(import.meta.url);
  const raw: number[][] = Array.from({ length: 10 }, (_, d) => (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  const trainPicks: Array<[number, number]> = [];
  const testPicks: Array<[number, number]> = [];
  raw.forEach((data, digit) => {
    const count = Math.floor(data.length / PIXELS);
    const testStart = count - Math.floor(count * testFraction);
    for (let i = 0; i < count; i++) (i < testStart ? trainPicks : testPicks).push([digit, i]);
  });
  const random = seededRandom(seed);
  for (let i = trainPicks.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [trainPicks[i], trainPicks[j]] = [trainPicks[j], trainPicks[i]];
  }
  return { train: gather(raw, trainPicks), test: gather(raw, testPicks) };
}

/** Rank r's shard: every size-th training sample from r, cut to equal length on every rank. */
export function shardOf(data: Dataset, rank: number, size: number): Dataset {
  const n = Math.floor(data.n / size);
  const x = new Float32Array(n * PIXELS);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const src = i * size + rank;
    x.set(data.x.subarray(src * PIXELS, (src + 1) * PIXELS), i * PIXELS);
    y[i] = data.y[src];
  }
  return { x, y, n };
}

/** Rows of batch `step` (0-based), cycling through the shard in order. */
export function batchRows(shard: Dataset, step: number, batch: number): number[] {
  return Array.from({ length: batch }, (_, j) => (step * batch + j) % shard.n);
}

export function takeRows(data: Dataset, rows: number[]): Dataset {
  const x = new Float32Array(rows.length * PIXELS);
  const y = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    x.set(data.x.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
    y[i] = data.y[r];
  });
  return { x, y, n: rows.length };
}
