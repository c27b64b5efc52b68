import { invalidArgument } from "../../world/comm-error.js";
import type { Communicator } from "../types.js";
import { OuterNesterov } from "./nesterov.js";
import { DILOCO_DEFAULTS, type DiLoCoOptions } from "./types.js";

/** What DiLoCo and Streaming DiLoCo share: the global copy, the outer optimizer, the exchange. */
export abstract class OuterState {
  readonly global: Float32Array;
  protected readonly outer: OuterNesterov;
  protected steps = 0;
  syncs = 0;

  constructor(
    protected readonly comm: Communicator,
    /** The worker's live parameters; overwritten in place when outer steps land. */
    readonly params: Float32Array,
    protected readonly options: DiLoCoOptions,
  ) {
    if (!(Number.isInteger(options.innerSteps) && options.innerSteps >= 1)) {
      throw invalidArgument(`DiLoCo innerSteps (H) must be a positive integer, got ${options.innerSteps}`);
    }
    this.global = Float32Array.from(params);
    this.outer = new OuterNesterov(params.length, options.outerLr ?? DILOCO_DEFAULTS.outerLr, options.momentum ?? DILOCO_DEFAULTS.momentum);
  }

  /** Makes every rank start from rank 0's parameters (call once, on every rank, before training). */
  async broadcastInitial(): Promise<void> {
    await this.comm.broadcast(this.params, 0, { timeoutMs: this.options.timeoutMs });
    this.global.set(this.params);
  }

  /** global - local over [start, end): the pseudo-gradient. */
  protected pseudoGradient(start = 0, end = this.params.length): Float32Array {
    const delta = new Float32Array(end - start);
    for (let i = 0; i < delta.length; i++) delta[i] = this.global[start + i] - this.params[start + i];
    return delta;
  }

  /** Averages `delta` over all ranks in place (compressed on the wire when asked). */
  protected average(delta: Float32Array): Promise<Float32Array> {
    return this.comm.allReduce(delta, { op: "avg", compress: this.options.compress, timeoutMs: this.options.timeoutMs });
  }
}
