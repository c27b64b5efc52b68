/** The flags of a node-level launch and their torchrun variables (PET_*, MASTER_*), read into options. */
import { badValue } from "../netem/errors.js";
import { parseCount, parseDuration, parsePort } from "../world/units.js";
import type { NodeLaunchOptions } from "../launch/node-launch.js";

export const NODE_FLAGS = {
  nnodes: { type: "string" },
  "nproc-per-node": { type: "string" },
  "node-rank": { type: "string" },
  "master-addr": { type: "string" },
  "master-port": { type: "string" },
  "rdzv-id": { type: "string" },
  region: { type: "string" },
  "advertise-addr": { type: "string" },
  "join-timeout": { type: "string" },
} as const;

export const DEFAULT_MASTER_PORT = 29400;

type NodeFields = Pick<NodeLaunchOptions, "nnodes" | "nprocPerNode" | "nodeRank" | "masterAddr" | "masterPort" | "rdzvId" | "region" | "advertiseAddr" | "joinTimeoutMs">;

/** Undefined for a one-host launch (no --nnodes, no PET_NNODES). */
export function nodeLaunchFrom(values: Record<string, unknown>, env: NodeJS.ProcessEnv): NodeFields | undefined {
  const pick = (flag: string, ...vars: string[]): { text: string; what: string } | undefined => {
    if (typeof values[flag] === "string") return { text: values[flag] as string, what: `--${flag}` };
    const name = vars.find((v) => (env[v] ?? "").trim() !== "");
    return name ? { text: env[name]!.trim(), what: name } : undefined;
  };
  const nnodes = pick("nnodes", "PET_NNODES");
  if (!nnodes) return undefined;
  const [min, max] = nnodes.text.split(":");
  const count = parseCount(min, nnodes.what);
  if (max !== undefined && parseCount(max, nnodes.what) !== count) {
    throw badValue(`${nnodes.what} ${nnodes.text}: elastic membership (a range of node counts) is not supported; give one count, e.g. ${nnodes.what === "--nnodes" ? "--nnodes" : nnodes.what + "="}${count}`);
  }
  const master = pick("master-addr", "PET_MASTER_ADDR", "MASTER_ADDR");
  if (!master) throw badValue(`${nnodes.what} ${nnodes.text} needs the rendezvous master's address: --master-addr HOST (or MASTER_ADDR)`);
  const nproc = pick("nproc-per-node", "PET_NPROC_PER_NODE");
  const nodeRank = pick("node-rank", "PET_NODE_RANK", "GROUP_RANK");
  const port = pick("master-port", "PET_MASTER_PORT", "MASTER_PORT");
  const join = pick("join-timeout", "LONGHAUL_JOIN_TIMEOUT");
  const nodeRankValue = nodeRank === undefined ? undefined : parseCount(nodeRank.text, nodeRank.what, 0);
  if (nodeRankValue !== undefined && nodeRankValue >= count) throw badValue(`${nodeRank!.what} ${nodeRankValue} is outside 0..${count - 1} for ${count} nodes`);
  return {
    nnodes: count,
    nprocPerNode: nproc === undefined ? 1 : parseCount(nproc.text, nproc.what),
    nodeRank: nodeRankValue,
    masterAddr: master.text,
    masterPort: port === undefined ? DEFAULT_MASTER_PORT : parsePort(port.text, port.what),
    rdzvId: pick("rdzv-id", "PET_RDZV_ID")?.text ?? "longhaul",
    region: pick("region", "LONGHAUL_REGION")?.text,
    advertiseAddr: pick("advertise-addr", "LONGHAUL_ADVERTISE_ADDR")?.text,
    joinTimeoutMs: join === undefined ? 300_000 : parseDuration(join.text, join.what, "s"),
  };
}
