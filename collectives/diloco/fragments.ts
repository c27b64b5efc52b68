import { invalidArgument } from "../../world/comm-error.js";

export interface Fragment {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** The fragment syncs at inner steps t with t % H === offset (offset in 1..H, H meaning 0). */
  readonly offset: number;
}

/**
 * Splits [0, length) into fragments and staggers their sync steps evenly over the H-step period
 * (Streaming DiLoCo): fragment f syncs at steps round((f + 1) * H / F) + k*H, so at most one
 * fragment's exchange starts at a time and the WAN carries 1/F of the model per sync.
 */
export function planFragments(length: number, innerSteps: number, count: number, boundaries?: number[]): Fragment[] {
  const cuts = boundaries ?? Array.from({ length: count - 1 }, (_, i) => Math.round(((i + 1) * length) / count));
  const edges = [0, ...cuts, length];
  for (let i = 1; i < edges.length; i++) {
    if (!(edges[i] > edges[i - 1])) throw invalidArgument(`fragment boundaries must increase strictly within (0, ${length}), got [${cuts.join(", ")}]`);
  }
  const f = edges.length - 1;
  if (f > innerSteps) throw invalidArgument(`${f} fragments cannot be staggered over H = ${innerSteps} inner steps; use at most H fragments`);
  return Array.from({ length: f }, (_, i) => ({
    index: i,
    start: edges[i],
    end: edges[i + 1],
    offset: Math.round(((i + 1) * innerSteps) / f),
  }));
}

/** Fragments whose exchange starts after inner step `step` (1-based). */
export function fragmentsDueAt(fragments: readonly Fragment[], innerSteps: number, step: number): Fragment[] {
  const phase = ((step - 1) % innerSteps) + 1;
  return fragments.filter((fr) => fr.offset === phase);
}
