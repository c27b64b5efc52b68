/**
 * Work handles (torch's `async_op=True` Work): an op started now, waited on later. Every
 * Communicator has `start`, the same ops returning a Work instead of a Promise. On the caller's
 * thread (the default) a Work learns that its op finished when the event loop runs; with the
 * communication thread (init({ commThread: true })) `isCompleted()` reads a flag the comm thread
 * sets in shared memory, so it turns true even while this thread never yields.
 */
import type { AllReduceOptions, Communicator, NumericArray, OpOptions, ReduceOptions } from "./types.js";

export interface Work<T> {
  /** Resolves with the op's result, or rejects with its CommError. */
  wait(): Promise<T>;
  /** True once the op finished, successfully or not. */
  isCompleted(): boolean;
  /** When the op finished (epoch ms, from the clock of the thread that ran it); undefined while it runs. */
  readonly completedAtMs: number | undefined;
}

/** The op surface again, each op returning a Work (`comm.start.allReduce(grad)`). */
export interface WorkStarter {
  allReduce<T extends NumericArray>(data: T, options?: AllReduceOptions): Work<T>;
  reduceScatter<T extends NumericArray>(input: T, options?: ReduceOptions): Work<T>;
  allGather<T extends NumericArray>(input: T, options?: OpOptions & { counts?: number[] }): Work<T>;
  broadcast<T extends NumericArray>(data: T, root: number, options?: OpOptions): Work<T>;
  reduce<T extends NumericArray>(data: T, root: number, options?: ReduceOptions): Work<T>;
  barrier(options?: OpOptions): Work<void>;
  send(data: NumericArray, peer: number, options?: OpOptions & { tag?: number }): Work<void>;
  recv<T extends NumericArray>(data: T, peer: number, options?: OpOptions & { tag?: number }): Work<T>;
}

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
