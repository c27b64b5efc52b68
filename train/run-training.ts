import type { Topology } from "../transports/topology.js";
import { parseTopology } from "../transports/topology.js";
import type { TrainConfig } from "./config.js";
import { loadMnist } from "./mnist-data.js";
import { runWorld } from "./run-world.js";
import { useWasmBackend } from "./tfjs-backend.js";
import { trainOneProcess } from "./train-one-process.js";

export interface TrainSummary {
  method: string;
  topology: string;
  emulate: boolean;
  ranks: number;
  steps: number;
  samples: number;
  testAccuracy: number;
  wanBytes: number;
  emulatorWanBytes?: number;
  stepsPerSec: number;
  baselineStepsPerSec?: number;
  /** Fraction of training time the slowest-waiting rank stood waiting for communication. */
  waitFraction: number;
  baselineWaitFraction?: number;
  oneProcessAccuracy?: number;
  syncs: number;
  seconds: number;
}

export interface TrainingOptions {
  config: TrainConfig;
  topology: Topology;
  basePort: number;
  emulate: boolean;
  rateMbit?: number;
  baseline: boolean;
  timeoutMs?: number;
  log: (line: string) => void;
}

/** The whole `longhaul train`: the run itself, then the one-site run and the one-process run it is compared with. */
export async function runTraining(o: TrainingOptions): Promise<TrainSummary> {
  const { config, topology } = o;
  o.log(`train: ${config.method} on ${topology.spec} (${topology.size} ranks${o.emulate ? ", emulated WAN" : ""}), ${config.steps} steps x ${config.batch} samples per rank`);
  const started = performance.now();
  const run = await runWorld({ ...o, topology, emulate: o.emulate });
  const summary: TrainSummary = {
    method: config.method, topology: topology.spec, emulate: o.emulate, ranks: topology.size, steps: config.steps,
    samples: config.steps * config.batch * topology.size, testAccuracy: run.testAccuracy, wanBytes: run.wanBytes,
    emulatorWanBytes: run.emulatorWanBytes, stepsPerSec: run.stepsPerSec, waitFraction: run.waitFraction, syncs: run.ranks[0].syncs, seconds: (performance.now() - started) / 1000,
  };
  if (!o.baseline) return summary;
  o.log(`train: reference 1 — the same ${topology.size} ranks on one site, no WAN`);
  const oneSite = await runWorld({ ...o, topology: parseTopology(String(topology.size)), emulate: false });
  summary.baselineStepsPerSec = oneSite.stepsPerSec;
  summary.baselineWaitFraction = oneSite.waitFraction;
  o.log(`train: reference 2 — one process on the same samples (batch ${config.batch * topology.size})`);
  await useWasmBackend();
  summary.oneProcessAccuracy = trainOneProcess(config, topology.size, loadMnist()).testAccuracy;
  return summary;
}
