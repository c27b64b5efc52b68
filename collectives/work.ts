/**
 * Work handles (torch's `async_op=True` Work): an op started now, waited on later. Every
 * Communicator has `start`, the same ops returning a Work instead of a Promise. On the caller's
 * thread (the default) a Work learns that its op finished when the event loop runs; with the
 * communication thread (init({ commThread: true })) `isCompleted()` reads a flag the comm thread
 * sets in shared memory, so it turns true even while this thread never yields.
 */
import type { Communicator, Work, WorkStarter } from "./types.js";

/** A Work that follows a promise: completed once the promise settled and this thread saw it. */
export function promiseWork<T>(promise: Promise<T>): Work<T> {
  let completedAtMs: number | undefined;
  const settle = (): void => {
    completedAtMs = Date.now();
  };
  promise.then(settle, settle);
  return {
    wait: () => promise,
    isCompleted: () => completedAtMs !== undefined,
    get completedAtMs() {
      return completedAtMs;
    },
  };
}

/** `start` for a Communicator whose ops return promises: each op wrapped in promiseWork. */
export function promiseWorkStarter(comm: Omit<Communicator, "start">): WorkStarter {
  return {
    allReduce: (data, options) => promiseWork(comm.allReduce(data, options)),
    reduceScatter: (input, options) => promiseWork(comm.reduceScatter(input, options)),
    allGather: (input, options) => promiseWork(comm.allGather(input, options)),
    broadcast: (data, root, options) => promiseWork(comm.broadcast(data, root, options)),
    reduce: (data, root, options) => promiseWork(comm.reduce(data, root, options)),
    barrier: (options) => promiseWork(comm.barrier(options)),
    send: (data, peer, options) => promiseWork(comm.send(data, peer, options)),
    recv: (data, peer, options) => promiseWork(comm.recv(data, peer, options)),
  };
}
