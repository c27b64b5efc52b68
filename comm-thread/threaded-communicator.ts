/**
 * The Communicator a rank gets with init({ commThread: true }): the same op surface, each op
 * forwarded to the communication thread. Arguments are checked here as on the calling thread (the
 * same INVALID_ARGUMENT errors, thrown at the call). An array already in a SharedArrayBuffer is
 * used in place (zero-copy); any other is copied into reused staging memory and its result copied
 * back when the op finishes. reduceScatter and allGather return new arrays, as they do without the
 * thread; theirs lie in shared memory, written by the thread.
 */
import { getAllReduceAlgorithm, allReduceAlgorithmNames } from "../collectives/registry.js";
import { blockBounds } from "../collectives/algorithms/ring-pass.js";
import type { AllReduceOptions, Communicator, NumericArray, OpOptions, ReduceOptions } from "../collectives/types.js";
import { Validator } from "../collectives/validate.js";
import type { Work, WorkStarter } from "../collectives/types.js";
import type { Topology } from "../world/topology.js";
import type { CommThreadLink } from "./link.js";
import type { Traffic } from "../collectives/compression/traffic.js";
import { TRAFFIC_FIELDS, type OpName, type SharedView } from "./messages.js";
import { describe, isShared, sharedLike } from "./shared-views.js";
import { ResidualKeys } from "./residual-keys.js";
import { StagingPool } from "./staging.js";
import { failedWork, ThreadWork } from "./thread-work.js";

/** How one op's array travels: copied in before it, copied back after it (when it is not already shared). */
interface DataPlan {
  data: NumericArray;
  copyIn: boolean;
  copyBack: boolean;
}

export class ThreadedCommunicator implements Communicator {
  /** The thread's counts as of the last op that ended (init({ countTraffic: true })). */
  get traffic(): Traffic | undefined {
    const counts = this.trafficCounts;
    return counts && (Object.fromEntries(TRAFFIC_FIELDS.map((field, i) => [field, counts[i]])) as unknown as Traffic);
  }

  readonly start: WorkStarter;
  /** Staging buffers made so far (repeated sizes reuse them). */
  readonly staging = new StagingPool();
  private readonly check: Validator;
  private readonly residualKeys = new ResidualKeys();

  constructor(
    private readonly link: CommThreadLink,
    readonly rank: number,
    readonly size: number,
    readonly topology: Topology,
    private readonly trafficCounts?: Float64Array,
  ) {
    this.check = new Validator(rank, size);
    this.start = {
      allReduce: (data, options = {}) => {
        this.checkReduce("allReduce", data, options);
        const name = options.algorithm ?? "auto";
        if (!getAllReduceAlgorithm(name)) this.check.fail("allReduce", `unknown algorithm "${name}"; choose one of ${allReduceAlgorithmNames().join(", ")}`);
        return this.submit("allReduce", { data, copyIn: true, copyBack: true }, this.residualKeys.name(data, options), () => data);
      },
      reduceScatter: (input, options = {}) => {
        this.checkReduce("reduceScatter", input, options, "input");
        const [lo, hi] = blockBounds(input.length, this.size)(this.rank);
        return this.submit("reduceScatter", { data: input, copyIn: true, copyBack: false }, options, (out) => out as typeof input, undefined, hi - lo);
      },
      allGather: (input, options = {}) => {
        this.check.data("allGather", input, "input");
        const counts = options.counts === undefined ? undefined : this.check.counts("allGather", options.counts, input.length);
        const total = counts ? counts.reduce((a, b) => a + b, 0) : input.length * this.size;
        return this.submit("allGather", { data: input, copyIn: true, copyBack: false }, options, (out) => out as typeof input, undefined, total);
      },
      broadcast: (data, root, options = {}) => {
        this.checkRooted("broadcast", data, root);
        return this.submit("broadcast", { data, copyIn: root === this.rank, copyBack: root !== this.rank }, options, () => data, root);
      },
      reduce: (data, root, options = {}) => {
        this.checkReduce("reduce", data, options);
        this.check.rankArg("reduce", "root", root);
        return this.submit("reduce", { data, copyIn: true, copyBack: true }, options, () => data, root);
      },
      barrier: (options = {}) => this.submit("barrier", undefined, options, () => undefined),
      send: (data, peer, options = {}) => {
        this.checkPeer("send", data, peer, options.tag);
        return this.submit("send", { data, copyIn: true, copyBack: false }, options, () => undefined, peer);
      },
      recv: (data, peer, options = {}) => {
        this.checkPeer("recv", data, peer, options.tag);
        return this.submit("recv", { data, copyIn: false, copyBack: true }, options, () => data, peer);
      },
    };
  }

