import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";

/** `docker …` that never throws: the caller decides what a non-zero exit means. */
export const docker = (args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeout?: number } = {}) =>
  execa("docker", args, { reject: false, all: true, timeout: options.timeout ?? 60_000, env: options.env });

/** "active", "inactive", "pending", "error" or "locked" (docker info's Swarm.LocalNodeState). */
export async function swarmState(): Promise<string> {
  return (await docker(["info", "--format", "{{.Swarm.LocalNodeState}}"])).stdout.trim();
}

export interface TaskState {
  readonly service: string;
  /** e.g. "Running 3 seconds ago", "Complete 1 second ago", "Failed 2 seconds ago". */
  readonly state: string;
  readonly error: string;
}

/** The stack's tasks, one line each, as `docker stack ps` shows them. */
export async function stackTasks(stack: string): Promise<TaskState[]> {
  const ps = await docker(["stack", "ps", stack, "--no-trunc", "--format", "{{.Name}}\t{{.CurrentState}}\t{{.Error}}"]);
  return ps.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [name, state, error] = line.split("\t");
      return { service: name.replace(/\.\d+$/, "").slice(stack.length + 1), state, error: error ?? "" };
    });
}

/** Services, networks and containers whose names carry the stack's prefix (`<stack>_`). */
export async function leftovers(stack: string): Promise<string[]> {
  const list = async (args: string[]) => (await docker(args)).stdout.split("\n").filter((name) => name.startsWith(`${stack}_`) || name.startsWith(`/${stack}_`));
  const services = await list(["service", "ls", "--format", "{{.Name}}"]);
  const networks = await list(["network", "ls", "--format", "{{.Name}}"]);
  const containers = await list(["ps", "-a", "--format", "{{.Names}}"]);
  return [...services.map((s) => `service ${s}`), ...networks.map((n) => `network ${n}`), ...containers.map((c) => `container ${c}`)];
}

/**
 * `docker stack rm` returns before the containers and the network are gone; this waits until none is
 * left (or `timeoutMs` passes) and returns what is still there.
 */
export async function removeStack(stack: string, timeoutMs = 90_000): Promise<string[]> {
  await docker(["stack", "rm", stack]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await leftovers(stack);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(1000);
  }
}
