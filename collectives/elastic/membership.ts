import type { Communicator } from "../types.js";

/** One quorum as a member sees it: the communicator over its members, and where everyone stands. */
export interface Quorum {
  comm: Communicator;
  epoch: number;
  /** Ranks of the full world, ascending; this member is `members[index]` and rank `index` of `comm`. */
  members: readonly number[];
  index: number;
  /** Each member's completed outer steps, in the order of `members`. */
  steps: readonly number[];
  /** The epoch is new to this member (its communicator was just built): state must be healed. */
  fresh: boolean;
}

/**
 * A membership that changes (the root's initElastic over the lighthouse, or a test's): quorum()
 * at each step boundary; failed() when an op of the current quorum failed, so the next quorum
 * rebuilds the communicator; leave() when done.
 */
export interface Membership {
  quorum(step: number): Promise<Quorum>;
  failed(error: unknown): void;
  leave(): Promise<void>;
}
