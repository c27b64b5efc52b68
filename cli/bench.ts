/**
 * `longhaul bench allreduce|reducescatter|allgather|micro`: nccl-tests-style sweeps over ranks this
 * command starts itself, and micro-benchmarks of the reduction kernels and frame codec.
 */
import { parseArgs } from "node:util";
import { allReduceAlgorithmNames } from "../collectives/registry.js";
import type { DTypeName, ReduceOp } from "../collectives/types.js";
import { checkSweep, sweepTopology, sweepTransport, type SweepOptions } from "../bench/allreduce-sweep.js";
import { explainSweep, runWanSweep } from "../bench/wan-sweep.js";
import { badValue } from "../netem/errors.js";
import { parseCount, parseDuration, parsePort, parseRate, parseTimeout } from "../world/units.js";
import { runMicroBench } from "../bench/micro.js";
import { createProgress } from "../bench/report/progress.js";
import { parseSize, parseSizes } from "../bench/sizes.js";
import type { ResultRow, SweepOp, SweepTransport } from "../bench/sweep-types.js";
import { cpuBoundNotes, cpuFloorAboveNetwork } from "../bench/cpu-bound.js";
import { jsonLine, tableHeader, tableRow } from "../bench/table.js";
import { microTable } from "../bench/micro-table.js";
import { runSoak, soakTable } from "../bench/soak.js";
import { overlapMain } from "../bench/overlap/overlap-cli.js";
import { JOB_FLAGS, jobFlagsHelp, jobFaults, jobTcp } from "./job-flags.js";

const SWEEP_OPS: Record<string, SweepOp> = { allreduce: "allreduce", reducescatter: "reducescatter", allgather: "allgather" };

