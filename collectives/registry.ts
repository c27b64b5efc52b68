/**
 * Registry of all-reduce algorithms by name. Each algorithm file registers here (collectives/select.ts
 * registers "auto", which picks per call). Until "auto" is registered it means "ring".
 */
import { allReduceHalvingDoubling } from "./algorithms/allreduce-halving-doubling.js";
import { allReduceHierarchical } from "./algorithms/allreduce-hierarchical.js";
import { allReduceOneShot } from "./algorithms/allreduce-one-shot.js";
import { ringAllReduce } from "./algorithms/allreduce-ring.js";
import { allReduceTree } from "./algorithms/allreduce-tree.js";
import { allReduceAuto } from "./select.js";
import { tagged } from "./algorithm-variant.js";
import type { AllReduceAlgorithm } from "./types.js";

// Each named algorithm carries its name in its tags (algorithm-variant.ts); "auto" tags the one it picks.
const registry = new Map<string, AllReduceAlgorithm>([
  ["ring", tagged("ring", ringAllReduce)],
  ["tree", tagged("tree", allReduceTree)],
  ["halving-doubling", tagged("halving-doubling", allReduceHalvingDoubling)],
  ["hierarchical", tagged("hierarchical", allReduceHierarchical)],
  ["one-shot", tagged("one-shot", allReduceOneShot)],
  ["auto", allReduceAuto],
]);

export function registerAllReduceAlgorithm(name: string, algorithm: AllReduceAlgorithm): void {
  registry.set(name, algorithm);
}

/** The algorithm registered under `name`, or undefined. "auto" falls back to ring while no selector is registered. */
export function getAllReduceAlgorithm(name: string): AllReduceAlgorithm | undefined {
  return registry.get(name) ?? (name === "auto" ? registry.get("ring") : undefined);
}

export function allReduceAlgorithmNames(): string[] {
  return [...new Set([...registry.keys(), "auto"])];
}
