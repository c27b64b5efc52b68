/**
 * The elastic membership protocol between ranks and the lighthouse (JSON frames over ZeroMQ
 * Dealer → Router). A rank heartbeats; at each outer-step boundary it asks to join the next quorum;
 * the lighthouse answers every joiner with the same quorum (epoch, members, each member's steps)
 * once every live rank has asked, and tells the members of an epoch to abort when one of them goes
 * silent, so an op blocked on a silent peer ends at the heartbeat bound, not at the op timeout.
 */
export type ToLighthouse =
  | { t: "hb"; rank: number }
  /** `step`: the outer steps this rank has completed (the most advanced member heals the others); `healthy`: its last epoch's ops all completed. */
  /**
   * `seq` counts this process's joins and `incarnation` names the process (a restarted rank is a new
   * one): a join resent before its answer arrived is not taken as the next one.
   */
  | { t: "join"; rank: number; incarnation: string; seq: number; step: number; healthy: boolean }
  /** The rank is done (its training finished): not a loss, nobody waits for it. */
  | { t: "leave"; rank: number };

export interface QuorumMessage {
  t: "quorum";
  /** Bumped whenever the members change or a member's last epoch failed. */
  epoch: number;
  /** Ranks of the full world, ascending; a member's rank in the epoch's world is its place here. */
  members: number[];
  /** Each member's completed outer steps, in the order of `members`. */
  steps: number[];
}

export type FromLighthouse =
  | QuorumMessage
  /** The join cannot be answered yet (and why); the rank keeps waiting. */
  | { t: "wait"; reason: string }
  /** A member of `epoch` went silent: abort its ops and join again. */
  | { t: "abort"; epoch: number; lost: number[] }
  /** The lighthouse took the rank's leave: nobody waits for it, and it is not lost. */
  | { t: "bye" };

/** A rank heartbeats this often (ms). */
export const ELASTIC_HEARTBEAT_MS = 1000;
/** A rank silent this long is lost: the members of its epoch abort and the next quorum goes on without it (ms; LONGHAUL_ELASTIC_DEAD_MS). */
export const DEFAULT_DEAD_AFTER_MS = 5000;
/** The lighthouse's address for a rank, tcp://host:port (set by `launch --elastic`). */
export const LIGHTHOUSE_ENV = "LONGHAUL_LIGHTHOUSE";
export const DEAD_AFTER_ENV = "LONGHAUL_ELASTIC_DEAD_MS";

export function encode(message: ToLighthouse | FromLighthouse): string {
  return JSON.stringify(message);
}

export function decode<T>(frame: Buffer): T | undefined {
  try {
    return JSON.parse(frame.toString("utf8")) as T;
  } catch {
    return undefined;
  }
}
