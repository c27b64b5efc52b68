import type { LinkProfile } from "../profile.js";
import { mergeImpairments, type LinkImpairment } from "../emulator/impairment.js";
import type { ImpairTarget } from "../faults/types.js";
import type { Command } from "./builder.js";
import { impairmentCommands } from "./fault-commands.js";
import { runCommand, type TcTarget } from "./runner.js";

/** A destination of a per-destination tree, with the site (region index) its link leads to. */
export interface ShapedDestination {
  /** Its place in the tree (perDestinationCommands' order). */
  readonly index: number;
  readonly ip: string;
  readonly profile: LinkProfile;
}

export interface TcFaultTargetOptions {
  readonly dev: string;
  /** The site whose egress `dev` carries: faults on links from other sites are theirs to lay. */
  readonly self: number;
  /** Destination by the site it leads to. */
  readonly destinations: ReadonlyMap<number, ShapedDestination>;
  readonly target?: TcTarget;
  /** Runs one command (default: the tc runner; tests hand a recorder). */
  readonly run?: (command: Command, target: TcTarget) => Promise<unknown>;
  /** A command that failed (the fault is then not in effect on the real link); default: stderr. */
  readonly onError?: (error: Error) => void;
}

/**
 * A fault clock's target on the real path: a link fault from this site to another changes that
 * destination's leaf of the tc tree. Commands run one after another in the order the clock laid
 * the faults; `settled()` resolves when every command so far has run.
 */
export class TcFaultTarget implements ImpairTarget {
  private readonly active = new Map<number, Map<string, LinkImpairment>>();
  private readonly merged = new Map<number, LinkImpairment | undefined>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: TcFaultTargetOptions) {}

  impair(src: number, dst: number, key: string, impairment: LinkImpairment | undefined): void {
    const dest = this.options.destinations.get(dst);
    if (src !== this.options.self || !dest) return;
    const list = this.active.get(dst) ?? new Map<string, LinkImpairment>();
    this.active.set(dst, list);
    if (impairment) list.set(key, impairment);
    else list.delete(key);
    const before = this.merged.get(dst);
    const now = mergeImpairments(list.values());
    this.merged.set(dst, now);
    const commands = impairmentCommands(this.options.dev, dest.index, dest.ip, dest.profile, before, now);
    const run = this.options.run ?? ((command: Command, target: TcTarget) => runCommand(command, target));
    const onError = this.options.onError ?? ((error: Error) => console.error(`longhaul: a link fault was not laid on ${this.options.dev}: ${error.message}`));
    this.queue = this.queue.then(async () => {
      for (const command of commands) {
        await run(command, this.options.target ?? {}).catch((error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));
      }
    });
  }

  settled(): Promise<void> {
    return this.queue;
  }
}
