import { invalidArgument } from "../../transports/errors.js";
import type { Communicator } from "../types.js";
import { OuterNesterov } from "./nesterov.js";
import { DILOCO_DEFAULTS, type DiLoCoOptions } from "./types.js";

/**
 * DiLoCo (Douillard et al., 2023): each worker takes H inner optimizer steps on its own
 * `params`; then the pseudo-gradient (global - local) is averaged over all ranks, the outer
 * Nesterov step moves the global parameters, and every worker continues from them.
 * Call `step()` after each inner optimizer step; it syncs every H-th call.
 */
export class DiLoCo {
  readonly global: Float32Array;
  private readonly outer: OuterNesterov;
  private steps = 0;
  syncs = 0;

  constructor(
    private readonly comm: Communicator,
    /** The worker's live parameters; overwritten in place at each sync. */
    readonly params: Float32Array,
    private readonly options: DiLoCoOptions,
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

  /** Counts one inner step; on every H-th, runs the outer sync. Resolves true when it synced. */
  async step(): Promise<boolean> {
    this.steps++;
    if (this.steps % this.options.innerSteps !== 0) return false;
    await this.sync();
    return true;
  }

  /** Outer step now: average the pseudo-gradient, apply Nesterov, reset local params to global. */
  async sync(): Promise<void> {
    const delta = new Float32Array(this.params.length);
    for (let i = 0; i < delta.length; i++) delta[i] = this.global[i] - this.params[i];
    await this.comm.allReduce(delta, { op: "avg", compress: this.options.compress, timeoutMs: this.options.timeoutMs });
    this.outer.step(this.global, delta);
    this.params.set(this.global);
    this.syncs++;
  }
}
