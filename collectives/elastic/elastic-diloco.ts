/**
 * DiLoCo over a membership that changes (torchft's and PCCL's ideas on DiLoCo's outer loop).
 * At every outer-step boundary the worker joins the next quorum. In a new epoch the members heal:
 * the most advanced member (most outer steps; the lowest rank among equals) broadcasts the global
 * parameters and the outer momentum, every member checks the result's hash against every other
 * member's (and, when it was as advanced, against its own), and a member that was behind drops its
 * local progress and starts from the healed global. Then the outer step averages the
 * pseudo-gradients weighted by the inner steps each member did since its last sync (a healed
 * joiner contributes nothing yet). An op that fails (a peer lost, an abort from the lighthouse) is
 * retried in the next quorum with the same local progress: the step is retried with the survivors,
 * as PCCL does, so no member's inner steps are thrown away and every member that completes an
 * outer step holds bit-identical global parameters.
 */
import { CommError, invalidArgument } from "../../world/comm-error.js";
import { OuterNesterov } from "../diloco/nesterov.js";
import { DILOCO_DEFAULTS } from "../diloco/types.js";
import { COUNT_SPLIT, healState, RETRYABLE } from "./heal.js";
import type { Membership, Quorum } from "./membership.js";

export interface ElasticDiLoCoOptions {
  innerSteps: number;
  outerLr?: number;
  momentum?: number;
  timeoutMs?: number;
}

/** What the outer loop did, for a trainer's log and report. */
export interface ElasticEvent {
  kind: "healed" | "retry" | "outer-step";
  /** When it happened (epoch ms: comparable across processes of one host). */
  atMs: number;
  epoch: number;
  members: readonly number[];
  outerStep: number;
  /** retry: the error that failed the op; healed: from which member. */
  detail?: string;
}


export class ElasticDiLoCo {
  readonly global: Float32Array;
  private readonly outer: OuterNesterov;
  /** Outer steps this worker has completed (or healed to). */
  outerSteps = 0;
  /** Inner steps since this worker's last outer step (its weight in the next one). */
  private inner = 0;
  /** Inner steps all members' outer steps carried, summed (the same on every member that took part). */
  contributedInnerSteps = 0;
  readonly events: ElasticEvent[] = [];

  constructor(
    private readonly membership: Membership,
    /** The worker's live parameters; overwritten in place when outer steps land or state is healed. */
    readonly params: Float32Array,
    private readonly options: ElasticDiLoCoOptions,
    private readonly onEvent?: (event: ElasticEvent) => void,
  ) {
    if (!(Number.isInteger(options.innerSteps) && options.innerSteps >= 1)) {
      throw invalidArgument(`DiLoCo innerSteps (H) must be a positive integer, got ${options.innerSteps}`);
    }
    this.global = Float32Array.from(params);
    this.outer = new OuterNesterov(params.length, options.outerLr ?? DILOCO_DEFAULTS.outerLr, options.momentum ?? DILOCO_DEFAULTS.momentum);
  }

  /**
   * Joins the group and takes its state (call once before the inner steps). A worker that arrives
   * joins the round the others are in, so it runs that round's outer step with them, weighing
   * nothing: every member of a quorum runs the same ops.
   */
  async start(): Promise<void> {
    await this.withQuorum((quorum) => this.exchange(quorum));
  }

  /** Counts one inner step; every H-th runs the outer step. Resolves true when `params` changed. */
  async step(): Promise<boolean> {
    this.inner++;
    if (this.inner < this.options.innerSteps) return false;
    await this.withQuorum((quorum) => this.exchange(quorum));
    return true;
  }

  /** Leaves the membership (nobody waits for this worker any more). */
  leave(): Promise<void> {
    return this.membership.leave();
  }

  /** Joins a quorum, heals if its epoch is new, runs `op`; on a failure that a new quorum can cure, again. */
  private async withQuorum(op: (quorum: Quorum) => Promise<void>): Promise<void> {
    for (;;) {
      const quorum = await this.membership.quorum(this.outerSteps);
      try {
        if (quorum.fresh) await this.heal(quorum);
        await op(quorum);
        return;
      } catch (error) {
        if (!(error instanceof CommError && RETRYABLE.has(error.code))) throw error;
        this.membership.failed(error);
        this.emit({ kind: "retry", epoch: quorum.epoch, members: quorum.members, outerStep: this.outerSteps, detail: `${error.code}: ${error.message}` });
      }
    }
  }

  private async heal(quorum: Quorum): Promise<void> {
    const n = this.params.length;
    // Global parameters, outer momentum, and the contributed count (split to stay exact in float32).
    const mine = new Float32Array(2 * n + 2);
    mine.set(this.global);
    mine.set(this.outer.buffer, n);
    mine[2 * n] = Math.floor(this.contributedInnerSteps / COUNT_SPLIT);
    mine[2 * n + 1] = this.contributedInnerSteps % COUNT_SPLIT;
    const most = Math.max(...quorum.steps);
    const { state, root } = await healState(quorum, mine, this.outerSteps, this.options.timeoutMs);
    this.global.set(state.subarray(0, n));
    this.outer.buffer.set(state.subarray(n, 2 * n));
    this.contributedInnerSteps = state[2 * n] * COUNT_SPLIT + state[2 * n + 1];
    if (this.outerSteps !== most || (most === 0 && quorum.index !== root)) {
      this.params.set(this.global);
      this.inner = 0;
      this.outerSteps = most;
    }
    this.emit({ kind: "healed", epoch: quorum.epoch, members: quorum.members, outerStep: most, detail: `from rank ${quorum.members[root]}` });
  }

  /** The outer step: pseudo-gradients weighted by inner steps, summed with the weights, divided, Nesterov. */
  private async exchange(quorum: Quorum): Promise<void> {
    const n = this.params.length;
    const payload = new Float32Array(n + 1);
    for (let i = 0; i < n; i++) payload[i] = (this.global[i] - this.params[i]) * this.inner;
    payload[n] = this.inner;
    await quorum.comm.allReduce(payload, { op: "sum", timeoutMs: this.options.timeoutMs });
    const weight = payload[n];
    if (weight === 0) return; // no member has inner steps (the first round): nothing to average
    this.contributedInnerSteps += weight;
    const delta = payload.subarray(0, n);
    for (let i = 0; i < n; i++) delta[i] /= weight;
    this.outer.step(this.global, delta);
    this.params.set(this.global);
    this.inner = 0;
    this.outerSteps++;
    this.emit({ kind: "outer-step", epoch: quorum.epoch, members: quorum.members, outerStep: this.outerSteps });
  }

  private emit(partial: Omit<ElasticEvent, "atMs">): void {
    const event = { atMs: Date.now(), ...partial };
    this.events.push(event);
    this.onEvent?.(event);
  }
}
