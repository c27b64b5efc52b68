/**
 * Inputs with closed-form results (Gloo's allreduce_test.cc idea): rank r's element i is a small
 * integer chosen so every partial result is exact in float32, whatever the order of reduction; the
 * expected element is computed straight from the formula, never by another collective.
 */
import type { NumericArray, ReduceOp } from "../collectives/types.js";

/** Rank r's input element i for `op` (prod uses ±1/±2 so products stay exact and in int32 range). */
export function inputValue(op: ReduceOp, rank: number, i: number): number {
  switch (op) {
    case "sum":
    case "avg":
      return (rank + 1) * ((i % 5) + 1) - 3;
    case "min":
    case "max":
      return ((rank * 7 + i) % 11) - 5;
    case "prod":
      return (rank + i) % 3 === 0 ? -2 : (rank + i) % 3 === 1 ? 1 : -1;
  }
}

/** Every value depends on the element index only through i mod this period. */
const PERIOD: Record<ReduceOp, number> = { sum: 5, avg: 5, min: 11, max: 11, prod: 3 };

/** Fills with the formula for one period, then doubles by copyWithin (memcpy speed for 64 MiB buffers). */
export function fillInput(data: NumericArray, op: ReduceOp, rank: number, offset = 0): void {
  const head = Math.min(data.length, PERIOD[op]);
  for (let i = 0; i < head; i++) data[i] = inputValue(op, rank, offset + i);
  for (let filled = head; filled < data.length; filled *= 2) data.copyWithin(filled, 0, Math.min(filled, data.length - filled));
}

/** The reduction over ranks 0..size-1 of element i, before rounding to the dtype. */
export function expectedValue(op: ReduceOp, size: number, i: number, isInt: boolean): number {
  if (op === "sum" || op === "avg") {
    const sum = ((i % 5) + 1) * ((size * (size + 1)) / 2) - 3 * size;
    if (op === "sum") return sum;
    return isInt ? Math.trunc(sum / size) : sum / size;
  }
  let acc = inputValue(op, 0, i);
  for (let r = 1; r < size; r++) {
    const v = inputValue(op, r, i);
    acc = op === "min" ? Math.min(acc, v) : op === "max" ? Math.max(acc, v) : acc * v;
  }
  return acc;
}

/** Elements of `data` (the reduced block starting at element `offset`) that differ from the closed form. */
export function countWrong(data: NumericArray, op: ReduceOp, size: number, offset = 0): number {
  const isInt = data instanceof Int32Array;
  const round = data instanceof Float32Array ? Math.fround : (x: number) => x;
  const period = PERIOD[op];
  const expected = Array.from({ length: period }, (_, k) => round(expectedValue(op, size, offset + k, isInt)));
  let wrong = 0;
  for (let i = 0, k = 0; i < data.length; i++, k = k + 1 === period ? 0 : k + 1) if (data[i] !== expected[k]) wrong++;
  return wrong;
}
