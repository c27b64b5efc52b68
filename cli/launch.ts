import { parseArgs } from "node:util";
import { DEFAULT_BASE_PORT, type AddressPlan } from "../transports/addresses.js";
import { CommError } from "../transports/errors.js";
import { launchRanks } from "../transports/launcher.js";
import { parseTopology, type Topology } from "../transports/topology.js";

const HELP = `usage: longhaul launch -n N [--topology SPEC] [--base-port P] [--emulate [--rate RATE]] [--ipc] [--streams K] -- CMD ARGS...

Starts the ranks of CMD as local processes with RANK, WORLD_SIZE, LOCAL_RANK and LONGHAUL_*
set (like torchrun), prefixes their output with the rank, stops all ranks when one fails, and
exits with the first failure's exit code.

options:
  -n, --nproc N        number of ranks (may be left out when --topology gives it; must agree)
  --topology SPEC      regions and ranks per region: "new-york:2,london:2", "continents", or "4"
  --base-port P        rank r listens on P + r (default ${DEFAULT_BASE_PORT})
  --emulate            route links between regions through the userspace WAN emulator
  --rate RATE          with --emulate: rate of every region pair, e.g. 1gbit (a bare number is
                       Mbit/s; default: unshaped); the ranks are told it (LONGHAUL_LINK_RATE_MBIT)
                       for "auto" and their stream counts
  --ipc                co-located ranks talk over ZeroMQ ipc:// instead of TCP loopback
  --streams K          connections per peer link; large messages are striped over them (default:
                       from each WAN pair's bandwidth-delay product when the rate is known, else 1)
  --curve              encrypt and authenticate every link with CURVE; keys are made for this job
                       (or read from LONGHAUL_CURVE_KEYS, a file from "longhaul keygen")
  --job-id ID          the job's id (default: LONGHAUL_JOB_ID, else a fresh one); frames of other
                       jobs on the same ports are dropped
  --timeout SECONDS    stop every rank after this long (exit 124)
  --no-prefix          do not prefix output lines with [rank R]
  -h, --help           show this help`;

export async function main(argv: string[]): Promise<number> {
  try {
    return await launch(argv);
  } catch (error) {
    if (!(error instanceof CommError) || error.code !== "INVALID_ARGUMENT") throw error;
    console.error(`longhaul launch: ${error.message}`);
    return 2;
  }
}

async function launch(argv: string[]): Promise<number> {
  const split = argv.indexOf("--");
  const { values } = parseArgs({
    args: split < 0 ? argv : argv.slice(0, split),
    options: {
      nproc: { type: "string", short: "n" },
      topology: { type: "string" },
      "base-port": { type: "string" },
      emulate: { type: "boolean", default: false },
      rate: { type: "string" },
      ipc: { type: "boolean", default: false },
      streams: { type: "string" },
      curve: { type: "boolean", default: false },
      "job-id": { type: "string" },
      timeout: { type: "string" },
      "no-prefix": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [command, ...args] = split < 0 ? [] : argv.slice(split + 1);
  if (command === undefined) throw usageError('no command given; put it after "--", e.g. longhaul launch -n 4 -- node train.js');
  const topology = resolveTopology(values.nproc, values.topology);
  const basePort = values["base-port"] === undefined ? DEFAULT_BASE_PORT : positiveInt(values["base-port"], "--base-port");
  const plan: AddressPlan = { basePort, emulate: values.emulate };

  // --- emulator: the one place it is started before the ranks and closed after them ---
  const rateMbit = values.emulate ? await parseRateFlag(values.rate) : undefined;
  const emulator = values.emulate ? await startEmulatorFor(topology, plan, rateMbit) : undefined;
  try {
    const { code } = await launchRanks({
      topology,
      command,
      args,
      basePort,
      emulate: values.emulate,
      rateMbit,
      ipc: values.ipc,
      curve: values.curve,
      jobId: values["job-id"],
      env: values.streams === undefined ? undefined : { LONGHAUL_STREAMS: String(positiveInt(values.streams, "--streams")) },
      prefixOutput: !values["no-prefix"],
      timeoutMs: values.timeout === undefined ? undefined : positiveInt(values.timeout, "--timeout") * 1000,
    });
    return code;
  } finally {
    await emulator?.close();
  }
}

async function parseRateFlag(rate: string | undefined): Promise<number | undefined> {
  const { parseRate } = await import("../netem/units.js");
  try {
    return rate === undefined ? undefined : parseRate(rate, "--rate");
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

async function startEmulatorFor(topology: Topology, plan: AddressPlan, rateMbit: number | undefined): Promise<{ close(): Promise<void> }> {
  const { startEmulator } = await import("../netem/emulator/emulator.js");
  return startEmulator({ topology, plan, rateMbit });
}

function resolveTopology(nproc: string | undefined, spec: string | undefined): Topology {
  if (spec === undefined && nproc === undefined) throw usageError("give the number of ranks with -n N or a --topology");
  const topology = parseTopology(spec ?? String(positiveInt(nproc!, "-n")));
  if (nproc !== undefined && positiveInt(nproc, "-n") !== topology.size) {
    throw usageError(`-n ${nproc} disagrees with --topology "${spec}" of ${topology.size} ranks; drop -n or make them agree`);
  }
  return topology;
}

function positiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw usageError(`${flag} needs a positive integer, got "${text}"`);
  return value;
}

function usageError(message: string): CommError {
  return new CommError(`${message}\n\n${HELP}`, { code: "INVALID_ARGUMENT", op: "launch" });
}