export const SWEEP_FLAGS = {
  ranks: { type: "string", default: "4" },
  topology: { type: "string" },
  sizes: { type: "string", default: "4KiB,256KiB,4MiB,64MiB" },
  algorithm: { type: "string", default: "auto" },
  iters: { type: "string", default: "5" },
  warmup: { type: "string", default: "1" },
  "min-time": { type: "string", default: "1s" },
  dtype: { type: "string", default: "float32" },
  op: { type: "string", default: "sum" },
  transport: { type: "string" },
  segment: { type: "string" },
  buffers: { type: "string", default: "registered" },
  "base-port": { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean", default: false },
  emulate: { type: "boolean", default: false },
  rate: { type: "string" },
  explain: { type: "boolean", default: false },
  "comm-thread": { type: "boolean", default: false },
  ...JOB_FLAGS,
  help: { type: "boolean", short: "h", default: false },
} as const;

function usage(): string {
  return `usage: longhaul bench <allreduce|reducescatter|allgather> [options]
       longhaul bench micro [--sizes 1MiB,64MiB] [--time DURATION (bare: ms)] [--json]
       longhaul bench soak [--ops 10000] [--size 1MiB] [--transport tcp,threads] [--json]
       longhaul bench overlap [--layers L --compute-ms C --grad-bytes B] [--strategy S] [--overlap on|off] [--emulate --rate R] [--json]

Starts the ranks itself and prints size, count, type, time (us, median over iterations of the
slowest rank), algbw, busbw (GB/s; all-reduce busbw = algbw*2(n-1)/n, others (n-1)/n), #wrong
(elements differing from the closed-form result) and peak RSS above idle (MiB, worst rank).

  --ranks N            ranks in one region (default 4)
  --topology SPEC      e.g. new-york:2,london:2 or continents (overrides --ranks)
  --sizes LIST         default 4KiB,256KiB,4MiB,64MiB; whole elements of --dtype (4 B for float32)
  --algorithm LIST     all-reduce algorithms: ${allReduceAlgorithmNames().join(", ")} (default auto:
                       what the cost model picks per size, as nccl-tests shows what NCCL picks)
  --iters K            timed iterations per size, at least (default 5)
  --warmup W           untimed iterations first (default 1)
  --min-time DURATION  more timed iterations (up to 10000) until they add up to about this long,
                       after a warm-up as long, run in rounds of 1, 2, 4, ... iterations; the count
                       follows from the slowest rank's last warm-up round, so an op that speeds up
                       while it warms gets the count its warm speed fills (default 1s: a 4 KiB
                       figure is a median over thousands of warm ops; 0: exactly --iters; a bare
                       number is ms). The "iters" column says how many were timed
  --dtype T            float32 | float64 | int32 (default float32)
  --op OP              sum | avg | min | max | prod (default sum)
  --transport T        threads (ranks as worker threads; default) | unix (processes over Unix sockets,
                       what launch uses on one host) | ipc (processes, ZeroMQ ipc://) | tcp (processes,
                       ZeroMQ tcp loopback; the default when emulating)
  --segment SIZE       pipelining segment (default 4MiB between processes of this host, 1MiB for
                       threads and emulated or multi-host worlds)
  --buffers B          registered (allocArray: reductions run in wasm memory; default) | plain (ordinary typed arrays)
  --base-port P        first TCP port of the ranks (tcp transport)
  --timeout DURATION   per-op timeout in each rank: 30s, 500ms; a bare number is seconds, as in every
                       longhaul command (default 60s)
  --json               one JSON object per size and algorithm per line instead of the table
  --emulate            route cross-region links through the userspace WAN emulator (distance-based
                       delay per region pair; implies --transport tcp unless ipc is given)
  --rate R             rate of every region pair with --emulate, e.g. 1gbit, 100mbit (default unshaped)
  --explain            print each algorithm's predicted time and floor per size, and what auto picks
  --comm-thread        each rank runs its transport and collectives in a communication thread
                       (init({ commThread: true }), LONGHAUL_COMM_THREAD=1); processes only
with --emulate:
${jobFlagsHelp(23)}
                       A bench row's "faults" are those in effect while it ran (times from the
                       sweep's start). kill/restart are refused: the sweep starts its ranks itself
                       and cannot restart one; use longhaul launch --emulate --faults for them.

Every row carries the cost model's predictedUs and lowerBoundUs (JSON keys; for auto, those of the
algorithm it picked, named in "chosen"; between threads only "chosen"). A row whose ranks needed
more CPU per op than this host's cores give in lowerBoundUs is CPU-bound: it gets "cpuBound": true
and a note after the table, since its time then measures this host, not the links.

With threads, peak RSS is the whole process (all ranks together).`;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw badValue(`--${name} must be one of ${allowed.join(", ")}, got "${value}"`);
  return value as T;
}

/** Parses the sweep flags into runner options (exported so other bench front-ends reuse them). */
export function sweepOptionsFrom(op: SweepOp, values: Record<string, string | boolean | undefined>): SweepOptions {
  const text = (key: string) => values[key] as string | undefined;
  const algorithms = text("algorithm")!.split(",").map((s) => s.trim()).filter(Boolean);
  for (const name of algorithms) oneOf("algorithm", name, allReduceAlgorithmNames());
  return {
    op,
    ranks: parseCount(text("ranks")!, "--ranks"),
    topology: text("topology"),
    sizes: parseSizes(text("sizes")!),
    algorithms: op === "allreduce" ? algorithms : ["ring"],
    iters: parseCount(text("iters")!, "--iters"),
    minTimeMs: text("min-time") === undefined ? undefined : parseDuration(text("min-time")!, "--min-time"),
    warmup: parseCount(text("warmup")!, "--warmup", 0),
    dtype: oneOf<DTypeName>("dtype", text("dtype")!, ["float32", "float64", "int32"]),
    reduceOp: oneOf<ReduceOp>("op", text("op")!, ["sum", "avg", "min", "max", "prod"]),
    transport: text("transport") === undefined ? undefined : oneOf<SweepTransport>("transport", text("transport")!, ["threads", "unix", "ipc", "tcp"]),
    buffers: oneOf<"registered" | "plain">("buffers", text("buffers")!, ["registered", "plain"]),
    segmentBytes: text("segment") === undefined ? undefined : parseSize(text("segment")!, "--segment"),
    basePort: text("base-port") === undefined ? undefined : parsePort(text("base-port")!, "--base-port"),
    timeoutMs: text("timeout") === undefined ? undefined : parseTimeout(text("timeout")!, "--timeout"),
    ...(values["comm-thread"] === true && { commThread: true }),
  };
}

async function sweep(op: SweepOp, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: SWEEP_FLAGS, allowPositionals: false });
  if (values.help) {
    console.log(usage());
    return 0;
  }
  if (values.rate !== undefined && !values.emulate) throw badValue(`--rate ${values.rate} shapes the emulated links and needs --emulate (e.g. --emulate --rate ${values.rate})`);
  const options = { ...sweepOptionsFrom(op, values), emulate: values.emulate, ...(values.rate !== undefined && { rateMbit: parseRate(values.rate, "--rate") }) };
  checkSweep(options);
  const world = sweepTopology(options);
  const faults = jobFaults(values, world, { emulate: values.emulate, command: "longhaul bench", processFaults: false });
  const tcp = jobTcp(values, values.emulate);
  if (values.explain) (values.json ? console.error : console.log)(explainSweep(options, options.sizes!).join("\n"));
  const progress = createProgress({ total: options.sizes!.length * options.algorithms!.length });
  if (!values.json) console.log(`# ${op} topology=${world.spec} ranks=${world.size} transport=${sweepTransport(options)} buffers=${options.buffers}${options.commThread ? " comm-thread=on" : ""} iters=${options.iters} warmup=${options.warmup}\n${tableHeader()}`);
  let wrong = 0;
  const rows: ResultRow[] = [];
  for await (const row of runWanSweep({ ...options, ...(faults && { faults }), ...(tcp && { tcp }) })) {
    wrong += row.wrong;
    rows.push(row);
    progress.tick(`${row.algorithm} ${row.bytes} B: ${row.timeUs.toFixed(0)} us`);
    const cpuBound = cpuFloorAboveNetwork(row) !== undefined;
    console.log(values.json ? jsonLine(cpuBound ? { ...row, cpuBound } : row) : tableRow(row));
  }
  progress.done();
  const notes = cpuBoundNotes(rows);
  if (notes.length > 0) (values.json ? console.error : console.log)(notes.join("\n"));
  return wrong === 0 ? 0 : 1;
}

