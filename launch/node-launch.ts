/**
 * One node of a node-level launch (torchrun's contract): find or become the rendezvous master, join,
 * start this node's ranks with the world the master planned (and, with emulation, the emulator for
 * this node's egress), report how they ended, and stop them if another node fails or vanishes. The
 * master's node waits until every node has reported before it exits, like torchrun's agent.
 */
import { createSocket } from "node:dgram";
import { lookup } from "node:dns/promises";
import { availableParallelism } from "node:os";
import { startWorldEmulator } from "./world-emulator.js";
import type { TcpOptions } from "../netem/emulator/tcp-options.js";
import { type AddressPlan } from "../world/addresses.js";
import { ENV } from "../world/env.js";
import { CommError } from "../world/comm-error.js";
import { launchRanks, type LaunchOptions } from "./launcher.js";
import { formatRankHosts, RANK_HOSTS_ENV } from "../world/rank-hosts.js";
import { masterBindError, RendezvousMaster } from "./rendezvous/master.js";
import { joinRendezvous, type NodeSession } from "./rendezvous/node.js";
import { parseTopology } from "../world/topology.js";
import { packageVersion } from "../world/package-info.js";
import { WIRE_ENV } from "../transports/wire-env.js";

export interface NodeLaunchOptions extends Pick<LaunchOptions, "command" | "args" | "prefixOutput" | "stopWithParent" | "timeoutMs" | "curve" | "threads"> {
  nnodes: number;
  nprocPerNode: number;
  nodeRank?: number;
  masterAddr: string;
  masterPort: number;
  rdzvId: string;
  region?: string;
  /** The address other nodes dial for this node's ranks (default: the one this host uses to reach the master). */
  advertiseAddr?: string;
  basePort: number;
  emulate: boolean;
  rateMbit?: number;
  /** The emulated connections' TCP (cc, idle restart, receive buffer); every node must agree. */
  tcp?: TcpOptions;
  streams?: number;
  joinTimeoutMs: number;
  log?: (line: string) => void;
}

export async function launchNode(options: NodeLaunchOptions): Promise<number> {
  const log = options.log ?? ((line: string) => process.stderr.write(`longhaul launch: ${line}\n`));
  if (options.curve && !process.env[WIRE_ENV.curveKeys]) {
    throw new CommError(`--curve across hosts needs the same keys on every node: make them once with "longhaul keygen --out keys.json", copy the file to each host and set ${WIRE_ENV.curveKeys}=keys.json`, { code: "INVALID_ARGUMENT", op: "rendezvous" });
  }
  const masterIp = await resolveMaster(options.masterAddr, options.joinTimeoutMs);
  const advertiseAddr = options.advertiseAddr ?? (await localAddressToward(masterIp, options.masterPort));
  const master = await maybeMaster(options, masterIp, log);
  try {
    const session = await joinRendezvous({
      masterAddr: masterIp,
      port: options.masterPort,
      joinTimeoutMs: options.joinTimeoutMs,
      join: {
        nodeRank: options.nodeRank,
        region: options.region,
        advertiseAddr,
        nprocPerNode: options.nprocPerNode,
        cores: availableParallelism(),
        agreement: {
          version: packageVersion(),
          rdzvId: options.rdzvId,
          basePort: String(options.basePort),
          emulate: options.emulate ? "on" : "off",
          rate: String(options.rateMbit ?? "unshaped"),
          streams: String(options.streams ?? "per link"),
          curve: options.curve ? "on" : "off",
          threads: options.threads ? "on" : "off",
          tcp: options.tcp ? JSON.stringify(options.tcp) : "default",
        },
      },
    });
    try {
      return await runNode(options, session, master, log);
    } catch (error) {
      // Whatever stopped this node after it joined, the master hears of it and stops the others.
      await session.finish(1, (error as Error).message);
      throw error;
    }
  } finally {
    master?.close();
  }
}

async function runNode(options: NodeLaunchOptions, session: NodeSession, master: RendezvousMaster | undefined, log: (line: string) => void): Promise<number> {
  const { plan, you } = session;
  const topology = parseTopology(plan.topology);
  log(`node ${you.groupRank} of ${plan.nodes.length} (${you.region}, ${you.host}): ranks ${you.ranks[0]}-${you.ranks[you.ranks.length - 1]} of ${plan.worldSize}, topology ${plan.topology}`);
  const addressPlan: AddressPlan = { basePort: options.basePort, emulate: options.emulate, rankHosts: plan.rankHosts };
  const region = topology.regionOf(you.ranks[0]).index;
  const emulator = options.emulate ? await startWorldEmulator({ topology, plan: addressPlan, rateMbit: options.rateMbit, sourceRegions: [region], ...(options.tcp && { tcp: options.tcp }) }) : undefined;
  const stop = new AbortController();
  session.onAbort((reason) => {
    log(`stopping this node's ranks: ${reason}`);
    stop.abort();
  });
  let result;
  try {
    result = await launchRanks({
      ...options,
      topology,
      ranks: you.ranks,
      node: { groupRank: you.groupRank },
      emulate: options.emulate,
      rateMbit: options.rateMbit,
      jobId: session.jobId,
      stop: stop.signal,
      env: {
        [RANK_HOSTS_ENV]: formatRankHosts(plan.rankHosts),
        MASTER_ADDR: options.masterAddr,
        MASTER_PORT: String(options.masterPort),
        ...(options.streams !== undefined && { [ENV.streams]: String(options.streams) }),
      },
    });
  } finally {
    await emulator?.close();
  }
  await session.finish(result.code, result.failedRank === undefined ? undefined : `rank ${result.failedRank} exited ${result.code}`);
  const jobCode = master ? await master.done : 0;
  return result.code !== 0 ? result.code : jobCode;
}

/** Node rank 0, or (node ranks left out) the first node on the master's host to bind its port, runs the master. */
async function maybeMaster(options: NodeLaunchOptions, masterIp: string, log: (line: string) => void): Promise<RendezvousMaster | undefined> {
  if (options.nodeRank !== undefined && options.nodeRank !== 0) return undefined;
  const start = { bindAddr: masterIp, port: options.masterPort, nnodes: options.nnodes, joinTimeoutMs: options.joinTimeoutMs, rdzvId: options.rdzvId, log: (line: string) => log(`rendezvous: ${line}`) };
  try {
    return await RendezvousMaster.start(start);
  } catch (error) {
    if (options.nodeRank === 0) throw masterBindError(masterIp, options.masterPort, error);
    return undefined; // another node is the master (or the master address is not this host's)
  }
}

/** The local address this host would use to reach the master (no packet is sent). */
async function localAddressToward(ip: string, port: number): Promise<string> {
  const socket = createSocket("udp4");
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.connect(port, ip, () => resolve());
    });
    return socket.address().address;
  } catch (error) {
    throw new CommError(`cannot find this host's address toward the master ${ip} (${(error as Error).message}); give --advertise-addr`, { code: "INVALID_ARGUMENT", op: "rendezvous", cause: error });
  } finally {
    socket.close();
  }
}

/**
 * The master's IPv4 address. Under Kubernetes the master's name (`<job>-0.<service>`) appears in DNS
 * only once its pod exists, so a name that does not resolve yet is looked up again each second until
 * the join timeout.
 */
async function resolveMaster(name: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return (await lookup(name, { family: 4 })).address;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new CommError(`cannot resolve the master address "${name}" (${(error as Error).message}) within ${timeoutMs} ms; check --master-addr / MASTER_ADDR`, { code: "TIMEOUT", op: "rendezvous", cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
