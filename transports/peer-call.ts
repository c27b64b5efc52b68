import { CommError } from "../world/comm-error.js";
import { checkTag } from "./zmq/limits.js";

/**
 * A socket transport's send or recv after the checks both make first: `link` is the peer's link
 * (undefined for self, a peer out of range, or one not linked), the tag a non-negative safe
 * integer. Failures reject; nothing throws synchronously.
 */
export function peerCall<L, T>(rank: number, size: number, peer: number, tag: number, what: "send" | "recv", link: L | undefined, call: (link: L) => Promise<T>): Promise<T> {
  try {
    if (link === undefined) {
      throw new CommError(`rank ${rank}: cannot ${what} with peer ${peer}; peers are 0..${size - 1} except self`, { code: "INVALID_ARGUMENT", rank, peer, op: what });
    }
    checkTag(rank, tag);
    return call(link);
  } catch (error) {
    return Promise.reject(error);
  }
}
