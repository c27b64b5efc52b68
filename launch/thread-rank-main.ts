/**
 * The entry of each worker thread `launch --threads` starts: registers the rank's thread world
 * (transports/threads/world.ts), makes process.argv what the trainer would see as a process, passes the
 * launcher's signals on, then imports the trainer script.
 */
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import { signalStatus } from "./rank-supervisor.js";
import { registerThreadWorld, type ThreadWorld } from "../transports/threads/world.js";

export interface ThreadRankData {
  script: string;
  args: string[];
  world: ThreadWorld;
}

/** Sent by the launcher: a signal meant for this rank. */
export interface SignalMessage {
  signal: NodeJS.Signals;
}

/**
 * Signals do not reach worker threads: the launcher posts them. A trainer that listens for the
 * signal gets it as an event; otherwise the rank ends as a process would (128 + signal number).
 */
function onSignal({ signal }: SignalMessage): void {
  if (process.listenerCount(signal) > 0) process.emit(signal, signal);
  else process.exit(signalStatus(signal));
}

const data = workerData as ThreadRankData;
registerThreadWorld(data.world);
process.argv = [process.execPath, data.script, ...data.args];
parentPort?.on("message", onSignal);
parentPort?.unref(); // listening for signals must not keep a finished rank alive
await import(pathToFileURL(data.script).href);
