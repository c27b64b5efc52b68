import type { Topology } from "../../world/topology.js";

/**
 * A fault's `link`: "a<->b" (both directions), "a->b" (one), "*" any region on either side
 * ("*" alone: every directed pair), e.g. "asuncion<->*" cuts a region off. Links join two
 * different regions (inside a region nothing is emulated). Returns the directed pairs by name, or
 * throws a message (without the entry's name) saying what is wrong.
 */
export function linkPairs(text: string, topology: Topology): Array<[string, string]> {
  const link = text.replace(/\s+/g, "");
  const names = topology.regions.map((r) => r.name);
  const both = link.includes("<->");
  const [from, to, extra] = link === "*" ? ["*", "*"] : link.split(both ? "<->" : "->");
  if (to === undefined || extra !== undefined || from === "" || to === "") {
    throw new Error(`link "${text}" is not A<->B, A->B or "*"; write e.g. "new-york<->london", "london->chicago", "asuncion<->*"`);
  }
  for (const side of [from, to]) {
    if (side !== "*" && !names.includes(side)) throw new Error(`link "${text}" names unknown region "${side}"; regions of ${topology.spec}: ${names.join(", ")} (or *)`);
  }
  if (from === to && from !== "*") throw new Error(`link "${text}" joins ${from} to itself; a link joins two regions (traffic inside a region is not emulated)`);
  const pairs: Array<[string, string]> = [];
  const add = (a: string, b: string): void => {
    if (a !== b && !pairs.some(([x, y]) => x === a && y === b)) pairs.push([a, b]);
  };
  const side = (s: string): string[] => (s === "*" ? names : [s]);
  for (const a of side(from)) for (const b of side(to)) {
    add(a, b);
    if (both) add(b, a);
  }
  if (pairs.length === 0) throw new Error(`link "${text}" covers no link: topology ${topology.spec} has one region, so nothing crosses a WAN`);
  return pairs;
}

/** The link as it is shown: spaces removed. */
export function normalLink(text: string): string {
  return text.replace(/\s+/g, "");
}
