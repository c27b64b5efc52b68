import type { TcpOptions } from "../../netem/emulator/tcp-options.js";
import { DEFAULT_CONFIG, METHODS, type Method, type TrainConfig } from "../../train/config.js";
import { runTraining, type TrainingOptions, type TrainSummary } from "../../train/run-training.js";
import { parseTopology } from "../../world/topology.js";
import { formatPct } from "./format.js";
import type { Progress } from "./progress.js";
import { markdownTable } from "./table.js";
import type { TrainingRow } from "./types.js";


export interface TrainingPlan {
  readonly methods: readonly string[];
  readonly steps: number;
}

export function checkMethods(methods: readonly string[]): void {
  const bad = methods.filter((m) => !METHODS.includes(m as Method));
  if (bad.length) throw new RangeError(`training method ${bad.join(", ")} is unknown; use ${METHODS.join(", ")} or none`);
}

/** What trainEach needs of the run: the emulated topology, its ports and link, where progress goes. */
export interface TrainingPartOptions {
  topology: string;
  basePort: number;
  rateMbit?: number;
  tcp?: TcpOptions;
  progress?: Progress;
}

/**
 * Trains each method of `plan` in turn across the emulated topology, with the references that
 * `references` leaves on, and keeps what `row` takes of each summary.
 */
export async function trainEach<Row>(
  plan: TrainingPlan,
  options: TrainingPartOptions,
  part: { label: string; config: (method: Method) => TrainConfig; references: Pick<TrainingOptions, "oneSite" | "oneProcess">; row: (method: string, summary: TrainSummary) => Row },
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const method of plan.methods) {
    options.progress?.note(`${part.label}: ${method}, ${plan.steps} steps`);
    const summary = await runTraining({
      config: part.config(method as Method),
      topology: parseTopology(options.topology),
      basePort: options.basePort,
      emulate: true,
      rateMbit: options.rateMbit,
      ...(options.tcp && { tcp: options.tcp }),
      baseline: true,
      ...part.references,
      timeoutMs: 600_000,
      log: (line) => options.progress?.note(line.slice(0, 90)),
    });
    rows.push(part.row(method, summary));
    options.progress?.tick(`${part.label}: ${method} done`);
  }
  return rows;
}

/** Trains the MNIST MLP with each method across the emulated topology (plus its one-site and one-process references). */
export function runTrainingPart(plan: TrainingPlan, options: TrainingPartOptions): Promise<TrainingRow[]> {
  return trainEach(plan, options, {
    label: "training",
    config: (method) => ({ ...DEFAULT_CONFIG, method, steps: plan.steps }),
    references: {},
    row: (method, { ranks, steps, testAccuracy, oneProcessAccuracy, wanBytes, stepsPerSec, baselineStepsPerSec }) => ({ method, ranks, steps, testAccuracy: testAccuracy ?? NaN, oneProcessAccuracy, wanBytes, stepsPerSec, baselineStepsPerSec }),
  });
}

const pct = (x: number | undefined): string => (x === undefined ? "-" : `${(100 * x).toFixed(1)}%`);

export function trainingSection(rows: readonly TrainingRow[]): string {
  const sync = rows.find((r) => r.method === "sync");
  const cells = rows.map((r) => [
    r.method,
    String(r.steps),
    pct(r.testAccuracy),
    pct(r.oneProcessAccuracy),
    `${(r.wanBytes / 1e6).toFixed(2)} MB`,
    sync && r.wanBytes > 0 ? `${(sync.wanBytes / r.wanBytes).toFixed(1)}×` : "-",
    r.stepsPerSec.toFixed(1),
    r.baselineStepsPerSec === undefined ? "-" : r.baselineStepsPerSec.toFixed(1),
    r.baselineStepsPerSec ? formatPct((100 * r.stepsPerSec) / r.baselineStepsPerSec) : "-",
  ]);
  return [
    `A 784-${DEFAULT_CONFIG.hidden}-10 MLP on real MNIST digits, data-parallel, each rank on its own shard; accuracy on held-out`,
    "digits. References: the same model trained in one process on the same samples, and the same ranks on",
    "one site with no emulated WAN (step rate).",
    "",
    markdownTable(
      ["method", "steps", "test accuracy", "one-process accuracy", "WAN bytes", "fewer than sync", "steps/s", "one-site steps/s", "step-rate efficiency"],
      cells,
    ),
  ].join("\n");
}
