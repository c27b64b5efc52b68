/** The `longhaul bench overlap` command line: flags, refusals, the table and the JSON line. */
import { parseArgs } from "node:util";
import { badValue } from "../../netem/errors.js";
import { parseCount, parsePort, parseRate, parseTimeout } from "../../world/units.js";
import { parseTopology } from "../../world/topology.js";
import type { BucketTiming } from "./bucket-clock.js";
import { runOverlapBench, type OverlapReport, type OverlapRun } from "./run.js";
import { BACKWARD_FACTOR, OVERLAP_STRATEGIES, type OverlapStrategy } from "./rank-overlap.js";
import { parseSize } from "../sizes.js";

export const OVERLAP_HELP = `usage: longhaul bench overlap [--layers 16] [--compute-ms 10] [--grad-bytes 1MiB]
       [--strategy sync|hierarchical|diloco] [--overlap on|off] [--topology SPEC]
       [--emulate [--rate R]] [--steps 10] [--warmup 1] [--inner-steps 4] [--json]

A GPU-like synthetic trainer: each layer's forward is a --compute-ms timer and its backward one of
${BACKWARD_FACTOR}x that (time that leaves the CPU free, as a GPU kernel does), so a step computes
layers x compute-ms x ${1 + BACKWARD_FACTOR}; each layer has a float32 gradient of --grad-bytes. With --overlap on each
layer's all-reduce starts as its backward ends (per-layer buckets) and the step waits for all of
them; off, one all-reduce of the whole gradient after the backward. sync: ring all-reduce;
hierarchical: hierarchical; diloco: no sync in inner steps, a hierarchical all-reduce of the whole
gradient every --inner-steps steps (with --overlap on, awaited at the end of the next step).

Runs the same ranks on one site first, then on --topology (through the userspace emulator with
--emulate), and prints the step time (mean over steps of the slowest rank), exposed communication
(step minus compute), efficiency (one-site step / this step), #wrong (every reduced element
checked) and the planner's prediction for the same configuration (needs --rate).

  --topology SPEC   default new-york:2,chicago:2
  --rate R          rate of every emulated region pair, e.g. 100mbit (with --emulate)
  --transport T     tcp (default) | ipc
  --timeout D       per-op timeout (default 60s)
  --json            one JSON object instead of the table`;

