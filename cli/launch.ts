import { parseArgs } from "node:util";
import { badValue } from "../netem/errors.js";
import { parseCount, parseDuration, parsePort, parseRate, parseTimeout } from "../world/units.js";
import { DEFAULT_BASE_PORT, type AddressPlan } from "../world/addresses.js";
import { ENV, flagVar, readLinkRate } from "../world/env.js";
import { checkLaunchLimits } from "../launch/host-limits.js";
import { launchRanks } from "../launch/launcher.js";
import { parseTopology, type Topology } from "../world/topology.js";
import type { Emulator } from "../netem/emulator/emulator.js";
import type { TcpOptions } from "../netem/emulator/tcp-options.js";
import { startFaults, type FaultClock } from "../netem/faults/clock.js";
import { appliedFaultLine } from "../netem/faults/timeline.js";
import { tcpEnv } from "../netem/tcp-env.js";
import { JOB_FLAGS, jobFlagsHelp, jobFaults, jobTcp } from "./job-flags.js";
import { NODE_FLAGS, nodeLaunchFrom } from "./launch-node-flags.js";
import type { Lighthouse } from "../launch/elastic/lighthouse.js";
import { DEAD_AFTER_ENV, LIGHTHOUSE_ENV } from "../launch/elastic/messages.js";

const HELP = `usage: longhaul launch -n N [--topology SPEC] [--base-port P] [--emulate [--rate RATE]] [--ipc] [--threads] [--streams K] -- CMD ARGS...
       longhaul launch --nnodes N --nproc-per-node K --master-addr HOST [--master-port P] [--node-rank R]
                       [--rdzv-id JOB] [--region NAME] [--advertise-addr ADDR] [--join-timeout 5m] … -- CMD ARGS...

Starts the ranks of CMD as local processes with RANK, WORLD_SIZE, LOCAL_RANK and LONGHAUL_*
set (like torchrun), prefixes their output with the rank, stops all ranks when one fails, and
exits with the first failure's exit code. SIGINT, SIGTERM and SIGHUP are passed on to the ranks,
and the ranks are stopped when this command's parent goes away (npx does not pass signals on)
unless --outlive-parent is given.
A world larger than this host can start (memory, processes, open files, ports) is refused first.

options:
  -n, --nproc N        number of ranks (may be left out when --topology gives it; must agree)
  --topology SPEC      regions and ranks per region: "new-york:2,london:2", "continents", or "4"
  --base-port P        rank r listens on P + r (default: $${ENV.basePort}, else ${DEFAULT_BASE_PORT})
  --emulate            route links between regions through the userspace WAN emulator
  --rate RATE          with --emulate: rate of every region pair, e.g. 1gbit (a bare number is
                       Mbit/s; default: unshaped); the ranks are told it (${ENV.linkRateMbit})
                       for "auto" and their stream counts. Without --emulate it is refused: to tell
                       ranks on a real WAN its rate, set ${ENV.linkRateMbit}=1gbit in their environment
  --ipc                co-located ranks talk over ZeroMQ ipc:// instead of TCP loopback
  --threads            run this host's ranks as worker threads of this process (NCCL's shape: shared
                       memory inside a node, ZeroMQ only to other nodes); CMD must be
                       "node [node-flags] script.mjs [args]" or a .js/.mjs script, each worker gets
                       its own environment, and process.exit(code) in a rank ends that rank only
  --streams K          connections per peer link; large messages are striped over them (default:
                       from each WAN pair's bandwidth-delay product when the rate is known, else 1)
  --curve              encrypt and authenticate every link with CURVE; keys are made for this job
                       (or read from LONGHAUL_CURVE_KEYS, a file from "longhaul keygen")
  --job-id ID          the job's id (default: LONGHAUL_JOB_ID, else a fresh one); frames of other
                       jobs on the same ports are dropped
  --timeout DURATION   stop every rank after this long (exit 124): 30s, 500ms, 2m; a bare number is
                       seconds, as in every longhaul command
${jobFlagsHelp(23)}
                       kill sends SIGKILL to the rank's process group at its time (not a failure
                       of the launch; its peers see a lost peer), restart starts it again with the
                       same environment; link faults need --emulate. The applied faults are
                       listed on stderr at the end. The TCP flags need --emulate (a node-level
                       launch reads LONGHAUL_CC etc. too, and every node must agree)
  --elastic            fault-tolerant membership: a lighthouse in this process forms a quorum of the
                       live ranks at each step boundary (LONGHAUL_LIGHTHOUSE; ranks use initElastic
                       or ElasticDiLoCo); a rank that fails or goes silent 5 s is left out, the
                       others go on, and the launch ends 0 when any rank finished 0
  --min-nodes M        with --elastic: the fewest ranks a quorum may have (default 1; a quorum also
                       needs a majority of the last one's members, so a partitioned minority stops)
  --max-restarts N     with --elastic: start a failed rank again up to N times (default 0)
  --no-prefix          do not prefix output lines with [rank R]
  --outlive-parent     keep the ranks running when this command's parent exits (for nohup or a
                       background job whose shell ends; default: stop them, as on SIGTERM)
  -h, --help           show this help

node-level launch (one command per host, torchrun's contract; each flag also read from torchrun's
variables PET_NNODES, PET_NPROC_PER_NODE, PET_NODE_RANK, MASTER_ADDR, MASTER_PORT, PET_RDZV_ID, and
LONGHAUL_REGION, LONGHAUL_ADVERTISE_ADDR):
  --nnodes N           hosts in the job; node rank 0 (or, without --node-rank, the first node on
                       the master's host) runs the rendezvous, which checks that every node agrees
                       (version, base port, emulation, rate, streams), assigns ranks (a region's nodes
                       get consecutive ones) and tells every node where every rank listens
  --nproc-per-node K   ranks on this host (default 1); ranks get RANK, LOCAL_RANK, WORLD_SIZE,
                       LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR, MASTER_PORT
  --node-rank R        this host's place (default: assigned in order of arrival)
  --master-addr HOST   where the rendezvous runs;  --master-port P (default 29400)
  --rdzv-id JOB        names the job (default "longhaul"); nodes of another id are refused
  --region NAME        the region (data center) of this host; several hosts may share one
  --advertise-addr A   the address peers dial for this host's ranks, which bind it (default: the
                       address this host uses to reach the master)
  --join-timeout D     how long nodes wait for each other (default 5m); a node that never comes
                       fails every waiting node with an error naming how many are missing
  A failed rank, or a node that goes silent for 5 s, stops the ranks of every node.`;

