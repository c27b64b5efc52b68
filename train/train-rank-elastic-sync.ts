/**
 * One rank of `longhaul train --method sync --elastic`: synchronous data parallel whose group
 * changes (ElasticSync over initElastic). Every step the rank computes its gradient, the members
 * average theirs (a failed all-reduce is retried with the survivors), and every member applies the
 * same average to the same state — parameters and the optimizer's moments, which a joiner takes
 * from the most advanced member — so the members stay bit-identical, checked before every step.
 */
import * as tf from "@tensorflow/tfjs";
import { ElasticSync, type TrainingState } from "../collectives/elastic/elastic-sync.js";
import { stateHash } from "../collectives/elastic/heal.js";
import type { ElasticGroup } from "../init-elastic.js";
import type { RankRun, TrainConfig } from "./config.js";
import { flatten, split } from "./flat.js";
import type { TrainTask } from "./task.js";
import { WaitClock } from "./wait-clock.js";
import { readVariables, writeVariables } from "./tfjs-adapter.js";

/** The parameters and the optimizer's weights (its step count first, then its slots) as one array. */
function tfjsState(task: TrainTask): TrainingState {
  return {
    read: async () => {
      const weights = await task.optimizer.getWeights();
      const slots = weights.slice(1).map((w) => w.tensor.dataSync() as Float32Array);
      const iterations = (await weights[0].tensor.data())[0];
      return flatten([readVariables(task.vars), Float32Array.of(iterations), ...slots]);
    },
    write: async (state) => {
      const weights = await task.optimizer.getWeights();
      const paramCount = task.vars.reduce((n, v) => n + v.size, 0);
      writeVariables(task.vars, state.subarray(0, paramCount));
      const slotShapes = weights.slice(1).map((w) => w.tensor.shape);
      const parts = split(state.subarray(paramCount + 1), slotShapes.map((shape) => shape.reduce((a, b) => a * b, 1)));
      await task.optimizer.setWeights([
        { name: "iter", tensor: tf.scalar(state[paramCount], "int32") },
        ...weights.slice(1).map((w, i) => ({ name: w.name, tensor: tf.tensor(parts[i], slotShapes[i], "float32") })),
      ]);
    },
  };
}

export async function trainRankElasticSync(group: ElasticGroup, config: TrainConfig, task: TrainTask, processStartMs: number, log: (line: string) => void): Promise<RankRun> {
  if (typeof task.optimizer.getWeights !== "function" || (await task.optimizer.getWeights().catch(() => undefined)) === undefined) {
    throw new Error(`--method sync --elastic heals a joiner with the optimizer's state, which this model's optimizer (${task.optimizer.getClassName()}) cannot save; use --model mlp, or --method diloco`);
  }
  // One zero-gradient step gives the optimizer its slots on every rank alike (Adam: moments of
  // zero, parameters unchanged), so every member's state has the same layout from the start.
  task.optimizer.applyGradients(task.vars.map((v) => ({ name: v.name, tensor: tf.zerosLike(v) })));
  const sync = new ElasticSync(group, tfjsState(task), { checkEveryStep: true }, (event) => {
    if (event.kind !== "step") log(`${event.kind} at step ${event.step}, epoch ${event.epoch} (ranks ${event.members.join(", ")})${event.detail ? `: ${event.detail}` : ""}`);
  });
  const started = performance.now();
  const startedMs = Date.now();
  const clock = new WaitClock();
  let joinedAtStep: number | undefined;
  let firstContributedMs: number | undefined;
  const stepEndsMs: number[] = [];
  let loss = NaN;
  while (sync.steps < config.steps) {
    const step = sync.steps;
    const { value, grads } = tf.variableGrads(task.lossAt(step), task.vars);
    loss = value.dataSync()[0];
    const flat = flatten(task.vars.map((v) => grads[v.name].dataSync() as Float32Array));
    tf.dispose([value, ...Object.values(grads)]);
    const { healed } = await clock.wait(sync.allReduce(flat));
    joinedAtStep ??= sync.steps - 1;
    if (!healed) firstContributedMs ??= Date.now();
    const parts = split(flat, task.vars.map((v) => v.size));
    task.optimizer.applyGradients(task.vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(parts[i], v.shape, "float32") })));
    stepEndsMs.push(Date.now());
  }
  await group.leave();
  const seconds = (performance.now() - started) / 1000;
  const final = await tfjsState(task).read();
  const evaluation = task.evaluate();
  task.dispose();
  return {
    seconds, waitSeconds: clock.seconds, startedMs, stepEndsMs, syncs: stepEndsMs.length, ...evaluation, finalLoss: loss,
    elastic: {
      outerSteps: sync.steps,
      contributedInnerSteps: sync.contributed,
      joinedAtOuterStep: joinedAtStep ?? 0,
      processStartMs,
      firstContributedMs,
      checksum: stateHash(final.subarray(0, task.vars.reduce((n, v) => n + v.size, 0))).toString(16).padStart(8, "0"),
      events: sync.events.map((e) => ({ kind: e.kind === "step" ? "outer-step" : e.kind, atMs: e.atMs, epoch: e.epoch, outerStep: e.step })),
    },
  };
}
