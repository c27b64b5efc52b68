import { execa, execaSync } from "execa";

/** Test helpers for throwaway network namespaces (names always start with lh-test-). */
export function canUseNetns(): boolean {
  if (process.getuid?.() !== 0) return false;
  return execaSync("ip", ["netns", "list"], { reject: false }).exitCode === 0;
}

export async function ip(...args: string[]): Promise<string> {
  return String((await execa("ip", args, { timeout: 10_000 })).stdout);
}

export async function inNs(ns: string, ...args: string[]): Promise<string> {
  return String((await execa("ip", ["netns", "exec", ns, ...args], { timeout: 10_000 })).stdout);
}

/** Creates `ns` with a veth pair lhv0 (10.77.X.1) / lhv1 (10.77.X.2), both up, both in `ns`. */
export async function makeNetns(ns: string, subnet: number): Promise<void> {
  if (!ns.startsWith("lh-test-")) throw new Error(`test namespaces must start with lh-test-, got ${ns}`);
  await removeNetns(ns);
  await ip("netns", "add", ns);
  await ip("-n", ns, "link", "add", "lhv0", "type", "veth", "peer", "name", "lhv1");
  await ip("-n", ns, "addr", "add", `10.77.${subnet}.1/24`, "dev", "lhv0");
  await ip("-n", ns, "addr", "add", `10.77.${subnet}.2/24`, "dev", "lhv1");
  for (const dev of ["lo", "lhv0", "lhv1"]) await ip("-n", ns, "link", "set", dev, "up");
}

export async function removeNetns(ns: string): Promise<void> {
  await execa("ip", ["netns", "del", ns], { reject: false, timeout: 10_000 });
}
