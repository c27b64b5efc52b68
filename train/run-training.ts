import { DILOCO_DEFAULTS } from "../collectives/diloco/types.js";
import type { TcpOptions } from "../netem/emulator/tcp-options.js";
import type { AppliedFault, FaultSchedule } from "../netem/faults/types.js";
import type { Topology } from "../world/topology.js";
import { parseTopology } from "../world/topology.js";
import { DEFAULT_LM, type TrainConfig } from "./config.js";
import { makeTask } from "./make-task.js";
import { runWorld, type WorldRun } from "./run-world.js";
import { checksums, recoveries, usefulStepsPerSec, type Recovery } from "./fault-report.js";
import { useWasmBackend } from "./tfjs-backend.js";
import { trainOneProcess } from "./train-one-process.js";

export interface TrainSummary {
  method: string;
  /** mlp (MNIST) or lm (the transformer on the Brown corpus). */
  model: string;
  /** The ranks' collectives ran in communication threads (--comm-thread). */
  commThread: boolean;
  topology: string;
  emulate: boolean;
  ranks: number;
  steps: number;
  samples: number;
  /** The inner learning rate (the LM's AdamW peak) and, for DiLoCo's methods, the outer Nesterov's: what the recipe was. */
  lr: number;
  outerLr?: number;
  outerMomentum?: number;
  /** For topk: what it compressed, the gradient or the optimizer's update. */
  topkOn?: "gradient" | "update";
  /** The MLP's held-out accuracy (model mlp). */
  testAccuracy?: number;
  /** The LM's validation loss in nats per character, and its perplexity e^valLoss (model lm). */
  valLoss?: number;
  valPerplexity?: number;
  /** The LM's training characters per second, all ranks together (steps/s x batch x seqLen x ranks). */
  tokensPerSec?: number;
  /** Payload bytes the ranks sent across region boundaries (all ranks together). */
  wanBytes: number;
  emulatorWanBytes?: number;
  stepsPerSec: number;
  baselineStepsPerSec?: number;
  /** Fraction of training time the slowest-waiting rank stood waiting for communication. */
  waitFraction: number;
  baselineWaitFraction?: number;
  oneProcessAccuracy?: number;
  /** The one-process reference's validation loss and perplexity (model lm). */
  oneProcessValLoss?: number;
  oneProcessValPerplexity?: number;
  syncs: number;
  seconds: number;
  /** The faults the schedule applied to the run (not to the references), times from its ranks' start. */
  faults?: AppliedFault[];
  /** --elastic: each fault's detection and the group's next completed outer step (train/fault-report.ts). */
  recoveries?: Recovery[];
  /** --elastic with faults: useful inner steps per second against the same run without faults (measured in the same command). */
  goodput?: number;
  faultFreeUsefulStepsPerSec?: number;
  /** The fault-free run's held-out accuracy (MLP) or validation loss (LM), beside the run's own. */
  faultFreeTestAccuracy?: number;
  faultFreeValLoss?: number;
  usefulStepsPerSec?: number;
  /** --elastic: every finishing rank's final parameter checksum. */
  checksums?: Array<{ rank: number; checksum: string }>;
}

export interface TrainingOptions {
  config: TrainConfig;
  topology: Topology;
  basePort: number;
  emulate: boolean;
  rateMbit?: number;
  /** The emulated connections' TCP. */
  tcp?: TcpOptions;
  /** A fault schedule for the run itself; the references run without it. */
  faults?: FaultSchedule;
  baseline: boolean;
  /** With baseline: also train the one-process reference (default true). */
  oneProcess?: boolean;
  /** The one-process reference's recipe (default: the run's config); sync's, where a method has its own (the LM's DiLoCo and top-k). */
  oneProcessConfig?: TrainConfig;
  /** With baseline: also run the one-site reference (default true). */
  oneSite?: boolean;
  /** Run the one-site reference at the same time as the main run (both see the same machine load). */
  paired?: boolean;
  timeoutMs?: number;
  log: (line: string) => void;
}

/** Steps per second of rank 0 of `world` over the wall-clock window [from, to] (epoch ms). */
function rateWithin(world: WorldRun, from: number, to: number): number {
  const ends = world.ranks[0].stepEndsMs;
  return ends.filter((t) => t > from && t <= to).length / ((to - from) / 1000);
}

