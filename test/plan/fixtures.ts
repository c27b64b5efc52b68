/** A scenario small enough to compute by hand: two sites, one GPU each, 1 MB of gradient, 1 MB/s and 10 ms one way between them. */
import type { Scenario } from "../../plan/scenario.js";

export const TINY: Scenario = {
  name: "tiny",
  sources: ["hand-made"],
  assumptions: ["everything"],
  model: { parameters: 1e6, bytesPerElement: 1, layers: 4 },
  compute: { stepSeconds: 10, overlapFraction: 0.8 },
  parallelism: { tensor: 1, pipeline: 1 },
  intraSite: { gbitPerGpu: 1e9, latencyUs: 0, reduceGBps: 1e12 },
  sites: [
    { name: "a", gpus: 1, lat: 0, lon: 0 },
    { name: "b", gpus: 1, lat: 0, lon: 1 },
  ],
  wan: { gbit: 0.008, links: [{ between: ["a", "b"], rttMs: 20 }] },
};

/** A copy of `scenario` with `path` (dotted) set to `value` (undefined deletes it). */
export function withField(scenario: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(scenario) as Record<string, unknown>;
  const keys = path.split(".");
  let at = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
  if (value === undefined) delete at[keys.at(-1)!];
  else at[keys.at(-1)!] = value;
  return copy;
}
