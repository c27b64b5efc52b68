/**
 * LONGHAUL_RANK_HOSTS: the host of every rank, from a node-level launch's rendezvous, in a compact
 * run-length form: "10.0.0.1*2,10.0.0.2*2" is ranks 0-1 on 10.0.0.1 and ranks 2-3 on 10.0.0.2.
 */
import { invalidArgument } from "./comm-error.js";

export const RANK_HOSTS_ENV = "LONGHAUL_RANK_HOSTS";

export function formatRankHosts(hosts: readonly string[]): string {
  const runs: Array<[string, number]> = [];
  for (const host of hosts) {
    const last = runs[runs.length - 1];
    if (last && last[0] === host) last[1]++;
    else runs.push([host, 1]);
  }
  return runs.map(([host, n]) => `${host}*${n}`).join(",");
}

export function parseRankHosts(text: string | undefined, size: number): string[] | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const hosts: string[] = [];
  for (const part of text.split(",")) {
    const match = /^([^*\s]+)\*(\d+)$/.exec(part.trim());
    if (!match || Number(match[2]) < 1) throw invalidArgument(`${RANK_HOSTS_ENV} entry "${part}" is not HOST*COUNT (e.g. 10.0.0.1*2)`, "init");
    for (let i = 0; i < Number(match[2]); i++) hosts.push(match[1]);
  }
  if (hosts.length !== size) throw invalidArgument(`${RANK_HOSTS_ENV} names ${hosts.length} ranks but the world has ${size}; every rank of one job needs the same value (the launcher sets it)`, "init");
  return hosts;
}
