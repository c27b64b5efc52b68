/**
 * `launch --threads`: this host's ranks as worker threads of the launcher (NCCL's shape: shared
 * memory inside a node). The launcher makes one MessageChannel per pair of local ranks and one shared
 * arena, and starts each worker on thread-rank-main.ts with its own environment, its ports and the
 * arena; init() in the trainer finds them (transports/threads/world.ts). Ranks on other nodes are reached over
 * ZeroMQ as before. A worker's process.exit(code) ends that worker only: it is that rank's exit code.
 */
import { Worker, type TransferListItem } from "node:worker_threads";
import { CommError } from "../world/comm-error.js";
import { splitLines } from "./lines.js";
import type { RankHandle } from "./rank-supervisor.js";
import { createSharedArena, markRankExited } from "../transports/threads/shared-arena.js";
import { parseThreadCommand } from "./thread-command.js";
import type { SignalMessage, ThreadRankData } from "./thread-rank-main.js";
import { createThreadMesh } from "../transports/threads/transport.js";

export interface ThreadRankSetup {
  command: string;
  args: readonly string[];
  cwd?: string;
  /** Global ranks this process runs, in order. */
  localRanks: readonly number[];
  envOf: (rank: number) => NodeJS.ProcessEnv;
  lines: (rank: number) => (stream: "stdout" | "stderr", line: string) => void;
}

/** Checks the command and prepares the channels; returns how to start each rank. */
export function threadRankStarter(setup: ThreadRankSetup): (rank: number) => RankHandle {
  const command = parseThreadCommand(setup.command, setup.args, setup.cwd);
  const count = setup.localRanks.length;
  const mesh = createThreadMesh(count);
  const shared = createSharedArena(count);
  const entry = new URL("./thread-rank-main.js", import.meta.url);
  return (rank) => {
    const index = setup.localRanks.indexOf(rank);
    const ports = mesh[index];
    const workerData: ThreadRankData = { script: command.script, args: command.args, world: { ranks: setup.localRanks, index, ports, shared } };
    let worker: Worker;
    try {
      worker = new Worker(entry, {
        workerData,
        transferList: ports.filter((p) => p !== undefined) as TransferListItem[],
        env: setup.envOf(rank),
        execArgv: command.execArgv,
        stdout: true,
        stderr: true,
      });
    } catch (error) {
      throw new CommError(`cannot start rank ${rank} as a worker thread (${(error as Error).message}); node flags that act on the whole process (--expose-gc, --max-old-space-size, ...) cannot be given to one thread: drop them, set them for the launcher (NODE_OPTIONS), or run without --threads`, { code: "INVALID_ARGUMENT", rank, op: "launch", cause: error });
    }
    const line = setup.lines(rank);
    const ended = (stream: "stdout" | "stderr") => new Promise<void>((resolve) => {
      splitLines(worker[stream], (text) => line(stream, text));
      worker[stream].on("end", resolve).on("close", resolve);
    });
    const output = Promise.all([ended("stdout"), ended("stderr")]);
    // An uncaught error ends the worker with code 1; its stack goes to the rank's stderr, as a process would print it.
    worker.on("error", (error) => {
      for (const text of String(error instanceof Error ? error.stack ?? error.message : error).split("\n")) line("stderr", text);
    });
    const code = new Promise<number>((resolve) => worker.on("exit", (exitCode) => {
      // Peers waiting in the arena learn of it at once (a port 'close' may never come).
      markRankExited(shared, count, index);
      resolve(exitCode);
    }));
    return {
      exited: code.then(async (exitCode) => (await output, exitCode)),
      signal: (signal) => worker.postMessage({ signal } satisfies SignalMessage),
      kill: () => void worker.terminate(),
    };
  };
}
