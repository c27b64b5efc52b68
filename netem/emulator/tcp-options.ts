import type { CongestionControl } from "../../model/tcp.js";

/** How each emulated connection behaves as TCP; the defaults are Linux's. */
export interface TcpOptions {
  /** Congestion control (default cubic, Linux's default). */
  readonly cc?: CongestionControl;
  /** net.ipv4.tcp_slow_start_after_idle (default true): the window decays once per RTO of idle. */
  readonly slowStartAfterIdle?: boolean;
  /** net.ipv4.tcp_rmem max in bytes (default 6 MiB); the window is RECEIVE_WINDOW_FRACTION of it. */
  readonly rmemMaxBytes?: number;
}
