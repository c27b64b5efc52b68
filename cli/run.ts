import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { runExperiment, experimentSteps, type ExperimentPlan } from "../bench/report/experiment.js";
import { summaryText } from "../bench/report/console.js";
import { localSweep } from "../bench/report/local-sweep.js";
import { checkMethods, runTrainingPart } from "../bench/report/training.js";
import { runLmTrainingPart } from "../bench/report/lm-training.js";
import { faultToleranceLine, runFaultTolerancePart } from "../bench/report/fault-tolerance.js";
import type { FaultToleranceResult } from "../bench/report/types.js";
import type { LmTrainingRow, TrainingRow } from "../bench/report/types.js";
import { createProgress } from "../bench/report/progress.js";
import { assembleResults } from "../bench/report/results.js";
import { writeReport } from "../bench/report/write.js";
import { plannerChecks, scenarioPlans } from "../bench/report/planner.js";
import { sweepLinkModel } from "../bench/wan-sweep.js";
import { DEFAULT_MODEL_SEGMENT_BYTES } from "../collectives/select.js";
import { parseCount, parsePort, parseRate, parseSizes } from "../world/units.js";
import { DEFAULT_BASE_PORT } from "../world/addresses.js";
import { parseTopology } from "../world/topology.js";
import { appliedFaultLine } from "../netem/faults/timeline.js";
import { JOB_FLAGS, jobFlagsHelp, jobFaults, jobTcp } from "./job-flags.js";

/** Defaults sized so the whole run fits in a few minutes on a loaded 2-core machine. */
export const RUN_DEFAULTS = {
  topology: "continents:2",
  sizes: "4KiB,256KiB,4MiB,64MiB",
  algorithms: "ring,tree,halving-doubling,hierarchical,auto",
  iters: "3",
  rate: "1gbit",
  distanceTo: "virginia,chicago,texas,london,sao-paulo",
  distanceSizes: "4KiB,4MiB",
  distanceAlgorithms: "ring,hierarchical",
  train: "sync,diloco",
  trainSteps: "100",
  lm: "sync,diloco",
  lmSteps: "300",
  out: "results",
} as const;

const HELP = `usage: longhaul run [options]

The whole experiment on this machine (what \`npm start\` runs): all-reduce sweeps across the four
emulated continents through the userspace link emulator, the same sweep on one site with no
emulated WAN (the efficiency baseline), and a two-region sweep at several distances. Prints a
summary table and writes report.md, results.json and SVG plots into --out.

options:
  --topology SPEC            regions and ranks (default ${RUN_DEFAULTS.topology})
  --sizes LIST               all-reduce sizes (default ${RUN_DEFAULTS.sizes})
  --algorithms LIST          (default ${RUN_DEFAULTS.algorithms})
  --iters N                  timed iterations per size after one warm-up (default ${RUN_DEFAULTS.iters})
  --rate RATE                bottleneck rate of every region pair (default ${RUN_DEFAULTS.rate})
  --distance-to LIST         regions paired with new-york for the distance sweep, or "none"
                             (default ${RUN_DEFAULTS.distanceTo})
  --distance-sizes LIST      (default ${RUN_DEFAULTS.distanceSizes})
  --distance-algorithms LIST (default ${RUN_DEFAULTS.distanceAlgorithms})
  --train LIST               MNIST training methods to run across the continents afterwards, or "none"
                             (sync, topk, diloco, streaming-diloco; default ${RUN_DEFAULTS.train})
  --train-steps N            steps per rank of each training run (default ${RUN_DEFAULTS.trainSteps})
  --lm LIST                  language-model methods to run across the continents after the MNIST ones, or
                             "none" (default ${RUN_DEFAULTS.lm}; each with its own recipe, docs/trainer.md)
  --lm-steps N               steps per rank of each language-model run (default ${RUN_DEFAULTS.lmSteps})
  --no-fault-tolerance       skip the fault-tolerance part (elastic DiLoCo on three emulated regions through
                             a flap, a partition and a rank killed and restarted, and the same run
                             without faults for goodput; about a minute)
  --no-baseline              skip the single-site run (no efficiency figures)
  --out DIR                  report folder (default ${RUN_DEFAULTS.out})
  --base-port P              rank r listens on P + r (default ${DEFAULT_BASE_PORT})
${jobFlagsHelp(29)}
                             The schedule plays during the WAN sweep across the continents (times from
                             its start); the report lists the applied faults under its table, and
                             results.json carries them as "faults". kill/restart are refused (the sweep
                             starts its ranks itself). The TCP flags apply to every emulated run.
  -h, --help                 show this help`;

const list = (text: string): string[] => text.split(",").map((s) => s.trim()).filter(Boolean);

