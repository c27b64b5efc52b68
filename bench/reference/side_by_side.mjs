// One run, side by side on this host: longhaul's all-reduce between processes (Unix sockets, what
// launch uses on one host; ZeroMQ tcp and ipc), between worker threads, and in launched trainers,
// next to Gloo (torch.distributed), Open MPI (tcp and shared memory) and the bare floors of Node's
// worker threads, of Node's Unix sockets and of zeromq.js. 4 ranks, fp32 sum, 4 KiB and 64 MiB, each
// figure a median over about --min-time of iterations after as long a warm-up.
//   node bench/reference/side_by_side.mjs [--rounds 1]     (after npm run build)
// Gloo needs python3 with torch, MPI needs mpirun and mpi4py (Debian: apt-get install -y
// python3-torch openmpi-bin python3-mpi4py); a missing one is reported and skipped.
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const cli = join(root, "dist", "cli", "main.js");
const { values } = parseArgs({ options: { rounds: { type: "string", default: "1" }, python: { type: "string", default: "/usr/bin/python3" } } });
const SIZES = [4096, 64 << 20];
const mpiRun = (btl) => ["mpirun", ["--allow-run-as-root", "--oversubscribe", "-n", "4", "--mca", "btl", btl, values.python, join(here, "allreduce_reference.py"), "mpi", "--sizes", SIZES.join(",")]];
const longhaul = (transport) => [process.execPath, [cli, "bench", "allreduce", "--ranks", "4", "--transport", transport, "--algorithm", "auto", "--sizes", "4KiB,64MiB", "--base-port", "28300", "--json"]];
const launched = (threads) => [process.execPath, [cli, "launch", "-n", "4", ...(threads ? ["--threads"] : []), "--base-port", "28320", "--", process.execPath, join(root, "dist", "examples", "allreduce-perf.js"), "--sizes", "4KiB,64MiB", "--json"]];

const ROWS = [
  { name: "longhaul, processes, Unix sockets", run: longhaul("unix") },
  { name: "longhaul, processes, ZeroMQ tcp", run: longhaul("tcp") },
  { name: "longhaul, processes, ZeroMQ ipc", run: longhaul("ipc") },
  { name: "longhaul, launch -n 4 (processes, Unix sockets)", run: launched(false), needs: "dist/examples/allreduce-perf.js" },
  { name: "longhaul, launch -n 4 --threads", run: launched(true), needs: "dist/examples/allreduce-perf.js" },
  { name: "longhaul, worker threads (bench)", run: longhaul("threads") },
  { name: "Gloo, processes, tcp", run: [values.python, [join(here, "allreduce_reference.py"), "gloo", "--ranks", "4", "--sizes", SIZES.join(",")]], needs: "torch" },
  { name: "Open MPI, processes, tcp", run: mpiRun("self,tcp"), needs: "mpi" },
  { name: "Open MPI, processes, shared memory", run: mpiRun("self,vader"), needs: "mpi" },
];

function available(need) {
  if (!need) return true;
  if (need === "torch") return spawnSync(values.python, ["-c", "import torch"]).status === 0;
  if (need === "mpi") return spawnSync("mpirun", ["--version"]).status === 0 && spawnSync(values.python, ["-c", "import mpi4py"]).status === 0;
  return spawnSync("test", ["-e", join(root, need)]).status === 0;
}

/** Figures per size from the JSON lines a command printed: longhaul's rows or the reference script's. */
function figures(stdout) {
  const out = new Map();
  for (const raw of stdout.split("\n")) {
    const line = raw.replace(/^\[rank \d+\] /, ""); // launch's output prefix
    if (!line.startsWith("{")) continue;
    const row = JSON.parse(line);
    const bytes = row.bytes;
    const us = row.timeUs ?? row.medianUs;
    const busbw = row.busbwGBps ?? row.busbwGBs;
    if (bytes !== undefined && us !== undefined) out.set(bytes, { us, busbw, wrong: row.wrong, iters: row.iters });
  }
  return out;
}

const node = (script, ...args) => JSON.parse(execFileSync(process.execPath, [join(here, script), ...args], { encoding: "utf8" }));
const table = [];
for (let round = 0; round < Number(values.rounds); round++) {
  for (const row of ROWS) {
    if (!available(row.needs)) {
      table.push(`| ${row.name} | skipped: ${row.needs} not available | | |`);
      continue;
    }
    const [command, args] = row.run;
    process.stderr.write(`side-by-side: ${row.name}\n`);
    const result = spawnSync(command, args, { encoding: "utf8", timeout: 600_000, cwd: root });
    const got = figures(result.stdout ?? "");
    const small = got.get(SIZES[0]);
    const large = got.get(SIZES[1]);
    if (result.status !== 0 || !small || !large) {
      table.push(`| ${row.name} | failed (exit ${result.status}): ${(result.stderr ?? "").trim().split("\n").pop()} | | |`);
      continue;
    }
    table.push(`| ${row.name} | ${large.busbw.toFixed(2)} GB/s | ${Math.round(small.us)} µs | ${small.wrong + large.wrong} |`);
  }
  const thread = node("thread_floor.mjs");
  table.push(`| bare Node worker threads (floor): 4 threads, barrier then one-shot over a SharedArrayBuffer (Atomics.wait/notify) | | ${thread.medianUs} µs | |`);
  const unix = node("unix_floor.mjs");
  const unixExchange = node("unix_exchange_floor.mjs");
  table.push(`| bare Node Unix sockets (floor): 2 processes streaming / ping-pong; 4 processes one-hop exchange | stream ${unix.streamGBs.toFixed(2)} GB/s | one-way ${unix.pingPongOneWayUs} µs; exchange ${unixExchange.medianUs} µs | |`);
  for (const kind of ["tcp", "ipc"]) {
    const f = node("zmq_floor.mjs", kind);
    const exchange = node("zmq_exchange_floor.mjs", kind);
    table.push(`| bare zeromq.js, ${kind} (floor): 2 processes streaming / ping-pong; 4 processes one-hop exchange | stream ${f.streamGBs.toFixed(2)} GB/s | one-way ${f.pingPongOneWayUs} µs; exchange ${exchange.medianUs} µs | |`);
  }
}
console.log("| 4 ranks, fp32 sum | 64 MiB busbw | 4 KiB time | #wrong |\n|---|---|---|---|\n" + table.join("\n"));
