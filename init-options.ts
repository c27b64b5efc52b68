/** The options of init() and of a thread that connects for its caller (the communication thread). */
import type { CurveKeys } from "./transports/curve.js";
import type { RankEnvOverrides } from "./world/env.js";

export interface InitOptions extends Omit<RankEnvOverrides, "streams"> {
  /** Environment to read instead of process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Sockets per peer link (multi-stream); a number or a function of the peer rank (see streamsForLink).
   * Default: LONGHAUL_STREAMS, else, across regions with a declared rate (LONGHAUL_LINK_RATE_MBIT)
   * that are emulated or on their own hosts, each pair's bandwidth-delay product over the TCP
   * window (3 for new-york↔asuncion at 1 Gbit/s), else 1.
   */
  streams?: number | ((peer: number) => number);
  /** Pipelining segment size for the collectives (bytes). */
  segmentBytes?: number;
  /** The job id (default LONGHAUL_JOB_ID, which the launcher sets): frames of other jobs are dropped. */
  jobId?: string;
  /** Count the payload bytes this rank sends over the WAN and the LAN: the Communicator's `traffic`. */
  countTraffic?: boolean;
  /** CURVE-encrypted, authenticated links: true reads the keys from LONGHAUL_CURVE_KEYS; or the keys themselves. Default LONGHAUL_CURVE. */
  curve?: boolean | CurveKeys;
  /**
   * Run this rank's transport and collectives in a worker thread (the communication thread), so ops
   * progress while this thread computes synchronously; ops are forwarded to it and `start.*` handles'
   * isCompleted() turns true even while this thread never yields. Default LONGHAUL_COMM_THREAD.
   * `streams` must then be a number (a function cannot cross to the thread).
   */
  commThread?: boolean;
}

/** What a thread other than the caller's needs to connect: the options plus the abandonment watch's setting. */
export interface InitHereOptions extends Omit<InitOptions, "commThread"> {
  /** See ConnectZmqOptions.closeWhenAbandonedMs; over Unix sockets any value above 0 closes at 'beforeExit' (0: the comm thread turns it off, its caller's thread decides). */
  closeWhenAbandonedMs?: number;
}