export async function main(argv: string[]): Promise<number> {
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
      "outlive-parent": { type: "boolean", default: false },
      threads: { type: "boolean", default: false },
      elastic: { type: "boolean", default: false },
      "min-nodes": { type: "string" },
      "max-restarts": { type: "string" },
      ...JOB_FLAGS,
      ...NODE_FLAGS,
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [command, ...args] = split < 0 ? [] : argv.slice(split + 1);
  if (command === undefined) throw badValue('no command given; put it after "--", e.g. longhaul launch -n 4 -- node train.js');
  if (values.rate !== undefined && !values.emulate) {
    throw badValue(`--rate ${values.rate} shapes the emulated links and needs --emulate; to tell ranks on a real WAN its rate, set ${ENV.linkRateMbit}=${values.rate} in their environment instead`);
  }
  const basePortText0 = values["base-port"] ?? process.env[ENV.basePort];
  const nodeLevel = nodeLaunchFrom(values, process.env);
  if (nodeLevel) {
    if (values.nproc !== undefined || values.topology !== undefined) throw badValue("--nnodes plans the world at the rendezvous: use --nproc-per-node (and --region) instead of -n/--topology");
    if (values.ipc) throw badValue("--ipc is for one host; a node-level launch dials the other hosts over TCP");
    if (values.faults !== undefined || process.env.LONGHAUL_FAULTS?.trim()) throw badValue("a node-level launch (--nnodes) does not play fault schedules yet; play one on a one-host launch (-n/--topology with --emulate --faults FILE), or unset LONGHAUL_FAULTS");
    const emulate = values.emulate || flagVar(process.env, ENV.emulate);
    const { launchNode } = await import("../launch/node-launch.js");
    return launchNode({
      ...nodeLevel,
      command,
      args,
      basePort: basePortText0 === undefined || basePortText0.trim() === "" ? DEFAULT_BASE_PORT : parsePort(basePortText0, values["base-port"] === undefined ? ENV.basePort : "--base-port"),
      // A pod spec sets these as variables (docker/k8s): the same meaning as --emulate and --rate.
      emulate,
      tcp: jobTcp(values, emulate),
      rateMbit: values.rate !== undefined ? parseRate(values.rate, "--rate") : readLinkRate(process.env),
      streams: values.streams === undefined ? undefined : parseCount(values.streams, "--streams"),
      curve: values.curve,
      threads: values.threads,
      prefixOutput: !values["no-prefix"],
      stopWithParent: !values["outlive-parent"],
      timeoutMs: values.timeout === undefined ? undefined : parseTimeout(values.timeout, "--timeout"),
    });
  }
  if (values.threads && (values.emulate || values.ipc)) {
    throw badValue(`--threads puts every rank of this host in one process, so no link would go through ${values.emulate ? "the emulator (--emulate)" : "ipc:// (--ipc)"}; drop one of them (a node-level launch, --nnodes, may emulate its links between nodes with --threads)`);
  }
  if (!values.elastic && (values["min-nodes"] !== undefined || values["max-restarts"] !== undefined)) throw badValue(`--${values["min-nodes"] !== undefined ? "min-nodes" : "max-restarts"} is for an elastic launch; add --elastic`);
  if (values.elastic && values.threads) throw badValue("--elastic needs ranks that are processes (a failed one is left out or restarted); drop --threads");
  const topology = resolveTopology(values.nproc, values.topology);
  const basePortText = values["base-port"] ?? process.env[ENV.basePort];
  const basePort = basePortText === undefined || basePortText.trim() === "" ? DEFAULT_BASE_PORT : parsePort(basePortText, values["base-port"] === undefined ? ENV.basePort : "--base-port");
  const plan: AddressPlan = { basePort, emulate: values.emulate };
  const rateMbit = values.rate === undefined ? undefined : parseRate(values.rate, "--rate");
  const streams = values.streams === undefined ? undefined : parseCount(values.streams, "--streams");
  const timeoutMs = values.timeout === undefined ? undefined : parseTimeout(values.timeout, "--timeout");
  const faults = jobFaults(values, topology, { emulate: values.emulate, command: "longhaul launch --threads", processFaults: !values.threads, why: "its ranks are worker threads of this process, not process groups; drop --threads" });
  const tcp = jobTcp(values, values.emulate);

  // Before the emulator binds its ports: a world this host cannot start is refused with nothing started.
  checkLaunchLimits(topology.size, { size: topology.size, regions: topology.regions.length, basePort, emulate: values.emulate });
  // --- emulator: the one place it is started before the ranks and closed after them ---
  const emulator = values.emulate ? await startEmulatorFor(topology, plan, rateMbit, tcp) : undefined;
  let clock: FaultClock | undefined;
  const log = (line: string): void => void process.stderr.write(`longhaul launch: ${line}\n`);
  let lighthouse: Lighthouse | undefined;
  try {
    if (values.elastic) lighthouse = await startLighthouseFor(topology, plan, emulator, values["min-nodes"], log);
    const { code } = await launchRanks({
      topology,
      command,
      args,
      basePort,
      emulate: values.emulate,
      rateMbit,
      ipc: values.ipc,
      curve: values.curve,
      threads: values.threads,
      jobId: values["job-id"],
      // The ranks' cost model (auto) sees the connections the emulator makes.
      env: { ...(streams !== undefined && { [ENV.streams]: String(streams) }), ...tcpEnv(tcp), ...(lighthouse && { [LIGHTHOUSE_ENV]: lighthouse.address }) },
      ...(values.elastic && { elastic: { maxRestarts: values["max-restarts"] === undefined ? 0 : parseCount(values["max-restarts"], "--max-restarts", 0), log, onExit: (rank: number) => lighthouse?.gone(rank) } }),
      prefixOutput: !values["no-prefix"],
      stopWithParent: !values["outlive-parent"],
      timeoutMs,
      // The job starts when its ranks have: the schedule's times count from here.
      ...(faults && { onStarted: (processes) => (clock = startFaults(faults, { emulator, topology, processes, log })) }),
    });
    return code;
  } finally {
    const applied = clock?.stop();
    if (applied) log(`${applied.length} fault(s) applied${applied.map((f) => `\n  ${appliedFaultLine(f)}`).join("")}`);
    lighthouse?.close();
    await emulator?.close();
  }
}

