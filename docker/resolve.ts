import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { badValue } from "../netem/errors.js";

export interface ResolveOptions {
  /** How long to wait for every name to resolve (Swarm publishes `tasks.<service>` only once the task runs). */
  readonly timeoutMs: number;
  /** Called at most every `reportEveryMs` with the names still unresolved. */
  readonly onWait?: (pending: readonly string[]) => void;
  readonly reportEveryMs?: number;
  readonly lookupAddress?: (name: string) => Promise<string>;
}

const lookupIPv4 = async (name: string): Promise<string> => (await lookup(name, { family: 4 })).address;

/**
 * Turns each region's host name into an IPv4 address, waiting until every name resolves. Compose
 * gives fixed IPs, but on a Swarm overlay the addresses come from Docker's IPAM and a name such as
 * `tasks.chicago` exists only while chicago's task runs, so the containers (started in any order)
 * wait here for each other. IPs are needed downstream: tc's u32 filters match destination IPs.
 */
export async function resolveHosts(hosts: Readonly<Record<string, string>>, options: ResolveOptions): Promise<Record<string, string>> {
  const find = options.lookupAddress ?? lookupIPv4;
  const deadline = Date.now() + options.timeoutMs;
  const reportEveryMs = options.reportEveryMs ?? 5000;
  let lastReport = Date.now();
  const resolved: Record<string, string> = {};
  for (;;) {
    const pending: string[] = [];
    for (const [region, host] of Object.entries(hosts)) {
      if (resolved[region] !== undefined) continue;
      if (isIP(host)) resolved[region] = host;
      else {
        const address = await find(host).catch(() => undefined);
        if (address === undefined) pending.push(`${region}=${host}`);
        else resolved[region] = address;
      }
    }
    if (pending.length === 0) return resolved;
    if (Date.now() >= deadline) {
      throw badValue(
        `LONGHAUL_HOSTS names that did not resolve within ${Math.round(options.timeoutMs / 1000)} s: ${pending.join(", ")}; ` +
          "check that those services run on the same network (docker service ps / docker stack ps) and that the names are right (on Swarm: tasks.<service>)",
      );
    }
    if (Date.now() - lastReport >= reportEveryMs) {
      options.onWait?.(pending);
      lastReport = Date.now();
    }
    await sleep(500);
  }
}

/**
 * The interface that holds `ip`: the experiment network's interface in this container. Compose
 * gives a one-network container eth0, but a Swarm task also has docker_gwbridge, and the order of
 * the two is Docker's choice; shaping the wrong one would leave the WAN unshaped without a word.
 */
export function interfaceWithAddress(ip: string, interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces()): string | undefined {
  return Object.entries(interfaces).find(([, addresses]) => addresses?.some((a) => a.address === ip))?.[0];
}