  allReduce<T extends NumericArray>(data: T, options?: AllReduceOptions): Promise<T> {
    return this.start.allReduce(data, options).wait();
  }
  reduceScatter<T extends NumericArray>(input: T, options?: ReduceOptions): Promise<T> {
    return this.start.reduceScatter(input, options).wait();
  }
  allGather<T extends NumericArray>(input: T, options?: OpOptions & { counts?: number[] }): Promise<T> {
    return this.start.allGather(input, options).wait();
  }
  broadcast<T extends NumericArray>(data: T, root: number, options?: OpOptions): Promise<T> {
    return this.start.broadcast(data, root, options).wait();
  }
  reduce<T extends NumericArray>(data: T, root: number, options?: ReduceOptions): Promise<T> {
    return this.start.reduce(data, root, options).wait();
  }
  barrier(options?: OpOptions): Promise<void> {
    return this.start.barrier(options).wait();
  }
  send(data: NumericArray, peer: number, options?: OpOptions & { tag?: number }): Promise<void> {
    return this.start.send(data, peer, options).wait();
  }
  recv<T extends NumericArray>(data: T, peer: number, options?: OpOptions & { tag?: number }): Promise<T> {
    return this.start.recv(data, peer, options).wait();
  }

  /** Waits for the ops already issued, runs the transport's closing handshake in the thread, and ends it. */
  close(): Promise<void> {
    return this.link.close();
  }

  private checkReduce(op: string, data: unknown, options: ReduceOptions, name?: string): void {
    this.check.data(op, data, name);
    this.check.reduceOp(op, options.op);
  }

  private checkRooted(op: string, data: unknown, root: number): void {
    this.check.data(op, data);
    this.check.rankArg(op, "root", root);
  }

  private checkPeer(op: string, data: unknown, peer: number, tag: unknown): void {
    this.check.data(op, data);
    this.check.rankArg(op, "peer", peer, false);
    this.check.tag(op, tag);
  }

  /**
   * Stages the op's array (unless it is shared already), posts the op, and on completion copies the
   * result back and frees the staging; `outLength` asks for a new shared result array of that length.
   */
  private submit<R>(op: OpName, plan: DataPlan | undefined, options: OpOptions, result: (out?: NumericArray) => R, rank?: number, outLength?: number): Work<R> {
    const refusal = this.link.refusal(op);
    if (refusal) return failedWork(refusal);
    this.check.timeout(op, options.timeoutMs, 1);
    let staged: { view: NumericArray; buffer: SharedArrayBuffer } | undefined;
    let data: SharedView | undefined;
    if (plan) {
      const source = plan.data;
      if (isShared(source)) data = describe(source);
      else {
        const buffer = this.staging.acquire(source.byteLength);
        staged = { view: sharedLike(source, buffer, source.length), buffer };
        if (plan.copyIn) staged.view.set(source);
        data = describe(staged.view);
      }
    }
    const out = outLength === undefined ? undefined : sharedLike(plan!.data, new SharedArrayBuffer(outLength * plan!.data.BYTES_PER_ELEMENT), outLength);
    let settle!: { resolve: (value: R) => void; reject: (error: Error) => void };
    const promise = new Promise<R>((resolve, reject) => (settle = { resolve, reject }));
    const onDone = (error: Error | undefined, atMs: number): void => {
      if (staged) {
        if (!error && plan!.copyBack) plan!.data.set(staged.view);
        this.staging.release(staged.buffer);
      }
      work.settle(atMs);
      if (error) settle.reject(error);
      else settle.resolve(result(out));
    };
    let slot;
    try {
      slot = this.link.post({ op, data, out: out && describe(out), rank, options: { ...options } }, onDone);
    } catch (error) {
      if (staged) this.staging.release(staged.buffer);
      throw error;
    }
    const work = new ThreadWork(promise, slot);
    return work;
  }
}
