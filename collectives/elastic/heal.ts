/**
 * What every elastic loop does in a new epoch: the most advanced member (most steps, the lowest
 * rank among equals) broadcasts its state; every member checks the hash of what it received against
 * every other member's, and a member that was as advanced also against its own — a difference is a
 * MISMATCH error, never a silent divergence.
 */
import { CommError } from "../../world/comm-error.js";
import type { Communicator } from "../types.js";
import type { Quorum } from "./membership.js";

/** float32 holds integers exactly up to 2^24: a count travels in a state as two such parts. */
export const COUNT_SPLIT = 2 ** 24;

/** Errors a new quorum can cure: the peer or the link went away mid-op. */
export const RETRYABLE: ReadonlySet<string> = new Set(["PEER_LOST", "TIMEOUT", "CLOSED"]);

/**
 * The root's state, in `mine` (overwritten), checked everywhere. Before the first step (every
 * member at 0) each holds its own initial state: the root's is taken, unchecked against one's own.
 */
export async function healState(quorum: Quorum, mine: Float32Array, mySteps: number, timeoutMs: number | undefined): Promise<{ state: Float32Array; root: number }> {
  const most = Math.max(...quorum.steps);
  const root = quorum.steps.indexOf(most);
  const own = most > 0 && mySteps === most ? stateHash(mine) : undefined;
  await quorum.comm.broadcast(mine, root, { timeoutMs });
  const healed = stateHash(mine);
  if (own !== undefined && own !== healed) {
    throw new CommError(`rank ${quorum.members[quorum.index]} and rank ${quorum.members[root]} both completed ${most} steps but hold different state (hash ${own.toString(16)} against ${healed.toString(16)}); the run cannot go on consistently — restart it from a checkpoint`, { code: "MISMATCH", op: "heal" });
  }
  await checkSameEverywhere(quorum.comm, healed, timeoutMs, "after healing from the most advanced member");
  return { state: mine, root };
}

/** FNV-1a over the bytes: a member's state, compared across members. */
export function stateHash(data: Float32Array): number {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return hash >>> 0;
}

/** Every member holds `hash`: the max of (hash, -hash) over the members equals (hash, -hash) only if all agree. */
export async function checkSameEverywhere(comm: Communicator, hash: number, timeoutMs: number | undefined, when: string): Promise<void> {
  const probe = new Float64Array([hash, -hash]);
  await comm.allReduce(probe, { op: "max", timeoutMs });
  if (probe[0] !== hash || -probe[1] !== hash) {
    throw new CommError(`${when}, the members' states differ (hashes from ${(-probe[1]).toString(16)} to ${probe[0].toString(16)}); restart the run from a checkpoint`, { code: "MISMATCH", op: "check" });
  }
}

/** Slots a state's hash takes in a sum all-reduce (riding along with other data, as ElasticSync's gradients). */
export const HASH_SLOTS = 8;
/** Up to this many members the slots' sums stay exact integers in float32 (255² · n < 2^24). */
export const HASH_SLOTS_MAX_MEMBERS = 258;

/** Writes the hash's four bytes and their squares at `offset`: after a sum, all members agreed iff n·Σb² = (Σb)² for each byte. */
export function putHashSlots(hash: number, into: Float32Array, offset: number): void {
  for (let k = 0; k < 4; k++) {
    const byte = (hash >>> (8 * k)) & 0xff;
    into[offset + k] = byte;
    into[offset + 4 + k] = byte * byte;
  }
}

/**
 * Checks the summed slots of `members` hashes: equality in Cauchy–Schwarz (n·Σb² ≥ (Σb)²) holds
 * only when every member's byte is the same.
 */
export function checkHashSlots(sum: Float32Array, offset: number, members: number, when: string): void {
  for (let k = 0; k < 4; k++) {
    if (members * sum[offset + 4 + k] !== sum[offset + k] ** 2) {
      throw new CommError(`${when}, the members' states differ (their hashes disagree in byte ${k}); restart the run from a checkpoint`, { code: "MISMATCH", op: "check" });
    }
  }
}
