/**
 * Slow start after idle in the planner: a WAN op that follows a silent stretch longer than the RTO
 * (a step's compute, DiLoCo's H inner steps) finds its connections' windows restarted, and pays
 * the climb back (model/stream-rate.ts's idleRestartS) on the pairs it crosses.
 */
import type { Fabric } from "../model/fabric.js";
import { idleRestartS } from "../model/stream-rate.js";
import type { WanConnections } from "./world.js";

/** The directed site pairs an all-reduce's WAN traffic crosses (index pairs). */
export function pairsOf(algorithm: string, fabric: Fabric): Array<[number, number]> {
  const S = fabric.ranksPerSite.length;
  if (S <= 1) return [];
  const next = (s: number): [number, number] => [s, (s + 1) % S];
  const back = (s: number): [number, number] => [(s + 1) % S, s];
  const sites = fabric.ranksPerSite.map((_, s) => s);
  if (algorithm === "ring") return sites.map(next);
  if (algorithm === "bidir-ring" || fabric.wanShape === "loop") return [...sites.map(next), ...sites.map(back)];
  return sites.flatMap((a) => sites.filter((b) => b !== a).map((b): [number, number] => [a, b]));
}

/** Extra seconds an op moving `bytes` over its busiest link pays after `idleS` of silence: the worst of the pairs it crosses. */
export function restartPenaltyS(wan: WanConnections, pairs: ReadonlyArray<readonly [number, number]>, bytes: number, idleS: number): number {
  let worst = 0;
  for (const [a, b] of pairs) worst = Math.max(worst, idleRestartS(wan.settings, wan.paths[a][b], bytes, idleS));
  return worst;
}
