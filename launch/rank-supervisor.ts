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
  /** Called once every rank has been started, with the control a fault schedule kills and restarts ranks through. */
  onStarted?: (control: RankControl) => void;
  /**
   * Elastic: a rank that fails does not stop the others (the membership goes on without it); it is
   * started again up to maxRestarts times (torchrun's --max-restarts, counted per rank). The launch
   * ends 0 when at least one rank finished 0, else with the first failure's code.
   */
  elastic?: ElasticSupervision;
}

export interface ElasticSupervision {
  maxRestarts: number;
  log?: (line: string) => void;
  /** A rank's process ended (for whatever reason): the lighthouse need not wait out its heartbeat bound. */
  onExit?: (rank: number) => void;
}

/**
 * Process faults (netem/faults): a rank killed through `kill` is not a failure — the others go on
 * (and learn of it as their peer being lost) — and `restart` starts it again the same way it was
 * started (same environment). A job whose every rank has ended does not wait for a restart.
 */
export interface RankControl {
  /** Kills the rank and whatever it started now (SIGKILL to its process group); throws when it is not running. */
  kill(rank: number): void;
  /** Starts the killed rank again once its process is gone; rejects when it runs, or the job is ending. */
  restart(rank: number): Promise<void>;
}

/** Signals forwarded to the ranks, from any route (a terminal, kill, a process group, a closed ssh session). */
export const FORWARDED: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export function signalStatus(signal: NodeJS.Signals | null | undefined): number {
  return 128 + (constants.signals[signal ?? "SIGTERM"] ?? 15);
}

interface Started {
  readonly handle: RankHandle;
  done: boolean;
  /** Killed by a fault: its exit status is not a failure. */
  faulted: boolean;
}

export async function superviseRanks(options: SuperviseOptions): Promise<LaunchResult> {
  const current = new Map<number, Started>();
  const all: RankHandle[] = [];
  let result: LaunchResult | undefined;
  let stopping: NodeJS.Timeout | undefined;
  let running = 0;
  let starting = true;
  let ended = false;
  let allEnded!: () => void;
  const finished = new Promise<void>((resolve) => (allEnded = resolve));
  const graceMs = options.graceMs ?? 3000;

  const signalAll = (signal: NodeJS.Signals): void => {
    for (const started of current.values()) if (!started.done) (signal === "SIGKILL" ? started.handle.kill() : started.handle.signal(signal));
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

  const restarts = new Map<number, number>();
  let succeeded = 0;
  let firstFailure: LaunchResult | undefined;
  /** Elastic: the failed rank starts again while it has restarts left; true when it did. */
  const restartFailed = (rank: number, status: number): boolean => {
    const elastic = options.elastic!;
    firstFailure ??= { code: status, failedRank: rank };
    const used = restarts.get(rank) ?? 0;
    if (used >= elastic.maxRestarts || ended || result) {
      elastic.log?.(`rank ${rank} exited with ${status}; ${elastic.maxRestarts > 0 ? `its ${elastic.maxRestarts} restart(s) are used up, ` : ""}the others go on without it`);
      return false;
    }
    restarts.set(rank, used + 1);
    elastic.log?.(`rank ${rank} exited with ${status}; restart ${used + 1} of ${elastic.maxRestarts}`);
    start(rank);
    return true;
  };
  const start = (rank: number): void => {
    const started: Started = { handle: options.start(rank), done: false, faulted: false };
    current.set(rank, started);
    all.push(started.handle);
    running++;
    void started.handle.exited.then((status) => {
      started.done = true;
      running--;
      options.elastic?.onExit?.(rank);
      if (status === 0) succeeded++;
      if (status !== 0 && !started.faulted && !result) {
        if (options.elastic) restartFailed(rank, status);
        else {
          result = { code: status, failedRank: rank };
          stopAll();
        }
      }
      if (running === 0 && !starting) {
        ended = true;
        allEnded();
      }
    });
  };
  const control: RankControl = {
    kill: (rank) => {
      const started = current.get(rank);
      if (!started || started.done) throw new Error(`rank ${rank} is not running in this launch${started ? " (it has ended)" : ""}`);
      started.faulted = true;
      started.handle.kill();
    },
    restart: async (rank) => {
      const started = current.get(rank);
      if (!started) throw new Error(`rank ${rank} is not started by this launch`);
      if (!started.faulted) throw new Error(`rank ${rank} is running (it was not killed by a fault); kill it first`);
      await started.handle.exited;
      if (ended || result || current.get(rank) !== started) throw new Error(`the job is ending; rank ${rank} is not restarted`);
      start(rank);
    },
  };

  try {
    for (const rank of options.ranks) {
      // Yield between starts so a signal that arrives while a large world starts is handled now,
      // and stop starting once one has (or a rank has failed).
      await new Promise((resolve) => setImmediate(resolve));
      if (result) break;
      start(rank);
    }
    starting = false;
    if (running === 0) {
      ended = true;
      allEnded();
    } else if (!result) options.onStarted?.(control);
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      result ??= { code: 124, timedOut: true };
      stopAll();
    }, options.timeoutMs);
    await finished;
    clearTimeout(timer);
    return result ?? (firstFailure && succeeded === 0 ? firstFailure : { code: 0 });
  } finally {
    ended = true;
    for (const handle of all) handle.kill();
    clearTimeout(stopping);
    for (const signal of FORWARDED) process.off(signal, forward);
    process.off("exit", onExit);
    unwatch();
    options.stop?.removeEventListener("abort", stopFromOutside);
  }
}
