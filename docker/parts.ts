import { setTimeout as sleep } from "node:timers/promises";
import { combineRanks, type RankResult, type ResultRow } from "../bench/sweep-types.js";

/**
 * The experiment's ranks sit in one container per continent, and on a Swarm those containers sit on
 * different nodes, so no process and no folder sees every rank's result. Each container sends its
 * ranks' results over the experiment network to the coordinator (the container of rank 0), which
 * listens on PARTS_PORT_OFFSET below the ranks' base port (docker/inbox.ts) and combines them as the
 * sweep runner does.
 */
export const PARTS_PORT_OFFSET = -1;

export const partsUrl = (host: string, port: number, region: string): string => `http://${host}:${port}/parts/${encodeURIComponent(region)}`;

/** PUTs this region's results to the coordinator, retrying until it answers 204 or `timeoutMs` passes. */
export async function sendPart(url: string, results: readonly RankResult[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const response = await fetch(url, { method: "PUT", body: JSON.stringify(results), headers: { "content-type": "application/json" } }).catch((error: unknown) => {
      const cause = (error as { cause?: { code?: string } }).cause;
      last = cause?.code ?? (error instanceof Error ? error.message : String(error));
      return undefined;
    });
    if (response?.status === 204) return;
    if (response) last = `HTTP ${response.status}: ${await response.text()}`;
    if (Date.now() >= deadline) {
      throw new Error(`could not hand the results to the coordinator at ${url} within ${Math.round(timeoutMs / 1000)} s (last: ${last}); check that its container runs (docker compose logs / docker service logs)`);
    }
    await sleep(1000);
  }
}

/** One row per (algorithm, size), in the order the ranks ran them, from every rank's result. */
export function combineParts(
  results: readonly RankResult[],
  worldSize: number,
  meta: Omit<Parameters<typeof combineRanks>[1], "op">,
): ResultRow[] {
  const groups = new Map<string, RankResult[]>();
  for (const result of results) {
    const key = `${result.algorithm}/${result.bytes}`;
    groups.set(key, [...(groups.get(key) ?? []), result]);
  }
  return [...groups.values()].map((group) => {
    if (group.length !== worldSize) {
      throw new Error(`${group[0].algorithm} ${group[0].bytes} B has results from ${group.length} of ${worldSize} ranks`);
    }
    return combineRanks(group, { op: "allreduce", ...meta });
  });
}
