import { execa, execaSync, type Result } from "execa";
import { NetemError } from "../errors.js";
import { clearCommands, showCommands, type Command } from "./builder.js";
import { noNetemError, requireNetem } from "./probe.js";

/** Where commands run: this host, a network namespace (`ip netns exec`) or a container (`docker exec`). */
export interface TcTarget {
  readonly netns?: string;
  readonly container?: string;
}

const TIMEOUT_MS = 15_000;
/** Answers of tc/ip that mean "there was nothing to remove". */
const NOTHING_TO_DELETE = /handle of zero|Cannot find specified qdisc|Invalid handle|No such file or directory|Cannot find device|does not exist|No such device/i;

export function prefixed(command: Command, target: TcTarget = {}): string[] {
  if (target.netns && target.container) throw new NetemError("give a network namespace or a container, not both", { code: "INVALID_ARGUMENT" });
  if (target.netns) return ["ip", "netns", "exec", target.netns, ...command];
  if (target.container) return ["docker", "exec", target.container, ...command];
  return [...command];
}

function failure(command: Command, result: Pick<Result, "stderr" | "code">): NetemError {
  const stderr = String(result.stderr ?? "").trim();
  const shown = command.join(" ");
  if (result.code === "ENOENT") {
    return new NetemError(`"${command[0]}" was not found: install iproute2 (apt-get install -y iproute2) or docker`, { code: "NO_TC", command, stderr });
  }
  if (/qdisc kind is unknown/i.test(stderr) && command.includes("netem")) return noNetemError(`"${shown}" failed: ${stderr}`, command, stderr);
  if (/Operation not permitted|Permission denied/i.test(stderr)) {
    return new NetemError(`"${shown}" was refused (${stderr}): run as root or with CAP_NET_ADMIN (docker: cap_add: [NET_ADMIN])`, { code: "NO_PERMISSION", command, stderr });
  }
  return new NetemError(`"${shown}" failed: ${stderr || "no output"}`, { code: "TC_FAILED", command, stderr });
}

/** Runs one command; with `tolerateMissing`, "nothing to delete" answers count as success. */
export async function runCommand(command: Command, target: TcTarget = {}, tolerateMissing = false): Promise<string> {
  const [file, ...args] = prefixed(command, target);
  const result = await execa(file, args, { reject: false, timeout: TIMEOUT_MS });
  if (result.exitCode === 0) return String(result.stdout);
  if (tolerateMissing && NOTHING_TO_DELETE.test(String(result.stderr))) return "";
  if (result.timedOut) throw new NetemError(`"${command.join(" ")}" did not finish in ${TIMEOUT_MS} ms`, { code: "TC_FAILED", command });
  throw failure(command, result);
}

/** Removes longhaul's qdiscs (root, ingress, its ifb) from `dev`; absent rules are fine. */
export async function clearDevice(dev: string, target: TcTarget = {}, options: { ifb?: string | false } = {}): Promise<void> {
  for (const command of clearCommands(dev, options)) await runCommand(command, target, true);
}

/**
 * Idempotent apply: clear the device, then run the commands in order (an htb root cannot be
 * `replace`d by itself, so replace-all is the safe form). Checks for sch_netem first so that a
 * kernel without it fails before anything is half-applied.
 */
export async function applyCommands(dev: string, commands: readonly Command[], target: TcTarget = {}): Promise<void> {
  if (commands.some((c) => c.includes("netem"))) requireNetem();
  await clearDevice(dev, target);
  for (const command of commands) {
    // `ip link add` of an ifb that exists already is fine.
    const tolerate = command[0] === "ip" && command[2] === "add";
    try {
      await runCommand(command, target);
    } catch (error) {
      if (!(tolerate && error instanceof NetemError && /File exists/i.test(error.stderr ?? ""))) throw error;
    }
  }
}

export async function showDevice(dev: string, target: TcTarget = {}): Promise<string> {
  const parts: string[] = [];
  for (const command of showCommands(dev)) parts.push((await runCommand(command, target)).trim());
  return parts.filter(Boolean).join("\n");
}

/** Synchronous clear for process-exit handlers (no event loop left to await in). */
export function clearDeviceSync(dev: string, target: TcTarget = {}, options: { ifb?: string | false } = {}): void {
  for (const command of clearCommands(dev, options)) {
    const [file, ...args] = prefixed(command, target);
    execaSync(file, args, { reject: false, timeout: TIMEOUT_MS });
  }
}
