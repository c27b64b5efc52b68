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
 *
 * With `background`, the outer step runs while the worker takes its next inner steps: a link that
 * is down, a partitioned region, a lost member's detection and the next epoch's healing all cost
 * the round's latency, not the workers' time. The step lands at the first inner step after it
 * completed: the worker keeps what it trained meanwhile on top of the new global parameters
 * (params = global + (params - params at the send)), and those steps weigh in the next outer step.
 * A send waits for the step before it to land, so a long fault makes one long round (a larger H
 * once), not a queue; a worker runs at most maxAheadSteps past its send, then waits for the landing.
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
  /** Inner steps go on while the outer step is in flight (see above; default false: the step blocks). */
  background?: boolean;
  /**
   * In the background, how far a worker may run ahead of the round in flight, in inner steps
   * (default 8 H): past it the worker waits for the round to land, which bounds how stale and how
   * large one round gets under a long fault.
   */
  maxAheadSteps?: number;
  /**
   * The group's work: no outer step is sent once the outer steps carried this many inner steps,
   * summed over members (`done`). Every member holds the same count after every round, so all
   * stop after the same one; a round a fault held up carries more steps, and the run fewer rounds.
   */
  totalInnerSteps?: number;
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

/** An outer step sent and not yet landed: the parameters at the send, and how the round ended. */
interface InFlight {
  sent: Float32Array;
  done: Promise<void>;
  settled: boolean;
  error?: unknown;
}

export class ElasticDiLoCo {
  readonly global: Float32Array;
  private readonly outer: OuterNesterov;
  /** Outer steps the global parameters have taken (this worker's own, or healed to). */
  outerSteps = 0;
  /** Inner steps since this worker's last send (its weight in the next outer step). */
  private inner = 0;
  /** Inner steps all members' outer steps carried, summed (the same on every member that took part). */
  contributedInnerSteps = 0;
  readonly events: ElasticEvent[] = [];
  private inFlight?: InFlight;
  /** A heal found this worker behind: its local progress is dropped when the round lands. */
  private behind = false;

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
   * Joins the group and takes its state (call once before the inner steps; it blocks). A worker
   * that arrives joins the round the others are in, so it runs that round's outer step with them,
   * weighing nothing: every member of a quorum runs the same ops.
   */
  async start(): Promise<void> {
    this.send();
    await this.land();
  }

  /**
   * Counts one inner step; every H-th sends the outer step (and, unless `background`, waits for
   * it). Resolves true when `params` changed: a framework must then copy them into its model.
   */
  async step(): Promise<boolean> {
    this.inner++;
    let changed = false;
    const ahead = this.options.maxAheadSteps ?? 8 * this.options.innerSteps;
    if (this.inFlight && (this.inFlight.settled || this.inner >= ahead)) changed = await this.land();
    if (!this.inFlight && this.inner >= this.options.innerSteps && !this.done) {
      this.send();
      if (!this.options.background) return this.land();
    }
    // Between inner steps the round's socket I/O and the membership's heartbeats get their turn.
    if (this.options.background) await new Promise((resolve) => setImmediate(resolve));
    return changed;
  }

  /** The group's outer steps have carried `totalInnerSteps`: nothing more is sent. */
  get done(): boolean {
    return this.contributedInnerSteps >= (this.options.totalInnerSteps ?? Infinity);
  }

  /** Lands the round in flight, if any, and sets the parameters to the global ones (call after the last step). */
  async finish(): Promise<void> {
    if (this.inFlight) await this.land();
    this.params.set(this.global);
  }

  /** Leaves the membership (nobody waits for this worker any more). */
  leave(): Promise<void> {
    return this.membership.leave();
  }

  /** Starts the outer step with the local progress since the last send. */
  private send(): void {
    const n = this.params.length;
    const payload = new Float32Array(n + 1);
    for (let i = 0; i < n; i++) payload[i] = (this.global[i] - this.params[i]) * this.inner;
    payload[n] = this.inner;
    const flight: InFlight = { sent: Float32Array.from(this.params), done: Promise.resolve(), settled: false };
    this.inner = 0;
    flight.done = this.round(payload).then(
      () => void (flight.settled = true),
      (error: unknown) => void Object.assign(flight, { settled: true, error }),
    );
    this.inFlight = flight;
  }

  /** Waits for the round in flight; the worker continues from the new global plus what it trained since the send. */
  private async land(): Promise<boolean> {
    const flight = this.inFlight!;
    await flight.done;
    this.inFlight = undefined;
    if (flight.error !== undefined) throw flight.error;
    if (this.behind) {
      this.behind = false;
      this.inner = 0;
      this.params.set(this.global);
      return true;
    }
    for (let i = 0; i < this.params.length; i++) this.params[i] = this.global[i] + (this.params[i] - flight.sent[i]);
    return true;
  }

  /**
   * One outer step with whoever is in the quorum: joins, heals when the epoch is new, averages.
   * An op that fails in a way a new quorum can cure is retried with the same payload, restored from
   * a backup (the all-reduce sums in place).
   */
  private async round(payload: Float32Array): Promise<void> {
    const backup = Float32Array.from(payload);
    for (;;) {
      const quorum = await this.membership.quorum(this.outerSteps);
      try {
        if (quorum.fresh && (await this.heal(quorum))) backup.fill(0); // behind: its progress is on stale parameters
        payload.set(backup);
        await quorum.comm.allReduce(payload, { op: "sum", timeoutMs: this.options.timeoutMs });
        this.applyOuter(quorum, payload);
        return;
      } catch (error) {
        if (!(error instanceof CommError && RETRYABLE.has(error.code))) throw error;
        this.membership.failed(error);
        this.emit({ kind: "retry", epoch: quorum.epoch, members: quorum.members, outerStep: this.outerSteps, detail: `${error.code}: ${error.message}` });
      }
    }
  }

  /** Takes the most advanced member's state; true when this worker was behind it. */
  private async heal(quorum: Quorum): Promise<boolean> {
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
    const behind = this.outerSteps !== most || (most === 0 && quorum.index !== root);
    if (behind) {
      this.behind = true;
      this.outerSteps = most;
    }
    this.emit({ kind: "healed", epoch: quorum.epoch, members: quorum.members, outerStep: most, detail: `from rank ${quorum.members[root]}` });
    return behind;
  }

  /** The summed pseudo-gradients and weights: divided by the weight, Nesterov on the global parameters. */
  private applyOuter(quorum: Quorum, payload: Float32Array): void {
    const n = this.params.length;
    const weight = payload[n];
    if (weight === 0) return; // no member has inner steps (the first round): nothing to average
    this.contributedInnerSteps += weight;
    const delta = payload.subarray(0, n);
    for (let i = 0; i < n; i++) delta[i] /= weight;
    this.outer.step(this.global, delta);
    this.outerSteps++;
    this.emit({ kind: "outer-step", epoch: quorum.epoch, members: quorum.members, outerStep: this.outerSteps });
  }

  private emit(partial: Omit<ElasticEvent, "atMs">): void {
    const event = { atMs: Date.now(), ...partial };
    this.events.push(event);
    this.onEvent?.(event);
  }
}