async function micro(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { sizes: { type: "string", default: "1MiB,64MiB" }, time: { type: "string", default: "500" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
  });
  if (values.help) {
    console.log(usage());
    return 0;
  }
  const rows = await runMicroBench({ sizes: parseSizes(values.sizes, "--sizes"), timeMs: parseDuration(values.time, "--time") });
  console.log(values.json ? rows.map((r) => JSON.stringify(r)).join("\n") : microTable(rows));
  return 0;
}

const SOAK_HELP = `usage: longhaul bench soak [--ops 10000] [--size 1MiB] [--ranks 4] [--transport tcp,threads] [--warmup 1000] [--json]

Runs --ops consecutive all-reduces (sum, float32) per transport and prints each rank's resident
memory after the warm-up and at the end (after a full collection; threads: the whole process),
the growth, #wrong elements and the live handles (timers, sockets, ports) then and at the end.`;

async function soak(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ops: { type: "string", default: "10000" },
      size: { type: "string", default: "1MiB" },
      ranks: { type: "string", default: "4" },
      transport: { type: "string", default: "tcp,threads" },
      warmup: { type: "string", default: "1000" },
      "base-port": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(SOAK_HELP);
    return 0;
  }
  const bytes = parseSize(values.size, "--size");
  if (bytes <= 0 || bytes % 4 !== 0) throw badValue(`--size ${values.size} is not a positive whole number of float32 elements (4 bytes each)`);
  const transports = values.transport.split(",").map((t) => oneOf<SweepTransport>("transport", t.trim(), ["threads", "unix", "ipc", "tcp"]));
  const rows = await runSoak({
    ops: parseCount(values.ops, "--ops"),
    bytes,
    ranks: parseCount(values.ranks, "--ranks"),
    warmup: parseCount(values.warmup, "--warmup", 0),
    transports,
    basePort: values["base-port"] === undefined ? undefined : parsePort(values["base-port"], "--base-port"),
  });
  console.log(values.json ? rows.map((r) => JSON.stringify(r)).join("\n") : soakTable(rows));
  return rows.every((r) => r.wrong === 0) ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "micro") return micro(rest);
  if (sub === "soak") return soak(rest);
  if (sub === "overlap") return overlapMain(rest);
  const op = sub === undefined ? undefined : SWEEP_OPS[sub];
  if (!op) {
    console.log(usage());
    return sub === "--help" || sub === "-h" ? 0 : 2;
  }
  return sweep(op, rest);
}
