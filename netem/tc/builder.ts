import type { LinkProfile } from "../profile.js";
import { badValue } from "../errors.js";
import { formatRate, netemArgs } from "./netem-args.js";

/** Pure tc/ip command builders: profile → argv lists (first word is the program). */
export type Command = readonly string[];

export interface Destination {
  /** IPv4/IPv6 address or CIDR of the peer. */
  readonly ip: string;
  readonly profile: LinkProfile;
}

/** htb class rate for pass-through classes: high enough never to be the bottleneck (netem's rate shapes). */
export const HTB_LINE_RATE_MBIT = 10_000;
/** Explicit htb quantum (bytes): rate/r2q at 10 Gbit/s is past htb's limit and the kernel warns. */
const HTB_QUANTUM = "60000";
/** Minor class ids of destinations start here (hex, as tc reads them). */
const FIRST_CLASS = 0x10;

/** The htb minor id (hex) of the `index`-th destination of a per-destination tree. */
export function destinationMinor(index: number): string {
  return (FIRST_CLASS + index).toString(16);
}

/** The `index`-th destination's leaf qdisc under its htb class: `args` is the qdisc and its options. */
export function destinationLeafCommand(dev: string, index: number, args: readonly string[]): Command {
  const minor = destinationMinor(index);
  return ["tc", "qdisc", "replace", "dev", checkDev(dev), "parent", `1:${minor}`, "handle", `${minor}:`, ...args];
}

function checkDev(dev: string): string {
  if (!/^[A-Za-z0-9_.@-]{1,15}$/.test(dev)) throw badValue(`device "${dev}" is not a valid interface name (1-15 of A-Z a-z 0-9 _ . - @)`);
  return dev;
}

/** One netem qdisc at the root: every packet leaving `dev` gets the profile. */
export function singleLinkCommands(dev: string, profile: LinkProfile): Command[] {
  return [["tc", "qdisc", "replace", "dev", checkDev(dev), "root", ...netemArgs(profile)]];
}

function ipMatch(ip: string): { protocol: string; prio: string; table: string; words: string[] } {
  const v6 = ip.includes(":");
  const prefix = ip.includes("/") ? ip : `${ip}/${v6 ? 128 : 32}`;
  const ok = v6 ? /^[0-9a-fA-F:]+\/\d{1,3}$/.test(prefix) : /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(prefix);
  if (!ok) throw badValue(`peer address "${ip}" is not an IPv4/IPv6 address or CIDR`);
  // IPv4 and IPv6 filters need their own priority and u32 hash table.
  return v6
    ? { protocol: "ipv6", prio: "2", table: "801", words: ["match", "ip6", "dst", prefix] }
    : { protocol: "ip", prio: "1", table: "800", words: ["match", "ip", "dst", prefix] };
}

/**
 * htb root (default class 1:1 passes everything else untouched), one class per destination with a
 * u32 filter on its destination address and a netem leaf. Filters carry explicit handles so that
 * `replace` works on a second apply; an htb root cannot be replaced by itself, so the runner clears
 * the device first (apply = clear + these commands).
 */
export function perDestinationCommands(dev: string, destinations: readonly Destination[]): Command[] {
  checkDev(dev);
  if (destinations.length > 0xfff - FIRST_CLASS) throw badValue(`${destinations.length} destinations are too many for one htb tree`);
  const line = formatRate(HTB_LINE_RATE_MBIT);
  const commands: Command[] = [
    ["tc", "qdisc", "replace", "dev", dev, "root", "handle", "1:", "htb", "default", "1"],
    ["tc", "class", "replace", "dev", dev, "parent", "1:", "classid", "1:1", "htb", "rate", line, "quantum", HTB_QUANTUM],
  ];
  destinations.forEach((dest, i) => {
    const minor = destinationMinor(i);
    const match = ipMatch(dest.ip);
    commands.push(
      ["tc", "class", "replace", "dev", dev, "parent", "1:", "classid", `1:${minor}`, "htb", "rate", line, "quantum", HTB_QUANTUM],
      destinationLeafCommand(dev, i, netemArgs(dest.profile)),
      ["tc", "filter", "replace", "dev", dev, "parent", "1:", "protocol", match.protocol, "prio", match.prio,
        "handle", `${match.table}::${minor}`, "u32", ...match.words, "flowid", `1:${minor}`],
    );
  });
  return commands;
}

/** Default name of the ifb device that carries `dev`'s ingress. */
export function ifbName(dev: string): string {
  return `ifb-${dev}`.slice(0, 15);
}

/** Ingress shaping: redirect everything arriving on `dev` to an ifb device and shape its egress. */
export function ingressCommands(dev: string, profile: LinkProfile, ifb = ifbName(dev)): Command[] {
  checkDev(dev);
  checkDev(ifb);
  return [
    ["ip", "link", "add", "name", ifb, "type", "ifb"],
    ["ip", "link", "set", "dev", ifb, "up"],
    ["tc", "qdisc", "replace", "dev", dev, "handle", "ffff:", "ingress"],
    ["tc", "filter", "replace", "dev", dev, "parent", "ffff:", "protocol", "all", "prio", "1", "handle", "800::1",
      "u32", "match", "u32", "0", "0", "action", "mirred", "egress", "redirect", "dev", ifb],
    ["tc", "qdisc", "replace", "dev", ifb, "root", ...netemArgs(profile)],
  ];
}

/** Removes everything the builders add (the runner ignores "nothing to delete" answers). */
export function clearCommands(dev: string, options: { ifb?: string | false } = {}): Command[] {
  checkDev(dev);
  const commands: Command[] = [
    ["tc", "qdisc", "del", "dev", dev, "root"],
    ["tc", "qdisc", "del", "dev", dev, "ingress"],
  ];
  const ifb = options.ifb === undefined ? ifbName(dev) : options.ifb;
  if (ifb) commands.push(["ip", "link", "del", "dev", checkDev(ifb)]);
  return commands;
}

export function showCommands(dev: string): Command[] {
  checkDev(dev);
  return ["qdisc", "class", "filter"].map((what) => ["tc", what, "show", "dev", dev]);
}
