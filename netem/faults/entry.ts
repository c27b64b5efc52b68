import type { Topology } from "../../world/topology.js";
import { NetemError } from "../errors.js";
import { formatPercent, formatRate, formatTime } from "../tc/netem-args.js";
import { parseDuration, parsePercent, parseRate } from "../../world/units.js";
import { entryError } from "./error.js";
import { GEMODEL_MAX_MEAN_PCT, gemodelForMeanLoss } from "./gemodel.js";
import { linkPairs, normalLink } from "./links.js";
import { LINK_FAULT_KINDS, PROCESS_FAULT_KINDS, type Fault, type LinkFault, type LinkFaultKind } from "./types.js";

const KEYS = ["at", "for", "link", ...LINK_FAULT_KINDS, "model", "rank", ...PROCESS_FAULT_KINDS];
const KIND_HINT = "down: true, partition: true, loss: 1%, rate: 100mbit or delay: +80ms";

/** One entry of a fault file's `faults` list, checked against the topology. */
export function parseEntry(raw: unknown, index: number, topology: Topology): Fault {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw entryError(index, undefined, "entry", `entry is not a mapping; write e.g. { at: 20s, for: 5s, link: new-york<->london, down: true }`);
  }
  const entry = raw as Record<string, unknown>;
  const at = entry.at;
  const fail = (field: string, message: string, cause?: unknown) => entryError(index, at, field, message, cause);
  const unknown = Object.keys(entry).find((key) => !KEYS.includes(key));
  if (unknown !== undefined) {
    throw fail(unknown, `unknown key "${unknown}"; a link fault takes at, for, link and one of ${KIND_HINT} (loss may take model: random|gemodel); a process fault takes at, rank and kill: true or restart: true`);
  }
  const has = (key: string): boolean => entry[key] !== undefined;
  /** A unit parser's error becomes the entry's (its message already names the field). */
  const parsed = <T>(field: string, parse: (text: string) => T): T => {
    const value = entry[field];
    if (typeof value !== "string" && typeof value !== "number") throw fail(field, `${field} must be a string or a number, got ${JSON.stringify(value)}`);
    try {
      return parse(String(value));
    } catch (error) {
      if (error instanceof NetemError) throw fail(field, error.message, error);
      throw error;
    }
  };
  const mustBeTrue = (field: string): void => {
    if (entry[field] !== true) throw fail(field, `${field} must be true, got ${JSON.stringify(entry[field])} (leave the entry out for no fault)`);
  };
  if (!has("at")) throw fail("at", `at is missing; give the time from the start of the job, e.g. at: 20s`);
  const atMs = parsed("at", (t) => parseDuration(t, "at", "s"));

  const processKinds = PROCESS_FAULT_KINDS.filter(has);
  if (processKinds.length > 0 || has("rank")) {
    const linkKeys = ["link", "for", "model", ...LINK_FAULT_KINDS].filter(has);
    if (processKinds.length === 0) throw fail("rank", `rank needs kill: true or restart: true`);
    if (processKinds.length > 1) throw fail(processKinds[1], `kill and restart in one entry; give each its own entry (the restart later)`);
    const kind = processKinds[0];
    if (linkKeys.length > 0) throw fail(linkKeys[0], `${linkKeys[0]} does not go with ${kind} (a process fault takes at, rank and ${kind}: true); put the link fault in its own entry`);
    mustBeTrue(kind);
    if (!has("rank")) throw fail("rank", `${kind} needs the rank, e.g. rank: 3`);
    const rank = entry.rank;
    if (typeof rank !== "number" || !Number.isInteger(rank) || rank < 0 || rank >= topology.size) {
      throw fail("rank", `rank ${JSON.stringify(rank)} is not a rank of ${topology.spec} (0..${topology.size - 1})`);
    }
    return { index, kind, atMs, rank };
  }

  const kinds = LINK_FAULT_KINDS.filter(has);
  if (kinds.length === 0) throw fail("kind", `link fault has no kind; add one of ${KIND_HINT}`);
  if (kinds.length > 1) throw fail(kinds[1], `link fault has ${kinds.length} kinds (${kinds.join(", ")}); give one per entry (entries may overlap, and their effects combine)`);
  const kind = kinds[0];
  if (!has("link")) throw fail("link", `link is missing; write e.g. link: new-york<->london, london->chicago or "*"`);
  if (typeof entry.link !== "string") throw fail("link", `link must be a string like "new-york<->london", got ${JSON.stringify(entry.link)}`);
  const link = entry.link;
  let pairs: Array<[string, string]>;
  try {
    pairs = linkPairs(link, topology);
  } catch (error) {
    throw fail("link", (error as Error).message);
  }
  if (!has("for")) throw fail("for", `for is missing; give how long the ${kind} lasts, e.g. for: 5s`);
  const forMs = parsed("for", (t) => parseDuration(t, "for", "s"));
  if (forMs <= 0) throw fail("for", `for "${String(entry.for)}" must be above zero; give how long the ${kind} lasts, e.g. for: 5s`);
  if (has("model") && kind !== "loss") throw fail("model", `model goes with loss (random or gemodel), not with ${kind}`);
  const base = { index, atMs, forMs, link: normalLink(link), pairs };
  return { ...base, kind, ...linkValue(kind, entry, parsed, mustBeTrue, fail) };
}

type Value = Pick<LinkFault, "impairment" | "value">;

function linkValue(
  kind: LinkFaultKind,
  entry: Record<string, unknown>,
  parsed: <T>(field: string, parse: (text: string) => T) => T,
  mustBeTrue: (field: string) => void,
  fail: (field: string, message: string) => Error,
): Value {
  switch (kind) {
    case "down":
    case "partition":
      mustBeTrue(kind);
      return { impairment: { [kind]: true }, value: "" };
    case "loss": {
      const pct = parsed("loss", (t) => parsePercent(t, "loss"));
      if (pct <= 0 || pct > 100) throw fail("loss", `loss ${formatPercent(pct)} is outside (0, 100%]; write e.g. loss: 1%`);
      const model = entry.model ?? "random";
      if (model === "random") return { impairment: { lossPct: pct }, value: `${formatPercent(pct)} random` };
      if (model !== "gemodel") throw fail("model", `model must be random or gemodel, got ${JSON.stringify(model)}`);
      if (pct > GEMODEL_MAX_MEAN_PCT) throw fail("loss", `loss ${formatPercent(pct)} with model gemodel is above ${GEMODEL_MAX_MEAN_PCT}% (p would pass 100% at r 25%); use model: random`);
      const ge = gemodelForMeanLoss(pct);
      return { impairment: { gilbertElliott: ge }, value: `${formatPercent(pct)} gemodel (p ${formatPercent(ge.p)}, r ${formatPercent(ge.r)})` };
    }
    case "rate": {
      const mbit = parsed("rate", (t) => parseRate(t, "rate"));
      return { impairment: { rateMbit: mbit }, value: formatRate(mbit) };
    }
    case "delay": {
      const ms = parsed("delay", (t) => parseDuration(t, "delay"));
      if (ms <= 0) throw fail("delay", `delay "${String(entry.delay)}" adds nothing; give the extra one-way delay, e.g. delay: +80ms`);
      return { impairment: { extraDelayMs: ms }, value: `+${formatTime(ms)}` };
    }
  }
}