export function planFromFlags(argv: string[]): { plan: ExperimentPlan; out: string; basePort: number } | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      topology: { type: "string", default: RUN_DEFAULTS.topology },
      sizes: { type: "string", default: RUN_DEFAULTS.sizes },
      algorithms: { type: "string", default: RUN_DEFAULTS.algorithms },
      iters: { type: "string", default: RUN_DEFAULTS.iters },
      rate: { type: "string", default: RUN_DEFAULTS.rate },
      "distance-to": { type: "string", default: RUN_DEFAULTS.distanceTo },
      "distance-sizes": { type: "string", default: RUN_DEFAULTS.distanceSizes },
      "distance-algorithms": { type: "string", default: RUN_DEFAULTS.distanceAlgorithms },
      train: { type: "string", default: RUN_DEFAULTS.train },
      "train-steps": { type: "string", default: RUN_DEFAULTS.trainSteps },
      lm: { type: "string", default: RUN_DEFAULTS.lm },
      "lm-steps": { type: "string", default: RUN_DEFAULTS.lmSteps },
      "no-baseline": { type: "boolean", default: false },
      "no-fault-tolerance": { type: "boolean", default: false },
      out: { type: "string", default: RUN_DEFAULTS.out },
      "base-port": { type: "string", default: String(DEFAULT_BASE_PORT) },
      ...JOB_FLAGS,
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const iters = parseCount(values.iters, "--iters");
  const basePort = parsePort(values["base-port"], "--base-port");
  const peers = values["distance-to"] === "none" ? [] : list(values["distance-to"]);
  const methods = values.train === "none" ? [] : list(values.train);
  checkMethods(methods);
  const trainSteps = parseCount(values["train-steps"], "--train-steps");
  const lmMethods = values.lm === "none" ? [] : list(values.lm);
  checkMethods(lmMethods);
  const lmSteps = parseCount(values["lm-steps"], "--lm-steps");
  const faults = jobFaults(values, parseTopology(values.topology), { emulate: true, command: "longhaul run", processFaults: false });
  const tcp = jobTcp(values, true);
  const plan: ExperimentPlan = {
    topology: values.topology,
    sizes: parseSizes(values.sizes, "--sizes"),
    algorithms: list(values.algorithms),
    iters,
    rateMbit: parseRate(values.rate, "--rate"),
    baseline: !values["no-baseline"],
    ...(faults && { faults }),
    ...(tcp && { tcp }),
    training: methods.length === 0 ? undefined : { methods, steps: trainSteps },
    lmTraining: lmMethods.length === 0 ? undefined : { methods: lmMethods, steps: lmSteps },
    faultTolerance: !values["no-fault-tolerance"],
    distance: peers.length === 0 ? undefined : {
      anchor: "new-york",
      peers,
      ranksPerRegion: 2,
      sizes: parseSizes(values["distance-sizes"], "--distance-sizes"),
      algorithms: list(values["distance-algorithms"]),
      iters,
    },
  };
  return { plan, out: resolve(values.out), basePort };
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof planFromFlags>;
  try {
    parsed = planFromFlags(argv);
  } catch (error) {
    console.error(`longhaul run: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  if (parsed === "help") {
    console.log(HELP);
    return 0;
  }
  const { plan, out, basePort } = parsed;
  const startedAt = new Date();
  const progress = createProgress({ total: experimentSteps(plan) });
  const rankLog: string[] = [];
  const sweep = localSweep({ basePort, onRankLog: (rank, line) => void rankLog.push(`[rank ${rank}] ${line}`) });
  let rows;
  let training: TrainingRow[] = [];
  let lmTraining: LmTrainingRow[] = [];
  let faultTolerance: FaultToleranceResult | undefined;
  try {
    rows = await runExperiment(plan, sweep, progress);
    if (plan.training) training = await runTrainingPart(plan.training, { topology: plan.topology, basePort, rateMbit: plan.rateMbit, tcp: plan.tcp, progress });
    if (plan.lmTraining) lmTraining = await runLmTrainingPart(plan.lmTraining, { topology: plan.topology, basePort, rateMbit: plan.rateMbit, tcp: plan.tcp, progress });
    if (plan.faultTolerance) faultTolerance = await runFaultTolerancePart({ basePort, rateMbit: plan.rateMbit, tcp: plan.tcp, progress });
  } catch (error) {
    progress.done("failed");
    console.error(`longhaul run: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  progress.done();
  // The planner's closed forms for this very run (the links the sweep's ranks modelled), and its full-scale answers.
  const links = sweepLinkModel({ topology: plan.topology, emulate: true, rateMbit: plan.rateMbit });
  const planner = { checks: plannerChecks(rows.wan, links, DEFAULT_MODEL_SEGMENT_BYTES), scenarios: await scenarioPlans() };
  const results = { ...assembleResults(plan, rows, { startedAt, backend: "userspace", note: "ranks and emulator share this machine", training, lmTraining, faultTolerance }), planner };
  const written = await writeReport(out, results);
  console.log(summaryText(results.wan, results.baseline, training, lmTraining));
  if (faultTolerance) console.log(`\n${faultToleranceLine(faultTolerance)}`);
  if (results.faults) console.log(`\nfaults during the WAN sweep (s from its start):${results.faults.map((f) => `\n  ${appliedFaultLine(f)}`).join("") || " none came due"}`);
  const seconds = Math.round((Date.parse(results.finishedAt) - startedAt.getTime()) / 1000);
  console.log(`\nreport: ${written.files.map((f) => `${out}/${f}`).join(", ")}${written.pngNote ? ` (no PNG: ${written.pngNote})` : ""}`);
  console.log(`finished in ${seconds} s`);
  return rows.wan.some((r) => r.wrong > 0) ? 1 : 0;
}
