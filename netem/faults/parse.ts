import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { Topology } from "../../world/topology.js";
import { parseEntry } from "./entry.js";
import { entryError, FaultError } from "./error.js";
import { isLinkFault, type Fault, type FaultSchedule, type ProcessFault } from "./types.js";

/**
 * A fault file (YAML, or JSON, which YAML reads too) checked against the topology it will run on:
 *
 *   faults:
 *     - { at: 20s, for: 5s, link: new-york<->london, down: true }
 *     - { at: 100s, rank: 3, kill: true }
 *
 * Throws FaultError (INVALID_ARGUMENT) naming the entry and the field.
 */
export function parseFaults(text: string, topology: Topology): FaultSchedule {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new FaultError(`is not YAML or JSON: ${String((error as Error).message).split("\n")[0]}`, { cause: error });
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new FaultError(`has no "faults:" list at the top; write "faults:" and one entry per line, e.g. "  - { at: 20s, for: 5s, link: new-york<->london, down: true }"`);
  const extra = Object.keys(doc).find((key) => key !== "faults");
  if (extra !== undefined) throw new FaultError(`unknown top-level key "${extra}"; a fault file holds only "faults:"`, { field: extra });
  const list = (doc as { faults?: unknown }).faults;
  if (!Array.isArray(list)) throw new FaultError(`"faults" must be a list of entries (got ${list === null || list === undefined ? "nothing" : typeof list})`, { field: "faults" });
  const faults = list.map((raw, index) => parseEntry(raw, index, topology));
  checkProcessFaults(faults, list);
  return { topology: topology.spec, faults };
}

/** Reads and checks a fault file; errors start with the file's name. */
export function loadFaults(path: string, topology: Topology): FaultSchedule {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new FaultError(`fault file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give the path of a YAML or JSON fault file`, { cause: error });
  }
  try {
    return parseFaults(text, topology);
  } catch (error) {
    if (!(error instanceof FaultError)) throw error;
    throw new FaultError(`${path}: ${error.message}`, { entry: error.entry, field: error.field, cause: error.cause });
  }
}

/** Per rank, in time order, kills and restarts alternate, starting with a kill: a kill of a killed rank, or a restart of a running one, cannot happen. */
function checkProcessFaults(faults: readonly Fault[], raw: readonly unknown[]): void {
  const byRank = new Map<number, ProcessFault[]>();
  for (const fault of faults) if (!isLinkFault(fault)) byRank.set(fault.rank, [...(byRank.get(fault.rank) ?? []), fault]);
  const at = (f: ProcessFault): unknown => (raw[f.index] as { at?: unknown }).at;
  for (const [rank, list] of byRank) {
    const sorted = [...list].sort((a, b) => a.atMs - b.atMs || a.index - b.index);
    let kill: ProcessFault | undefined;
    for (const fault of sorted) {
      if (fault.kind === "kill") {
        if (kill) throw entryError(fault.index, at(fault), "kill", `kill of rank ${rank} overlaps the kill at ${String(at(kill))} (faults[${kill.index}]), which no restart ended; restart it in between or drop one`);
        kill = fault;
      } else if (!kill) {
        throw entryError(fault.index, at(fault), "restart", `restart of rank ${rank} has no kill before it; add e.g. { at: …, rank: ${rank}, kill: true } earlier`);
      } else if (fault.atMs === kill.atMs) {
        throw entryError(fault.index, at(fault), "restart", `restart of rank ${rank} comes at the same time as its kill (faults[${kill.index}]); restart it later`);
      } else {
        kill = undefined;
      }
    }
  }
}