/** The whole `longhaul train`: the run itself, then the one-site run and the one-process run it is compared with. */
export async function runTraining(o: TrainingOptions): Promise<TrainSummary> {
  const { config, topology } = o;
  o.log(`train: ${config.method} on ${topology.spec} (${topology.size} ranks${o.emulate ? ", emulated WAN" : ""}), ${config.steps} steps x ${config.batch} samples per rank`);
  const started = performance.now();
  const oneSiteOptions = { ...o, topology: parseTopology(String(topology.size)), emulate: false, faults: undefined, tcp: undefined };
  const tag = (prefix: string) => (line: string) => o.log(`${prefix}${line}`);
  let oneSite: WorldRun | undefined;
  let run: WorldRun;
  if (o.baseline && o.paired) {
    o.log(`train: reference 1 runs at the same time — the same ${topology.size} ranks on one site, no WAN (lines tagged [site])`);
    [run, oneSite] = await Promise.all([runWorld(o), runWorld({ ...oneSiteOptions, basePort: o.basePort + 256, log: tag("[site] ") })]);
  } else run = await runWorld(o);
  const lm = config.model === "lm";
  const seqLen = (config.lm ?? DEFAULT_LM).seqLen;
  const summary: TrainSummary = {
    method: config.method, model: config.model ?? "mlp", commThread: config.commThread ?? false, topology: topology.spec, emulate: o.emulate, ranks: topology.size, steps: config.steps,
    samples: config.steps * config.batch * topology.size,
    lr: config.lr,
    ...(config.method === "topk" && { topkOn: config.topkOn ?? "gradient" }),
    ...(config.method.includes("diloco") && { outerLr: config.outerLr ?? DILOCO_DEFAULTS.outerLr, outerMomentum: config.outerMomentum ?? DILOCO_DEFAULTS.momentum }),
    ...(lm ? { valLoss: run.valLoss, valPerplexity: Math.exp(run.valLoss!), tokensPerSec: run.stepsPerSec * config.batch * seqLen * topology.size } : { testAccuracy: run.testAccuracy }),
    wanBytes: run.wanBytes,
    emulatorWanBytes: run.emulatorWanBytes, stepsPerSec: run.stepsPerSec, waitFraction: run.waitFraction, syncs: run.ranks[0].syncs,
    seconds: (performance.now() - started) / 1000,
    ...(run.faults && { faults: run.faults }),
  };
  if (run.elastic) {
    summary.checksums = checksums(run);
    summary.usefulStepsPerSec = usefulStepsPerSec(run);
    if (run.faults) summary.recoveries = recoveries(run);
    if (run.faults && o.baseline) {
      o.log("train: reference 0 — the same elastic run without faults (for goodput)");
      const clean = await runWorld({ ...o, faults: undefined });
      summary.faultFreeUsefulStepsPerSec = usefulStepsPerSec(clean);
      if (lm) summary.faultFreeValLoss = clean.valLoss;
      else summary.faultFreeTestAccuracy = clean.testAccuracy;
      summary.goodput = summary.usefulStepsPerSec / summary.faultFreeUsefulStepsPerSec;
    }
  }
  if (!o.baseline) return summary;
  if (o.oneSite !== false) {
    if (!oneSite) {
      o.log(`train: reference 1 — the same ${topology.size} ranks on one site, no WAN`);
      oneSite = await runWorld(oneSiteOptions);
    }
    summary.baselineStepsPerSec = oneSite.stepsPerSec;
    if (o.paired) {
      // Only the window in which both worlds ran shares one machine load; rate both over it.
      const from = Math.max(run.ranks[0].startedMs, oneSite.ranks[0].startedMs);
      const to = Math.min(run.ranks[0].stepEndsMs.at(-1)!, oneSite.ranks[0].stepEndsMs.at(-1)!);
      summary.stepsPerSec = rateWithin(run, from, to);
      summary.baselineStepsPerSec = rateWithin(oneSite, from, to);
      if (lm) summary.tokensPerSec = summary.stepsPerSec * config.batch * seqLen * topology.size;
    }
    summary.baselineWaitFraction = oneSite.waitFraction;
  }
  if (o.oneProcess === false) return summary;
  o.log(`train: reference 2 — one process on the same samples (batch ${config.batch * topology.size})`);
  await useWasmBackend();
  const reference = o.oneProcessConfig ?? config;
  const one = trainOneProcess(reference, await makeTask(reference, "all", topology.size));
  if (lm) (summary.oneProcessValLoss = one.valLoss), (summary.oneProcessValPerplexity = Math.exp(one.valLoss!));
  else summary.oneProcessAccuracy = one.testAccuracy;
  return summary;
}
