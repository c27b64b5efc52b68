/**
 * Entrypoint of every compose service and Swarm stack service: one container per continent. Waits
 * until every continent's host name resolves, shapes this container's egress (tc netem, or the
 * userspace emulator where the kernel lacks sch_netem), runs this region's ranks of the all-reduce
 * sweep, and sends their results to the coordinator (rank 0's container) over the experiment
 * network. The coordinator then runs the single-site baseline and the distance sweep locally and
 * writes the report into its results folder.
 */
import { sweepConfig, workerScript } from "../bench/allreduce-sweep.js";
import { annotateRow } from "../bench/wan-sweep.js";
import { linkModelFor } from "../collectives/select.js";
import { CONFIG_ENV, RESULT_MARKER, type RankResult } from "../bench/sweep-types.js";
import { summaryText } from "../bench/report/console.js";
import { formatBytes } from "../bench/report/format.js";
import { runExperiment, experimentSteps } from "../bench/report/experiment.js";
import { localSweep } from "../bench/report/local-sweep.js";
import { runTrainingPart } from "../bench/report/training.js";
import { createProgress } from "../bench/report/progress.js";
import { assembleResults } from "../bench/report/results.js";
import { writeReport } from "../bench/report/write.js";
import { planFromFlags } from "../cli/run.js";
import { launchRanks } from "../launch/launcher.js";
import { parseTopology } from "../world/topology.js";
import { startFaults, type FaultClock } from "../netem/faults/clock.js";
import type { AppliedFault } from "../netem/faults/types.js";
import { shapeEgress } from "./backend.js";
import { readContainerEnv } from "./env.js";
import { openInbox, type PartsInbox } from "./inbox.js";
import { combineParts, PARTS_PORT_OFFSET, partsUrl, sendPart } from "./parts.js";
import { interfaceWithAddress, resolveHosts } from "./resolve.js";

/** Connect and per-op timeout of the cross-container ranks: containers start a few seconds apart. */
const RANK_TIMEOUT_MS = 120_000;
/** How long the coordinator waits for the other continents' results after its own ranks finished (and they try to send them). */
const PARTS_TIMEOUT_MS = 120_000;
/** How long a container waits for the other continents' names to resolve (Swarm starts tasks minutes apart on a cold node). */
const RESOLVE_TIMEOUT_MS = 300_000;

