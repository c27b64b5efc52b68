/**
 * Synchronous data parallel over a membership that changes: one quorum per step. Each step the
 * worker joins; in a new epoch the members heal (the most advanced member — most steps, lowest
 * rank among equals — broadcasts the whole training state: parameters and the inner optimizer's
 * state, hash-checked against every member); then the gradients are averaged over the members.
 * An all-reduce that fails is retried in the next quorum from a backup of this worker's gradient
 * (PCCL's abort, restore, retry), so the step is retried with the survivors rather than discarded;
 * every member that completes a step applies the same average to the same state, so the members
 * stay bit-identical (checkEveryStep verifies it at every step: each member's hash of its state
 * before the step rides in the gradients' all-reduce, so the check costs no round of its own).
 */
import { CommError } from "../../world/comm-error.js";
import { checkHashSlots, checkSameEverywhere, COUNT_SPLIT, HASH_SLOTS, HASH_SLOTS_MAX_MEMBERS, healState, putHashSlots, RETRYABLE, stateHash } from "./heal.js";
import type { Membership, Quorum } from "./membership.js";

/** The training state a member holds and a joiner takes: read as one array, written back whole. */
export interface TrainingState {
  read(): Promise<Float32Array>;
  write(state: Float32Array): Promise<void>;
}

export interface ElasticSyncOptions {
  timeoutMs?: number;
  /** At each step, check that every member held the same state before it (a hash carried in the gradients' all-reduce). */
  checkEveryStep?: boolean;
}

export interface ElasticSyncEvent {
  kind: "healed" | "retry" | "step";
  atMs: number;
  epoch: number;
  members: readonly number[];
  step: number;
  detail?: string;
}

export class ElasticSync {
  /** Steps this worker has completed (or healed to). */
  steps = 0;
  /** Gradients the group's steps averaged, summed over steps (the same on every member that took part). */
  contributed = 0;
  readonly events: ElasticSyncEvent[] = [];

  constructor(
    private readonly membership: Membership,
    private readonly state: TrainingState,
    private readonly options: ElasticSyncOptions = {},
    private readonly onEvent?: (event: ElasticSyncEvent) => void,
  ) {}

  /**
   * The average of `gradient` over this step's members (in place); a worker that was healed in
   * this step's quorum is told so (`healed`), and its gradient, computed from the state it had,
   * is dropped: it contributes zeros and counts for nothing, and the caller recomputes next step.
   */
  async allReduce(gradient: Float32Array): Promise<{ healed: boolean }> {
    const backup = Float32Array.from(gradient);
    let healed = false;
    for (;;) {
      const quorum = await this.membership.quorum(this.steps);
      try {
        if (quorum.fresh) healed = (await this.heal(quorum)) || healed;
        const n = quorum.members.length;
        const check = this.options.checkEveryStep && !quorum.fresh;
        const when = `at step ${this.steps}`;
        // Past the members whose hash bytes sum exactly in float32, the check is a round of its own.
        if (check && n > HASH_SLOTS_MAX_MEMBERS) await checkSameEverywhere(quorum.comm, stateHash(await this.state.read()), this.options.timeoutMs, when);
        const slots = check && n <= HASH_SLOTS_MAX_MEMBERS;
        const payload = new Float32Array(backup.length + 1 + (slots ? HASH_SLOTS : 0));
        if (!healed) {
          payload.set(backup);
          payload[backup.length] = 1;
        }
        if (slots) putHashSlots(stateHash(await this.state.read()), payload, backup.length + 1);
        await quorum.comm.allReduce(payload, { op: "sum", timeoutMs: this.options.timeoutMs });
        if (slots) checkHashSlots(payload, backup.length + 1, n, when);
        const count = payload[backup.length];
        this.contributed += count;
        for (let i = 0; i < gradient.length; i++) gradient[i] = count > 0 ? payload[i] / count : 0;
        this.steps++;
        this.emit({ kind: "step", epoch: quorum.epoch, members: quorum.members, step: this.steps });
        return { healed };
      } catch (error) {
        if (!(error instanceof CommError && RETRYABLE.has(error.code))) throw error;
        this.membership.failed(error);
        this.emit({ kind: "retry", epoch: quorum.epoch, members: quorum.members, step: this.steps, detail: `${error.code}: ${error.message}` });
      }
    }
  }

  /** Takes the most advanced member's state; true when this worker's own was replaced by a more advanced one. */
  private async heal(quorum: Quorum): Promise<boolean> {
    const most = Math.max(...quorum.steps);
    const own = await this.state.read();
    const mine = new Float32Array(own.length + 2);
    mine.set(own);
    mine[own.length] = Math.floor(this.contributed / COUNT_SPLIT);
    mine[own.length + 1] = this.contributed % COUNT_SPLIT;
    const { state, root } = await healState(quorum, mine, this.steps, this.options.timeoutMs);
    // Every member writes the healed state, the root too: an optimizer that derives values on load
    // (Adam's bias corrections) then derives them the same way everywhere.
    await this.state.write(state.subarray(0, own.length));
    this.contributed = state[own.length] * COUNT_SPLIT + state[own.length + 1];
    const behind = this.steps !== most || (most === 0 && quorum.index !== root);
    this.steps = most;
    this.emit({ kind: "healed", epoch: quorum.epoch, members: quorum.members, step: most, detail: `from rank ${quorum.members[root]}` });
    return behind;
  }

  private emit(partial: Omit<ElasticSyncEvent, "atMs">): void {
    const event = { atMs: Date.now(), ...partial };
    this.events.push(event);
    this.onEvent?.(event);
  }
}
