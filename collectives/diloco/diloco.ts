import type { Communicator } from "../types.js";
import { invalidArgument } from "../../world/comm-error.js";
import { OuterState } from "./outer-state.js";
import type { DiLoCoOptions } from "./types.js";

/**
 * DiLoCo (Douillard et al., 2023): each worker takes H inner optimizer steps on its own
 * `params`; then the pseudo-gradient (global - local) is averaged over all ranks, the outer
 * Nesterov step moves the global parameters, and every worker continues from them.
 * Call `step()` after each inner optimizer step; it syncs every H-th call.
 */
export class DiLoCo extends OuterState {
  private inFlight?: { delta: Float32Array; done: Promise<unknown>; applyAt: number; snapshot: Float32Array };

  constructor(comm: Communicator, params: Float32Array, options: DiLoCoOptions) {
    super(comm, params, options);
    const overlap = options.overlapSteps ?? 0;
    if (!(Number.isInteger(overlap) && overlap >= 0 && overlap <= options.innerSteps)) {
      throw invalidArgument(`DiLoCo overlapSteps must be an integer from 0 to innerSteps (${options.innerSteps}): an exchange lands before the next is sent; got ${options.overlapSteps}`);
    }
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
}
