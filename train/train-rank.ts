import { DiLoCo } from "../collectives/diloco/diloco.js";
import { StreamingDiLoCo } from "../collectives/diloco/streaming.js";
import type { Communicator } from "../collectives/types.js";
import { defaultDiLoCoOverlap, outerCompression, type RankRun, type TrainConfig } from "./config.js";
import { compressedUpdateStep } from "./compressed-update.js";
import { WaitClock } from "./wait-clock.js";
import { localStep, type TrainTask } from "./task.js";
import { DistributedOptimizer, readVariables, writeVariables } from "./tfjs-adapter.js";


type Progress = (step: number, loss: number) => void;

/**
 * One rank of data-parallel training (the MNIST MLP or the LM: `task`, built for this rank). Every
 * rank builds the same seeded model, so no initial broadcast is needed; it trains on its own batches;
 * the clock runs from a barrier to the last sync.
 */
export async function trainRank(comm: Communicator, config: TrainConfig, task: TrainTask, progress?: Progress): Promise<RankRun> {
  let loss = NaN;
  let syncs = 0;
  const clock = new WaitClock();
  const waited = <T>(p: Promise<T>): Promise<T> => clock.wait(p);
  await comm.barrier();
  const started = performance.now();
  const startedMs = Date.now();
  const stepEndsMs: number[] = [];
  const report: Progress = (step, value) => {
    stepEndsMs.push(Date.now());
    progress?.(step, value);
  };
  if (config.method === "topk" && config.topkOn === "update") {
    const compress = { kind: "topk", ratio: config.topkRatio, key: "update" } as const;
    for (let step = 0; step < config.steps; step++) {
      loss = await compressedUpdateStep(comm, task, step, compress, waited);
      report(step, loss);
    }
    syncs = config.steps;
  } else if (config.method === "sync" || config.method === "topk") {
    const compress = config.method === "topk" ? ({ kind: "topk", ratio: config.topkRatio } as const) : undefined;
    const optimizer = new DistributedOptimizer(task.optimizer, comm, { compress });
    for (let step = 0; step < config.steps; step++) {
      loss = await optimizer.minimize(task.lossAt(step), task.vars);
      report(step, loss);
    }
    syncs = config.steps;
    clock.seconds = optimizer.commSeconds;
  } else {
    const params = readVariables(task.vars);
    const options = { innerSteps: config.innerSteps, outerLr: config.outerLr, momentum: config.outerMomentum, compress: outerCompression(config), fragments: config.fragments, overlapSteps: config.overlapSteps ?? (config.method === "diloco" ? defaultDiLoCoOverlap(config.innerSteps) : 5) };
    const outer = config.method === "diloco" ? new DiLoCo(comm, params, options) : new StreamingDiLoCo(comm, params, options);
    for (let step = 0; step < config.steps; step++) {
      loss = localStep(task, step);
      readVariables(task.vars).forEach((v, i) => (params[i] = v));
      if (await waited(outer.step())) writeVariables(task.vars, params);
      report(step, loss);
      // A macrotask turn: lets the transport's socket callbacks advance an overlapped exchange
      // (awaiting a settled promise alone runs only microtasks, and the exchange would stall).
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Land what is in flight so every rank leaves with the same model.
    await waited<unknown>(outer instanceof StreamingDiLoCo ? outer.finish() : outer.flush());
    writeVariables(task.vars, params);
    syncs = outer.syncs;
  }
  const seconds = (performance.now() - started) / 1000;
  const evaluation = task.evaluate();
  task.dispose();
  return { seconds, waitSeconds: clock.seconds, startedMs, stepEndsMs, syncs, ...evaluation, finalLoss: loss };
}
