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
  private inFlight?: { delta: Float32Array; done: Promise<unknown>; applyAt: number; snapshot: Float32Array };
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

  /**
   * Counts one inner step; on every H-th, runs the outer sync (or starts it, with overlapSteps).
   * Resolves true when `params` changed (a framework must then copy them back into its model).
   */
  async step(): Promise<boolean> {
    this.steps++;
    let changed = false;
    if (this.inFlight && this.steps >= this.inFlight.applyAt) changed = await this.land();
    if (this.steps % this.options.innerSteps !== 0) return changed;
    if (!this.options.overlapSteps) {
      await this.sync();
      return true;
    }
    const delta = this.pseudoGradient();
    this.inFlight = { delta, done: this.average(delta), applyAt: this.steps + this.options.overlapSteps, snapshot: Float32Array.from(this.params) };
    this.inFlight.done.catch(() => undefined); // surfaced by land()
    return changed;
  }

  /** Outer step now: average the pseudo-gradient, apply Nesterov, reset local params to global. */
  async sync(): Promise<void> {
    if (this.inFlight) await this.land();
    const delta = this.pseudoGradient();
    await this.average(delta);
    this.outer.step(this.global, delta);
    this.params.set(this.global);
    this.syncs++;
  }

  /** Finishes an overlapped exchange, if any (call before evaluating or stopping). */
  async flush(): Promise<boolean> {
    return this.inFlight ? this.land() : false;
  }

  private async land(): Promise<boolean> {
    const { delta, done, snapshot } = this.inFlight!;
    this.inFlight = undefined;
    await done;
    this.outer.step(this.global, delta);
    for (let i = 0; i < this.params.length; i++) this.params[i] = this.global[i] + (this.params[i] - snapshot[i]);
    this.syncs++;
    return true;
  }

  private pseudoGradient(): Float32Array {
    const delta = new Float32Array(this.params.length);
    for (let i = 0; i < delta.length; i++) delta[i] = this.global[i] - this.params[i];
    return delta;
  }

  private average(delta: Float32Array): Promise<Float32Array> {
    return this.comm.allReduce(delta, { op: "avg", compress: this.options.compress, timeoutMs: this.options.timeoutMs });
  }
}
