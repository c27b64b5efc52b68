import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { combineRanks, type RankResult, type ResultRow } from "../bench/sweep-types.js";

/**
 * The compose experiment's ranks sit in four containers, so no single process sees every rank's
 * result. Each container writes its ranks' results into the shared results volume; the coordinator
 * (the container of rank 0) waits for every region's part and combines them as the sweep runner does.
 */
export const PARTS_DIR = ".parts";

const partPath = (dir: string, region: string): string => join(dir, PARTS_DIR, `${region}.json`);

export async function clearPart(dir: string, region: string): Promise<void> {
  await rm(partPath(dir, region), { force: true });
}

/** Written to a temporary name, then renamed: a reader never sees half a part. */
export async function writePart(dir: string, region: string, results: readonly RankResult[]): Promise<void> {
  await mkdir(join(dir, PARTS_DIR), { recursive: true });
  const path = partPath(dir, region);
  await writeFile(`${path}.tmp`, JSON.stringify(results));
  await rename(`${path}.tmp`, path);
}

/** Waits until every region has a part written after `since` (ms epoch); the error names the missing ones. */
export async function collectParts(dir: string, regions: readonly string[], since: number, timeoutMs: number): Promise<RankResult[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing: string[] = [];
    const results: RankResult[] = [];
    for (const region of regions) {
      const path = partPath(dir, region);
      const fresh = await stat(path).then((s) => s.mtimeMs >= since, () => false);
      if (fresh) results.push(...(JSON.parse(await readFile(path, "utf8")) as RankResult[]));
      else missing.push(region);
    }
    if (missing.length === 0) return results;
    if (Date.now() > deadline) {
      throw new Error(`no results from ${missing.join(", ")} after ${Math.round(timeoutMs / 1000)} s; check those containers' logs (docker compose logs ${missing.join(" ")})`);
    }
    await sleep(250);
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
