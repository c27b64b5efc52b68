import { parseArgs } from "node:util";
import { badValue } from "../netem/errors.js";
import { parseCount, parsePort, parsePositive, parseRate, parseTimeout } from "../world/units.js";
import { DEFAULT_BASE_PORT } from "../world/addresses.js";
import { parseTopology } from "../world/topology.js";
import { DEFAULT_CONFIG, METHODS, type Method, type TrainConfig } from "../train/config.js";
import { JOB_FLAGS, jobFlagsHelp, jobFaults, jobTcp } from "./job-flags.js";
import { appliedFaultLine } from "../netem/faults/timeline.js";

const HELP = `usage: longhaul train --method sync|topk|diloco|streaming-diloco [--topology continents] [--emulate]
                      [--steps N] [--json] [options]

Trains a 784-H-10 MLP on the real MNIST digits of the "mnist" package, data-parallel: one process
per rank, each on its own shard, tested on held-out digits. Also trains the two references:
the same model in one process on the same samples (oneProcessAccuracy), and the same method with
the same ranks on one site without WAN emulation (baselineStepsPerSec). Progress goes to stderr.

options:
  --method M            sync (dense all-reduce), topk (top-k + error feedback), diloco, streaming-diloco
  --topology SPEC       regions and ranks (default continents: 4 regions x 2 ranks)
  --emulate             route cross-region links through the userspace WAN emulator
  --rate RATE           with --emulate: rate of every region pair, e.g. 1gbit (a bare number is Mbit/s;
                        default: unshaped)
  --steps N             steps per rank (default ${DEFAULT_CONFIG.steps})
  --batch B             samples per rank per step (default ${DEFAULT_CONFIG.batch})
  --hidden H            hidden units (default ${DEFAULT_CONFIG.hidden})
  --lr X                inner Adam learning rate (default ${DEFAULT_CONFIG.lr})
  --inner-steps H       DiLoCo's H (default ${DEFAULT_CONFIG.innerSteps})
  --topk-ratio R        fraction sent by topk (default ${DEFAULT_CONFIG.topkRatio})
  --fragments F         streaming-diloco fragments (default ${DEFAULT_CONFIG.fragments})
  --overlap T           inner steps an outer exchange overlaps (default 0 for diloco, 5 for streaming-diloco)
  --outer-compress Q    fp16 (default), int8 or none: quantisation of DiLoCo's outer gradients
  --comm-thread         run each rank's transport and collectives in a communication thread
                        (init({ commThread: true })), so an overlapped DiLoCo exchange progresses
                        while the rank computes, also in the one-site reference
  --no-baseline         skip both references
  --paired              run the one-site reference at the same time as the main run, so both see
                        the same machine load (fairer step rates on a shared machine)
  --base-port P         rank r listens on P + r (default ${DEFAULT_BASE_PORT})
  --timeout DURATION    stop a run after this long: 30m, 90s; a bare number is seconds, as in every
                        longhaul command (default 30m)
  --json                one JSON object on stdout (with "faults": the applied faults, when --faults is given)
${jobFlagsHelp(24)}
                        Link faults need --emulate; kill/restart go to the launcher (a killed rank's
                        peers fail with a lost peer until the collectives can heal). The one-site
                        reference runs without faults.
  -h, --help            show this help`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      method: { type: "string" }, topology: { type: "string", default: "continents" }, emulate: { type: "boolean", default: false },
      rate: { type: "string" }, steps: { type: "string" }, batch: { type: "string" }, hidden: { type: "string" }, lr: { type: "string" },
      "inner-steps": { type: "string" }, "topk-ratio": { type: "string" }, fragments: { type: "string" }, overlap: { type: "string" },
      "outer-compress": { type: "string" }, "no-baseline": { type: "boolean", default: false }, paired: { type: "boolean", default: false }, "base-port": { type: "string" },
      timeout: { type: "string" }, "comm-thread": { type: "boolean", default: false }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false },
      ...JOB_FLAGS,
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const fail = (message: string): number => {
    console.error(`longhaul train: ${message}\n(see "longhaul train --help")`);
    return 2;
  };
  if (!METHODS.includes(values.method as Method)) return fail(`--method must be one of ${METHODS.join(", ")}, got ${String(values.method)}`);
  if (values.rate !== undefined && !values.emulate) throw badValue(`--rate ${values.rate} shapes the emulated links and needs --emulate (e.g. --emulate --rate ${values.rate})`);
  const count = (text: string | undefined, fallback: number, flag: string, min = 1): number => (text === undefined ? fallback : parseCount(text, flag, min));
  const positive = (text: string | undefined, fallback: number, flag: string): number => (text === undefined ? fallback : parsePositive(text, flag));
  const outer = values["outer-compress"] ?? DEFAULT_CONFIG.outerCompress;
  if (outer !== undefined && !["fp16", "int8", "none"].includes(outer)) return fail(`--outer-compress must be fp16, int8 or none, got ${outer}`);
  const config: TrainConfig = {
    ...DEFAULT_CONFIG,
    method: values.method as Method,
    steps: count(values.steps, DEFAULT_CONFIG.steps, "--steps"),
    batch: count(values.batch, DEFAULT_CONFIG.batch, "--batch"),
    hidden: count(values.hidden, DEFAULT_CONFIG.hidden, "--hidden"),
    lr: positive(values.lr, DEFAULT_CONFIG.lr, "--lr"),
    innerSteps: count(values["inner-steps"], DEFAULT_CONFIG.innerSteps, "--inner-steps"),
    topkRatio: positive(values["topk-ratio"], DEFAULT_CONFIG.topkRatio, "--topk-ratio"),
    fragments: count(values.fragments, DEFAULT_CONFIG.fragments, "--fragments"),
    overlapSteps: values.overlap === undefined ? undefined : parseCount(values.overlap, "--overlap", 0),
    outerCompress: outer === "none" ? undefined : (outer as TrainConfig["outerCompress"]),
    commThread: values["comm-thread"],
  };
  const topology = parseTopology(values.topology);
  const faults = jobFaults(values, topology, { emulate: values.emulate, command: "longhaul train", processFaults: true });
  const tcp = jobTcp(values, values.emulate);
  const basePort = values["base-port"] === undefined ? DEFAULT_BASE_PORT : parsePort(values["base-port"], "--base-port");
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const { runTraining } = await import("../train/run-training.js");
  const summary = await runTraining({
    config, topology, basePort, emulate: values.emulate, log, baseline: !values["no-baseline"], paired: values.paired,
    rateMbit: values.rate === undefined ? undefined : parseRate(values.rate, "--rate"),
    ...(faults && { faults }), ...(tcp && { tcp }),
    timeoutMs: values.timeout === undefined ? 1_800_000 : parseTimeout(values.timeout, "--timeout"),
  });
  if (values.json) console.log(JSON.stringify(summary));
  else {
    const { faults: applied, ...figures } = summary;
    console.log(Object.entries(figures).map(([k, v]) => `${k.padEnd(22)} ${typeof v === "number" ? +v.toFixed(4) : String(v)}`).join("\n"));
    if (applied) console.log(["faults", ...applied.map((f) => `  ${appliedFaultLine(f)}`)].join("\n"));
  }
  return 0;
}