async function main(): Promise<number> {
  const env = readContainerEnv();
  const topology = parseTopology(env.topology);
  const region = topology.regions.find((r) => r.name === env.region);
  if (!region) throw new Error(`LONGHAUL_REGION=${env.region} is not a region of "${topology.spec}"`);
  // The local sweeps of the coordinator must not inherit the cross-container address plan.
  delete process.env.LONGHAUL_HOSTS;
  delete process.env.LONGHAUL_TOPOLOGY;
  const parsed = planFromFlags(["--topology", topology.spec, "--out", env.resultsDir, ...env.runArgs]);
  if (parsed === "help") return 0;
  const { plan, basePort } = parsed;
  const tag = `longhaul[${region.name}]`;
  const startedAt = new Date();
  const coordinator = topology.regions[0].name;
  const partsPort = basePort + PARTS_PORT_OFFSET;
  // Listening before the ranks start, so a continent that finishes first finds it.
  const inbox: PartsInbox | undefined = region.index === 0 ? await openInbox(partsPort, topology.regions.map((r) => r.name)) : undefined;
  const hosts = await resolveHosts(env.hosts, {
    timeoutMs: RESOLVE_TIMEOUT_MS,
    onWait: (pending) => console.error(`${tag}: waiting for ${pending.join(", ")} to resolve`),
  });
  const dev = env.dev ?? interfaceWithAddress(hosts[region.name]) ?? "eth0";
  const where = Object.entries(hosts).map(([name, ip]) => (ip === env.hosts[name] ? `${name}=${ip}` : `${name}=${ip} (${env.hosts[name]})`));
  console.error(`${tag}: continents at ${where.join(", ")}; this one on ${dev}`);

  const shaped = await shapeEgress({ topology, region: region.name, hosts, dev, basePort, rateMbit: plan.rateMbit, backend: env.backend });
  console.error(shaped.line);
  const config = sweepConfig({ sizes: [...plan.sizes], algorithms: [...plan.algorithms], iters: plan.iters, warmup: 1 });
  const results: RankResult[] = [];
  const rankEnv: NodeJS.ProcessEnv = {
    LONGHAUL_HOSTS: Object.entries(hosts).map(([name, host]) => `${name}=${host}`).join(","),
    // The ranks' cost model ("auto") needs the WAN rate; LONGHAUL_HOSTS tells it the links are WAN.
    ...(plan.rateMbit !== undefined && { LONGHAUL_LINK_RATE_MBIT: String(plan.rateMbit) }),
  };
  // Every container plays the whole schedule on its own clock, from its ranks' start, and lays the
  // faults of the links leaving its region (its egress is what it shapes).
  let clock: FaultClock | undefined;
  let faults: AppliedFault[] | undefined;
  try {
    console.error(`${tag}: ranks ${region.ranks.join(", ")} of ${topology.size}: all-reduce ${plan.algorithms.join(", ")} over ${plan.sizes.length} sizes`);
    if (plan.faults) clock = startFaults(plan.faults, { emulator: shaped.faults, topology, log: (line) => console.error(`${tag}: faults: ${line}`) });
    const { code } = await launchRanks({
      topology,
      ranks: region.ranks,
      command: process.execPath,
      args: ["--expose-gc", workerScript("allreduce-worker.js")],
      env: { ...rankEnv, [CONFIG_ENV]: JSON.stringify(config), LONGHAUL_TIMEOUT_MS: String(RANK_TIMEOUT_MS) },
      emulate: shaped.backend === "userspace",
      ipc: true,
      basePort,
      prefixOutput: false,
      onLine: (rank, stream, line) => {
        if (stream === "stdout" && line.startsWith(RESULT_MARKER)) {
          const result = JSON.parse(line.slice(RESULT_MARKER.length)) as RankResult;
          results.push(result);
          if (rank === region.ranks[0]) console.error(`${tag}: ${result.algorithm} ${formatBytes(result.bytes)} done`);
        } else console.error(`[rank ${rank} ${region.name}] ${line}`);
      },
    });
    if (code !== 0) throw new Error(`${tag}: ranks failed (exit ${code}); see the lines above`);
  } finally {
    faults = clock?.stop();
    await shaped.close();
  }
  if (!inbox) {
    await sendPart(partsUrl(hosts[coordinator], partsPort, region.name), results, PARTS_TIMEOUT_MS);
    console.error(`${tag}: done; results handed to ${coordinator}, which writes the report`);
    return 0;
  }
  inbox.add(region.name, results);
  const parts = await inbox.wait(PARTS_TIMEOUT_MS).finally(() => inbox.close());
  // The same model the ranks' "auto" used (WAN links from LONGHAUL_HOSTS, the declared rate, and
  // with the userspace backend the emulator launchRanks told them of) gives each row its figures.
  const links = linkModelFor(topology, { ...rankEnv, LONGHAUL_EMULATE: shaped.backend === "userspace" ? "1" : "0" });
  const wan = combineParts(parts, topology.size, { dtype: config.dtype, transport: "ipc", topology: topology.spec, buffers: config.buffers ?? "registered" })
    .map((row) => annotateRow(row, links));
  // Baseline and distance sweeps run inside this container, on ports clear of the WAN ranks'.
  const progress = createProgress({ total: experimentSteps(plan) - wan.length });
  // The WAN sweep ran across the containers above: the schedule is not played again on the local sweeps.
  const rows = { ...(await runExperiment({ ...plan, faults: undefined }, localSweep({ basePort: basePort + 2000 }), progress, wan)), ...(faults && { faults }) };
  const training = plan.training
    ? await runTrainingPart(plan.training, { topology: plan.topology, basePort: basePort + 3000, rateMbit: plan.rateMbit, progress })
    : [];
  progress.done();
  const report = assembleResults(plan, rows, {
    startedAt,
    backend: shaped.backend,
    note: `one Docker container per continent; baseline, distance sweep${training.length ? " and training (userspace emulator)" : ""} inside the ${region.name} container`,
    training,
  });
  const written = await writeReport(env.resultsDir, report);
  console.log(summaryText(report.wan, report.baseline, training));
  console.log(`\n${tag}: report written to the results mount (./results with compose, LONGHAUL_RESULTS_DIR with the stack): ${written.files.join(", ")}`);
  return report.wan.some((r) => r.wrong > 0) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`longhaul: ${error instanceof Error ? error.message : String(error)}`);
    // Exit now: a failure before the parts arrived leaves the coordinator's inbox listening, and a
    // container that never exits holds its stack or compose run forever. (stderr is synchronous on Linux.)
    process.exit(1);
  },
);
