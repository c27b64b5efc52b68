import type { CompressOptions } from "../collectives/compression/types.js";
import type { Communicator } from "../collectives/types.js";
import { localStep, type TrainTask } from "./task.js";
import { readVariables, writeVariables } from "./tfjs-adapter.js";

/**
 * One step of data parallelism that compresses the optimizer's update instead of the gradient
 * (`train --method topk --topk-on update`): each rank takes its own optimizer step on its own
 * batch, and the ranks average what that step changed through the compressed all-reduce (top-k
 * with error feedback), then all apply that average to the parameters they held before the step.
 * The parameters stay identical on every rank; each rank's optimizer moments are its own.
 *
 * Why: top-k of the gradient feeds AdamW a gradient that is zero in 99% of the coordinates at each
 * step and large where error feedback finally sends it. AdamW divides by each coordinate's own
 * running spread, so a coordinate sent once in a hundred steps moves about as far as one step,
 * not a hundred; on the LM that kept top-k on the unigram plateau. Here error feedback carries
 * the update itself, so what a coordinate was owed arrives whole. Resolves with the local loss.
 */
export async function compressedUpdateStep(comm: Communicator, task: TrainTask, step: number, compress: CompressOptions, wait: <T>(p: Promise<T>) => Promise<T> = (p) => p): Promise<number> {
  const before = readVariables(task.vars);
  const loss = localStep(task, step);
  const update = readVariables(task.vars);
  for (let i = 0; i < update.length; i++) update[i] -= before[i];
  await wait(comm.allReduce(update, { op: "avg", compress }));
  for (let i = 0; i < update.length; i++) before[i] += update[i];
  writeVariables(task.vars, before);
  return loss;
}
