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

export function fillInput(data: NumericArray, op: ReduceOp, rank: number, offset = 0): void {
  for (let i = 0; i < data.length; i++) data[i] = inputValue(op, rank, offset + i);
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
  let wrong = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== round(expectedValue(op, size, offset + i, isInt))) wrong++;
  return wrong;
}