const FLAGS = {
  layers: { type: "string", default: "16" },
  "compute-ms": { type: "string", default: "10" },
  "grad-bytes": { type: "string", default: "1MiB" },
  strategy: { type: "string", default: "hierarchical" },
  overlap: { type: "string", default: "on" },
  topology: { type: "string", default: "new-york:2,chicago:2" },
  emulate: { type: "boolean", default: false },
  rate: { type: "string" },
  steps: { type: "string", default: "10" },
  warmup: { type: "string", default: "1" },
  "inner-steps": { type: "string", default: "4" },
  transport: { type: "string", default: "tcp" },
  "base-port": { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

function choice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw badValue(`--${flag} must be one of ${allowed.join(", ")}, got "${value}"`);
  return value as T;
}

function computeMs(text: string): number {
  const ms = Number(text);
  if (!(ms > 0 && Number.isFinite(ms))) throw badValue(`--compute-ms "${text}" is not a number of milliseconds > 0 (e.g. 10)`);
  return ms;
}

export async function overlapMain(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: FLAGS, allowPositionals: false });
  if (values.help) {
    console.log(OVERLAP_HELP);
    return 0;
  }
  if (values.rate !== undefined && !values.emulate) throw badValue(`--rate ${values.rate} shapes the emulated links and needs --emulate (e.g. --emulate --rate ${values.rate})`);
  const gradBytes = parseSize(values["grad-bytes"], "--grad-bytes");
  if (gradBytes <= 0 || gradBytes % 4 !== 0) throw badValue(`--grad-bytes ${values["grad-bytes"]} is not a positive whole number of float32 elements (4 bytes each)`);
  parseTopology(values.topology); // a bad spec is refused before anything starts
  const report = await runOverlapBench({
    layers: parseCount(values.layers, "--layers"),
    computeMs: computeMs(values["compute-ms"]),
    gradBytes,
    strategy: choice<OverlapStrategy>("strategy", values.strategy, OVERLAP_STRATEGIES),
    overlap: choice("overlap", values.overlap, ["on", "off"]) === "on",
    steps: parseCount(values.steps, "--steps"),
    warmup: parseCount(values.warmup, "--warmup", 0),
    innerSteps: parseCount(values["inner-steps"], "--inner-steps"),
    topology: values.topology,
    emulate: values.emulate,
    rateMbit: values.rate === undefined ? undefined : parseRate(values.rate, "--rate"),
    transport: choice("transport", values.transport, ["tcp", "ipc"] as const),
    basePort: values["base-port"] === undefined ? undefined : parsePort(values["base-port"], "--base-port"),
    timeoutMs: values.timeout === undefined ? undefined : parseTimeout(values.timeout, "--timeout"),
  });
  console.log(values.json ? JSON.stringify(report) : overlapTable(report));
  return report.oneSite.wrong + report.measured.wrong === 0 ? 0 : 1;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function overlapTable(r: OverlapReport): string {
  const mib = (r.gradBytesPerLayer / 2 ** 20).toFixed(2);
  const head = `# overlap strategy=${r.strategy} overlap=${r.overlap ? "on" : "off"} layers=${r.layers} compute=${r.computeMsPerStep.toFixed(0)} ms/step (${r.computeMsPerLayer} ms fwd + ${r.computeMsPerLayer * BACKWARD_FACTOR} ms bwd per layer) grad=${mib} MiB/layer steps=${r.steps} rate=${r.rateMbit === null ? "unshaped" : `${r.rateMbit} Mbit/s`}`;
  const row = (name: string, step: number, exposed: number, eff: string, wrong: string) =>
    [name.padEnd(28), step.toFixed(1).padStart(9), exposed.toFixed(1).padStart(11), eff.padStart(10), wrong.padStart(6)].join(" ");
  const run = (name: string, x: OverlapRun, eff: string) => row(`${name} ${x.topology}`, x.stepMs, x.exposedMs, eff, String(x.wrong));
  const lines = [head, `${"run".padEnd(28)} ${"step ms".padStart(9)} ${"exposed ms".padStart(11)} ${"efficiency".padStart(10)} ${"#wrong".padStart(6)}`, run("one site", r.oneSite, "100.0%"), run("measured", r.measured, pct(r.efficiency))];
  if (r.planner) lines.push(row(`planner ${r.planner.strategy}`, r.planner.stepMs, r.planner.exposedMs, pct(r.planner.efficiency), "-"));
  else lines.push("(no planner prediction: give --emulate --rate R so the planner knows the links' rate)");
  for (const [name, run] of [["one site", r.oneSite], ["measured", r.measured]] as const) {
    if (run.buckets?.length) lines.push("", ...bucketTable(`${name} ${run.topology}`, run.buckets, r.computeMsPerStep));
  }
  return lines.join("\n");
}

/**
 * Where each bucket's time went (mean over steps and ranks, ms from the step's start): queued behind
 * the bucket before it, then running — on the rank's CPU (copies, reductions, system calls) or
 * waiting (for the link, for peers, or for a core) — and when it was done against the compute's end.
 */
export function bucketTable(title: string, buckets: readonly BucketTiming[], computeMs: number): string[] {
  const f = (x: number) => x.toFixed(1).padStart(8);
  const lines = [`# buckets, ${title} (ms; compute ends at ${computeMs.toFixed(0)})`, `${"bucket".padEnd(8)} ${"issued".padStart(8)} ${"queued".padStart(8)} ${"run".padStart(8)} ${"cpu".padStart(8)} ${"waiting".padStart(8)} ${"done".padStart(8)}`];
  for (const b of buckets) lines.push(`${(b.layer < 0 ? "all" : `layer ${b.layer}`).padEnd(8)} ${f(b.issuedMs)} ${f(b.queuedMs)} ${f(b.runMs)} ${f(b.cpuMs)} ${f(Math.max(0, b.runMs - b.cpuMs))} ${f(b.doneMs)}`);
  const sum = (key: "queuedMs" | "runMs" | "cpuMs") => buckets.reduce((s, b) => s + b[key], 0);
  const last = buckets[buckets.length - 1];
  lines.push(`total: run ${sum("runMs").toFixed(0)} ms (cpu ${sum("cpuMs").toFixed(0)}, waiting ${Math.max(0, sum("runMs") - sum("cpuMs")).toFixed(0)}), queued ${sum("queuedMs").toFixed(0)} ms; the last bucket done ${(last.doneMs - computeMs).toFixed(1)} ms after the compute`);
  return lines;
}
