/**
 * One rank of `longhaul train --method diloco --elastic`: DiLoCo whose group changes (ElasticDiLoCo
 * over initElastic). A rank trains until the group's outer steps have carried steps × world size
 * inner steps (without faults: steps / H rounds); a restarted rank heals at its first outer step
 * and trains only what is left. The outer step runs in
 * the background unless config.blockingOuter (see ElasticDiLoCo). The inner optimizer's state stays
 * the rank's own (as in DiLoCo); a healed rank starts it afresh.
 */
import { ElasticDiLoCo } from "../collectives/elastic/elastic-diloco.js";
import { stateHash } from "../collectives/elastic/heal.js";
import type { ElasticGroup } from "../init-elastic.js";
import type { RankRun, TrainConfig } from "./config.js";
import { WaitClock } from "./wait-clock.js";
import { localStep, type TrainTask } from "./task.js";
import { readVariables, writeVariables } from "./tfjs-adapter.js";

export async function trainRankElastic(group: ElasticGroup, config: TrainConfig, task: TrainTask, processStartMs: number, log: (line: string) => void): Promise<RankRun> {
  const params = readVariables(task.vars);
  const diloco = new ElasticDiLoCo(group, params, { innerSteps: config.innerSteps, outerLr: config.outerLr, momentum: config.outerMomentum, background: !config.blockingOuter, totalInnerSteps: config.steps * group.size }, (event) => {
    if (event.kind !== "outer-step") log(`${event.kind} at outer step ${event.outerStep}, epoch ${event.epoch} (ranks ${event.members.join(", ")})${event.detail ? `: ${event.detail}` : ""}`);
  });
  const started = performance.now();
  const startedMs = Date.now();
  const clock = new WaitClock();
  const waited = <T>(p: Promise<T>): Promise<T> => clock.wait(p);
  await waited(diloco.start());
  writeVariables(task.vars, params);
  const joinedAtOuterStep = diloco.outerSteps;
  const stepEndsMs: number[] = [];
  let firstContributedMs: number | undefined;
  let loss = NaN;
  // The batch index: the rank's own count, moved up to where the group stands after a heal.
  let step = -1;
  while (!diloco.done) {
    const before = diloco.outerSteps;
    step = Math.max(step + 1, before * config.innerSteps);
    loss = localStep(task, step);
    readVariables(task.vars).forEach((v, i) => (params[i] = v));
    if (await waited(diloco.step())) writeVariables(task.vars, params);
    if (diloco.outerSteps > before && diloco.outerSteps > joinedAtOuterStep) firstContributedMs ??= Date.now();
    stepEndsMs.push(Date.now());
  }
  await waited(diloco.finish());
  writeVariables(task.vars, params);
  await diloco.leave();
  const seconds = (performance.now() - started) / 1000;
  const evaluation = task.evaluate();
  task.dispose();
  return {
    seconds, waitSeconds: clock.seconds, startedMs, stepEndsMs, syncs: diloco.outerSteps - joinedAtOuterStep, ...evaluation, finalLoss: loss,
    elastic: {
      outerSteps: diloco.outerSteps,
      contributedInnerSteps: diloco.contributedInnerSteps,
      joinedAtOuterStep,
      processStartMs,
      firstContributedMs,
      checksum: stateHash(diloco.global).toString(16).padStart(8, "0"),
      events: diloco.events.map((e) => ({ kind: e.kind, atMs: e.atMs, epoch: e.epoch, outerStep: e.outerStep })),
    },
  };
}
