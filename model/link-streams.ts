import { DEFAULT_WINDOW_BYTES } from "./tcp.js";

export interface LinkCapacity {
  /** Link rate in Mbit/s. */
  rateMbit: number;
  /** Round-trip time in ms. */
  rttMs: number;
  /** Most unacknowledged bytes one TCP connection may have (default: half of Linux's 6 MiB tcp_rmem max, model/tcp.ts). */
  windowBytes?: number;
  /** Upper bound on the stream count (default 8, NCCL's NSOCKS limit is 64 per peer in total). */
  max?: number;
}

/**
 * Streams (connections) a link needs to be kept full (NCCL's NSOCKS idea): one connection moves at
 * most window/RTT, so the bandwidth-delay product divided by the window, rounded up.
 */
export function streamsForLink({ rateMbit, rttMs, windowBytes = DEFAULT_WINDOW_BYTES, max = 8 }: LinkCapacity): number {
  const bdpBytes = ((rateMbit * 1e6) / 8) * (rttMs / 1000);
  return Math.min(max, Math.max(1, Math.ceil(bdpBytes / windowBytes)));
}
