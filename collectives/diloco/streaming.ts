import type { Communicator } from "../types.js";
import { fragmentsDueAt, planFragments, type Fragment } from "./fragments.js";
import { OuterState } from "./outer-state.js";
import type { StreamingDiLoCoOptions } from "./types.js";

interface Pending {
  fragment: Fragment;
  applyAt: number;
  delta: Float32Array;
  done: Promise<Float32Array>;
}

/**
 * Streaming DiLoCo (Douillard et al., 2025): the parameters are split into fragments that sync
 * at staggered steps; a fragment's averaged pseudo-gradient is exchanged while the next
 * `overlapSteps` inner steps run, then the outer Nesterov step updates that fragment's global
 * copy and the local fragment is merged: local <- a * local + (1 - a) * global.
 */
export class StreamingDiLoCo extends OuterState {
  readonly fragments: readonly Fragment[];
  private readonly pending: Pending[] = [];

  constructor(comm: Communicator, params: Float32Array, private readonly streaming: StreamingDiLoCoOptions) {
    super(comm, params, streaming);
    this.fragments = planFragments(params.length, streaming.innerSteps, streaming.fragments ?? 4, streaming.boundaries);
  }

  /**
   * Call after each inner step: applies exchanges that are due, starts the fragments due now.
   * Resolves true when `params` changed (a framework must then copy them back into its model).
   */
  async step(): Promise<boolean> {
    this.steps++;
    let changed = false;
    while (this.pending.length > 0 && this.pending[0].applyAt <= this.steps) {
      await this.apply(this.pending.shift()!);
      changed = true;
    }
    for (const fragment of fragmentsDueAt(this.fragments, this.options.innerSteps, this.steps)) this.start(fragment);
    return changed;
  }

  /** Waits for every exchange in flight and applies it (call before evaluating or stopping). */
  async flush(): Promise<void> {
    while (this.pending.length > 0) await this.apply(this.pending.shift()!);
  }

  /**
   * Ends training with one consensus: applies what is in flight, then one outer step over all
   * fragments at once, so every rank leaves with the same parameters (one extra full exchange).
   */
  async finish(): Promise<void> {
    await this.flush();
    const all = { index: -1, start: 0, end: this.params.length, offset: 0 };
    this.start(all);
    const last = this.pending.pop()!;
    await last.done;
    this.outer.step(this.global, last.delta, 0);
    this.params.set(this.global);
    this.syncs++;
  }

  private start(fragment: Fragment): void {
    const delta = this.pseudoGradient(fragment.start, fragment.end);
    const done = this.average(delta);
    done.catch(() => undefined); // surfaced by apply(); avoids an unhandled rejection meanwhile
    this.pending.push({ fragment, delta, done, applyAt: this.steps + (this.streaming.overlapSteps ?? 5) });
  }

  private async apply(p: Pending): Promise<void> {
    const averaged = await p.done;
    const { start, end } = p.fragment;
    this.outer.step(this.global, averaged, start);
    const alpha = this.streaming.mixing ?? 0.5;
    for (let i = start; i < end; i++) this.params[i] = alpha * this.params[i] + (1 - alpha) * this.global[i];
    this.syncs++;
  }
}
