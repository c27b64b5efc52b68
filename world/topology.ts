import { invalidArgument } from "./comm-error.js";

/** A region (emulated continent or datacenter) and the global ranks placed in it. */
export interface Region {
  readonly name: string;
  readonly index: number;
  readonly ranks: readonly number[];
}

/** Ranks are laid out region by region, in spec order: ranks of one region are contiguous. */
export interface Topology {
  readonly spec: string;
  readonly size: number;
  readonly regions: readonly Region[];
  regionOf(rank: number): Region;
  localRank(rank: number): number;
}

export const TOPOLOGY_PRESETS: Readonly<Record<string, string>> = {
  continents: "new-york:2,chicago:2,london:2,asuncion:2",
};

const REGION_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Parses `new-york:2,chicago:2`, a preset name (`continents`), or a bare rank count (`4`, one region
 * named `local`). A preset may take a ranks-per-region suffix: `continents:3`.
 */
export function parseTopology(spec: string): Topology {
  const text = spec.trim();
  if (/^\d+$/.test(text)) return buildTopology(text, [["local", parseCount(text, text)]]);
  const [presetName, perRegion] = text.split(":");
  const preset = TOPOLOGY_PRESETS[presetName];
  if (preset !== undefined) {
    const expanded = perRegion === undefined ? preset : preset.replace(/:\d+/g, `:${perRegion}`);
    return { ...buildTopology(expanded, parseEntries(expanded)), spec: text };
  }
  return buildTopology(text, parseEntries(text));
}

function parseEntries(text: string): Array<[string, number]> {
  const entries = text.split(",").map((part): [string, number] => {
    const [name, count, extra] = part.trim().split(":");
    if (extra !== undefined || count === undefined || !REGION_NAME.test(name)) {
      throw invalidArgument(
        `topology entry "${part}" is not REGION:COUNT; write e.g. "new-york:2,london:2", a preset (${Object.keys(TOPOLOGY_PRESETS).join(", ")}) or a rank count`,
      );
    }
    return [name, parseCount(count, part)];
  });
  const seen = new Set<string>();
  for (const [name] of entries) {
    if (seen.has(name)) throw invalidArgument(`topology names region "${name}" twice; give each region once with its rank count`);
    seen.add(name);
  }
  return entries;
}

function parseCount(count: string, context: string): number {
  const n = Number(count);
  if (!Number.isInteger(n) || n < 1 || n > 4096) {
    throw invalidArgument(`topology entry "${context}" needs a rank count from 1 to 4096, got "${count}"`);
  }
  return n;
}

function buildTopology(spec: string, entries: Array<[string, number]>): Topology {
  const regions: Region[] = [];
  const regionByRank: Region[] = [];
  const localByRank: number[] = [];
  let next = 0;
  entries.forEach(([name, count], index) => {
    const ranks = Array.from({ length: count }, (_, i) => next + i);
    const region: Region = { name, index, ranks };
    regions.push(region);
    ranks.forEach((rank, local) => {
      regionByRank[rank] = region;
      localByRank[rank] = local;
    });
    next += count;
  });
  const size = next;
  const check = (rank: number): number => {
    if (!Number.isInteger(rank) || rank < 0 || rank >= size) {
      throw invalidArgument(`rank ${rank} is outside topology "${spec}" of ${size} ranks (0..${size - 1})`);
    }
    return rank;
  };
  return {
    spec,
    size,
    regions,
    regionOf: (rank) => regionByRank[check(rank)],
    localRank: (rank) => localByRank[check(rank)],
  };
}