async function startEmulatorFor(topology: Topology, plan: AddressPlan, rateMbit: number | undefined, tcp: TcpOptions | undefined): Promise<Emulator> {
  const { startWorldEmulator } = await import("../launch/world-emulator.js");
  return startWorldEmulator({ topology, plan, rateMbit, ...(tcp && { tcp }) });
}

async function startLighthouseFor(topology: Topology, plan: AddressPlan, emulator: Emulator | undefined, minNodes: string | undefined, log: (line: string) => void): Promise<Lighthouse> {
  const { startJobLighthouse } = await import("../launch/elastic/job-lighthouse.js");
  const minMembers = minNodes === undefined ? undefined : parseCount(minNodes, "--min-nodes");
  if (minMembers !== undefined && minMembers > topology.size) throw badValue(`--min-nodes ${minMembers} is more than the ${topology.size} ranks of the world`);
  const deadAfter = process.env[DEAD_AFTER_ENV];
  return startJobLighthouse({ topology, plan, emulator, minMembers, deadAfterMs: deadAfter ? parseDuration(deadAfter, DEAD_AFTER_ENV) : undefined, log });
}

function resolveTopology(nproc: string | undefined, spec: string | undefined): Topology {
  if (spec === undefined && nproc === undefined) throw badValue("give the number of ranks with -n N or a --topology");
  const topology = parseTopology(spec ?? String(parseCount(nproc!, "-n")));
  if (nproc !== undefined && parseCount(nproc, "-n") !== topology.size) {
    throw badValue(`-n ${nproc} disagrees with --topology "${spec}" of ${topology.size} ranks; drop -n or make them agree`);
  }
  return topology;
}
