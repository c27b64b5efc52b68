/**
 * The rendezvous's decision, as a pure function: given what every node reported when it joined, who
 * gets which ranks, where each rank listens, and the topology every rank will use. Nodes of one
 * region get consecutive ranks (the topology lists regions as runs of ranks), so node ranks follow
 * the regions: given ones must already do so, otherwise they are assigned in order of arrival.
 */
import { invalidArgument } from "../world/comm-error.js";

/** What a node tells the master when it joins. */
export interface NodeJoin {
  /** Order of arrival at the master. */
  arrival: number;
  nodeRank?: number;
  region?: string;
  /** The address peers dial to reach this node's ranks. */
  advertiseAddr: string;
  nprocPerNode: number;
  /** Settings every node must share (version, rendezvous id, base port, emulation, rate, …). */
  agreement: Record<string, string>;
  cores: number;
}

export interface NodeAssignment {
  arrival: number;
  /** torchrun's GROUP_RANK: this node's index; its ranks are groupRank × nproc … + nproc − 1. */
  groupRank: number;
  region: string;
  host: string;
  ranks: number[];
}

export interface WorldPlan {
  nodes: NodeAssignment[];
  topology: string;
  rankHosts: string[];
  worldSize: number;
}

/** The region of nodes that name none. */
export const DEFAULT_REGION = "local";

/** Why `join` may not enter a world whose first node is `first`; undefined when it may. */
export function refusal(first: NodeJoin, join: NodeJoin, nnodes: number): string | undefined {
  if (join.nprocPerNode !== first.nprocPerNode) return `it runs ${join.nprocPerNode} ranks per node, the job ${first.nprocPerNode} (--nproc-per-node)`;
  const fields = [...new Set([...Object.keys(first.agreement), ...Object.keys(join.agreement)])].sort();
  for (const field of fields) {
    if (first.agreement[field] !== join.agreement[field]) return `its ${field} is "${join.agreement[field] ?? "(unset)"}", the job's "${first.agreement[field] ?? "(unset)"}"`;
  }
  if (join.nodeRank !== undefined && (join.nodeRank < 0 || join.nodeRank >= nnodes)) return `its node rank ${join.nodeRank} is outside 0..${nnodes - 1}`;
  if ((join.nodeRank === undefined) !== (first.nodeRank === undefined)) return "some nodes give --node-rank and others do not; give it to every node or to none";
  if ((join.region === undefined) !== (first.region === undefined)) return "some nodes give --region and others do not; give it to every node or to none";
  return undefined;
}

export function planWorld(joins: readonly NodeJoin[]): WorldPlan {
  const ordered = orderNodes(joins);
  const k = joins[0].nprocPerNode;
  const nodes = ordered.map((join, groupRank) => ({
    arrival: join.arrival,
    groupRank,
    region: join.region ?? DEFAULT_REGION,
    host: join.advertiseAddr,
    ranks: Array.from({ length: k }, (_, i) => groupRank * k + i),
  }));
  const runs: Array<[string, number]> = [];
  for (const node of nodes) {
    const last = runs[runs.length - 1];
    if (last && last[0] === node.region) last[1] += k;
    else runs.push([node.region, k]);
  }
  return { nodes, topology: runs.map(([region, n]) => `${region}:${n}`).join(","), rankHosts: nodes.flatMap((n) => n.ranks.map(() => n.host)), worldSize: nodes.length * k };
}

function orderNodes(joins: readonly NodeJoin[]): NodeJoin[] {
  if (joins[0].nodeRank !== undefined) {
    const ordered = [...joins].sort((a, b) => a.nodeRank! - b.nodeRank!);
    ordered.forEach((join, i) => {
      if (join.nodeRank !== i) throw invalidArgument(`node rank ${i} is missing and node rank ${join.nodeRank} given twice; give each node its own --node-rank 0..${joins.length - 1}`, "rendezvous");
    });
    const seen = new Set<string>();
    ordered.forEach((join, i) => {
      const region = join.region ?? DEFAULT_REGION;
      if (seen.has(region) && ordered[i - 1].region !== join.region) {
        throw invalidArgument(`the nodes of region "${region}" do not have consecutive node ranks (node ${i} breaks the run); number each region's nodes together, or leave --node-rank out`, "rendezvous");
      }
      seen.add(region);
    });
    return ordered;
  }
  const regionOrder = new Map<string, number>();
  for (const join of [...joins].sort((a, b) => a.arrival - b.arrival)) {
    const region = join.region ?? DEFAULT_REGION;
    if (!regionOrder.has(region)) regionOrder.set(region, regionOrder.size);
  }
  const key = (j: NodeJoin): number => regionOrder.get(j.region ?? DEFAULT_REGION)!;
  return [...joins].sort((a, b) => key(a) - key(b) || a.arrival - b.arrival);
}
