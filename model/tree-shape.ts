/**
 * The binomial tree rooted at rank 0 (MPICH's short-message reduce + bcast), its levels and which of
 * its edges cross between sites when ranks are numbered site by site. Pure shape: the tree
 * all-reduce (collectives/algorithms/allreduce-tree.ts) walks it, the closed form (closed-form.ts) counts it.
 */

/** Parent (−1 for the root) and children (nearest first) of `rank` in the binomial tree rooted at 0. */
export function binomialTree(rank: number, size: number): { parent: number; children: number[] } {
  const children: number[] = [];
  for (let mask = 1; mask < size; mask <<= 1) {
    if (rank & mask) return { parent: rank - mask, children };
    if (rank + mask < size) children.push(rank + mask);
  }
  return { parent: -1, children };
}

export interface TreeShape {
  /** Children of the root: the most any rank has. */
  readonly maxChildren: number;
  /** siteOf[rank], ranks numbered site by site. */
  readonly siteOf: Int32Array;
  /** Tree edges per crossed site pair [parent site, child site]. */
  readonly crossings: ReadonlyArray<[[number, number], number]>;
}

/** The shape is the same for every buffer and bandwidth, so a planner that solves for bandwidth computes it once. */
const cache = new WeakMap<readonly number[], TreeShape>();

export function treeShape(ranksPerSite: readonly number[]): TreeShape {
  const cached = cache.get(ranksPerSite);
  if (cached) return cached;
  const n = ranksPerSite.reduce((a, b) => a + b, 0);
  const siteOf = new Int32Array(n);
  let r = 0;
  ranksPerSite.forEach((count, site) => siteOf.fill(site, r, (r += count)));
  const edgesByPair = new Map<number, number>();
  const S = ranksPerSite.length;
  let levels = 0;
  for (let mask = 1; mask < n; mask <<= 1, levels++) {
    for (let parent = 0; parent + mask < n; parent += 2 * mask) {
      const [a, b] = [siteOf[parent], siteOf[parent + mask]];
      if (a !== b) edgesByPair.set(a * S + b, (edgesByPair.get(a * S + b) ?? 0) + 1);
    }
  }
  const shape: TreeShape = {
    maxChildren: levels,
    siteOf,
    crossings: [...edgesByPair].map(([k, edges]) => [[Math.floor(k / S), k % S], edges]),
  };
  cache.set(ranksPerSite, shape);
  return shape;
}
