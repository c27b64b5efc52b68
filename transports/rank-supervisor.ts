/**
 * What every launcher does around its ranks, whatever a rank is (a process, a worker thread): start
 * them one by one, stop all when one fails (a signal, then a kill after a grace period), forward
 * SIGINT/SIGTERM/SIGHUP, stop them when this process's parent goes away or an outside signal aborts,
 * stop them at a timeout (exit 124), and report the first failure's exit code.
 */
import { constants } from "node:os";
import { watchParent } from "./parent-watch.js";

export interface LaunchResult {
  /** 0 when every rank exited 0; else the first failure's code (128 + signal number for a signal). */
  code: number;
  failedRank?: number;
  timedOut?: boolean;
}

/** One started rank, as the supervisor sees it. */
export interface RankHandle {
  /** Resolves with the rank's exit status (128 + signal number for a signal). */
  readonly exited: Promise<number>;
  /** Passes a signal on (only called while the rank runs). */
  signal(signal: NodeJS.Signals): void;
  /** Ends it and whatever it started, now (also called after it exited). */
  kill(): void;
}

export interface SuperviseOptions {
  /** The ranks to start, in order. */
  ranks: readonly number[];
  start(rank: number): RankHandle;
  timeoutMs?: number;
  /** Between the stop signal and the kill (default 3 s). */
  graceMs?: number;
  stopWithParent?: boolean;
  /** Stops every rank and makes the launch end with code 1, e.g. when another node failed. */
  stop?: AbortSignal;
}

/** Signals forwarded to the ranks, from any route (a terminal, kill, a process group, a closed ssh session). */
export const FORWARDED: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export function signalStatus(signal: NodeJS.Signals | null | undefined): number {
  return 128 + (constants.signals[signal ?? "SIGTERM"] ?? 15);
}

export async function superviseRanks(options: SuperviseOptions): Promise<LaunchResult> {
  const handles = new Map<number, RankHandle>();
  const exited = new Set<number>();
  let result: LaunchResult | undefined;
  let stopping: NodeJS.Timeout | undefined;
  const graceMs = options.graceMs ?? 3000;

  const signalAll = (signal: NodeJS.Signals): void => {
    for (const [rank, handle] of handles) if (!exited.has(rank)) (signal === "SIGKILL" ? handle.kill() : handle.signal(signal));
  };
  const stopAll = (): void => {
    if (stopping) return;
    signalAll("SIGTERM");
    stopping = setTimeout(() => signalAll("SIGKILL"), graceMs);
  };
  const forward = (signal: NodeJS.Signals): void => {
    result ??= { code: signalStatus(signal) };
    if (stopping) signalAll("SIGKILL"); // a second signal: no more grace
    else signalAll(signal);
    stopping ??= setTimeout(() => signalAll("SIGKILL"), graceMs);
  };
  const onExit = (): void => signalAll("SIGKILL");
  for (const signal of FORWARDED) process.on(signal, forward);
  process.on("exit", onExit);
  const unwatch = options.stopWithParent === false ? () => undefined : watchParent(() => forward("SIGTERM"));
  const stopFromOutside = (): void => {
    result ??= { code: 1 };
    stopAll();
  };
  if (options.stop?.aborted) result = { code: 1 };
  options.stop?.addEventListener("abort", stopFromOutside);

  try {
    const done: Array<Promise<void>> = [];
    for (const rank of options.ranks) {
      // Yield between starts so a signal that arrives while a large world starts is handled now,
      // and stop starting once one has (or a rank has failed).
      await new Promise((resolve) => setImmediate(resolve));
      if (result) break;
      const handle = options.start(rank);
      handles.set(rank, handle);
      done.push(
        handle.exited.then((status) => {
          exited.add(rank);
          if (status !== 0 && !result) {
            result = { code: status, failedRank: rank };
            stopAll();
          }
        }),
      );
    }
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      result ??= { code: 124, timedOut: true };
      stopAll();
    }, options.timeoutMs);
    await Promise.all(done);
    clearTimeout(timer);
    return result ?? { code: 0 };
  } finally {
    for (const handle of handles.values()) handle.kill();
    clearTimeout(stopping);
    for (const signal of FORWARDED) process.off(signal, forward);
    process.off("exit", onExit);
    unwatch();
    options.stop?.removeEventListener("abort", stopFromOutside);
  }
}
