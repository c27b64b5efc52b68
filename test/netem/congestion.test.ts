/**
 * The emulator's congestion window, driven by a window-limited sender on a fixed round trip,
 * against the published references: slow start from 10 segments doubling per RTT (RFC 6928,
 * RFC 5681), CUBIC's average window under periodic loss (RFC 8312bis §5.1 eq. 7: 1.054·RTT^0.75/p^0.75
 * segments), Reno's (Mathis et al. 1997: sqrt(3/(2p)) = 1.22/√p), and Linux's idle restart
 * (tcp_cwnd_restart: halve per RTO idle, floor at the initial window).
 */
import { describe, expect, it } from "vitest";
import { CongestionWindow } from "../../netem/emulator/congestion.js";
import { MSS_BYTES, type CongestionControl } from "../../model/tcp.js";

const BIG = 1 << 30;
const ACKS_PER_ROUND = 16;

interface Drive {
  readonly cc: CongestionControl;
  readonly rttMs: number;
  readonly rounds: number;
  /** One segment in every `lossEvery` is lost (periodic loss, the formulas' assumption). */
  readonly lossEvery?: number;
  readonly capBytes?: number;
  readonly rateMbit?: number;
}

/** Sends a full window each round trip and acks it in ACKS_PER_ROUND pieces; returns each round's window in segments. */
function drive(d: Drive, w = new CongestionWindow({ cc: d.cc, capBytes: d.capBytes ?? BIG, rttMs: d.rttMs, slowStartAfterIdle: true, rateMbit: d.rateMbit })): number[] {
  const windows: number[] = [];
  let sent = 0;
  for (let round = 0; round < d.rounds; round++) {
    const start = round * d.rttMs;
    w.beforeSend(start, 0);
    const segments = Math.floor(w.window / MSS_BYTES);
    windows.push(segments);
    const piece = Math.max(1, Math.floor(segments / ACKS_PER_ROUND));
    for (let acked = 0; acked < segments; acked += piece) {
      const n = Math.min(piece, segments - acked);
      let lost = 0;
      if (d.lossEvery !== undefined) {
        lost = Math.floor((sent + n) / d.lossEvery) - Math.floor(sent / d.lossEvery);
      }
      sent += n;
      w.onAck(n * MSS_BYTES, lost, start + d.rttMs * ((acked + n) / segments), true);
    }
  }
  return windows;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("congestion window: slow start (RFC 6928 initial window, RFC 5681 growth)", () => {
  it("starts at 10 segments and doubles each round trip until the receive window caps it", () => {
    const windows = drive({ cc: "cubic", rttMs: 133, rounds: 10, capBytes: 3 * 1024 * 1024 });
    expect(windows.slice(0, 7)).toEqual([10, 20, 40, 80, 160, 320, 640]);
    expect(windows[9]).toBe(Math.floor((3 * 1024 * 1024) / MSS_BYTES));
  });
});

describe("congestion window: the loss response against the published formulas", () => {
  // 8,000 km: 133 ms RTT; p = 1e-4 (the 0.01%). Eq. 7: 1.054·0.133^0.75/1e-4^0.75 ≈ 233 segments; Mathis 122.
  const steady = (cc: CongestionControl, lossEvery: number, rttMs: number): number =>
    mean(drive({ cc, rttMs, rounds: 4000, lossEvery }).slice(1000));

  it("CUBIC averages RFC 8312bis eq. 7's window (≈233 segments at 133 ms, p = 1e-4)", () => {
    const w = steady("cubic", 10_000, 133);
    expect(w).toBeGreaterThan(233 * 0.85); // measured 213
    expect(w).toBeLessThan(233 * 1.15);
  });

  it("Reno averages Mathis's 1.22/√p (≈122 segments at p = 1e-4)", () => {
    const w = steady("reno", 10_000, 133);
    expect(w).toBeGreaterThan(122 * 0.9); // measured 121
    expect(w).toBeLessThan(122 * 1.1);
  });

  it("CUBIC on a short path falls back to its Reno-friendly region (10 ms: eq. 7 gives 33, Reno's 122 wins)", () => {
    const w = steady("cubic", 10_000, 10);
    expect(w).toBeGreaterThan(122 * 0.9); // measured 121
    expect(w).toBeLessThan(122 * 1.1);
  });

  it("BBR holds twice the bandwidth-delay product through 1% loss and backs off above its tolerance", () => {
    // 100 Mbit/s × 133 ms = 1.66 MB = 1148 segments; cwnd_gain 2 → 2296.
    const bdpSegments = (100e6 / 8) * 0.133 / MSS_BYTES;
    const light = mean(drive({ cc: "bbr", rttMs: 133, rounds: 400, lossEvery: 100, rateMbit: 100 }).slice(200));
    expect(light).toBeGreaterThan(2 * bdpSegments * 0.95);
    expect(light).toBeLessThanOrEqual(2 * bdpSegments + 1);
    const heavy = mean(drive({ cc: "bbr", rttMs: 133, rounds: 400, lossEvery: 4, rateMbit: 100 }).slice(200));
    expect(heavy).toBeLessThan(bdpSegments / 4);
  });

  it("a loss event reduces by β once per round trip however many segments it lost", () => {
    const w = new CongestionWindow({ cc: "cubic", capBytes: BIG, rttMs: 100, slowStartAfterIdle: true });
    w.cwnd = 1000 * MSS_BYTES;
    w.onAck(MSS_BYTES, 5, 0, true);
    w.onAck(MSS_BYTES, 5, 50, true);
    expect(w.lossEvents).toBe(1);
    expect(w.cwnd / MSS_BYTES).toBeCloseTo(700, 5);
    const reno = new CongestionWindow({ cc: "reno", capBytes: BIG, rttMs: 100, slowStartAfterIdle: true });
    reno.cwnd = 1000 * MSS_BYTES;
    reno.onAck(MSS_BYTES, 1, 0, true);
    expect(reno.cwnd / MSS_BYTES).toBeCloseTo(500, 5);
  });

  it("a retransmission timeout drops the window to one segment and ssthresh to β of it", () => {
    const w = new CongestionWindow({ cc: "cubic", capBytes: BIG, rttMs: 100, slowStartAfterIdle: true });
    w.cwnd = 1000 * MSS_BYTES;
    w.onTimeout(0);
    expect(w.window).toBe(MSS_BYTES);
    expect(w.ssthresh / MSS_BYTES).toBeCloseTo(700, 5);
    expect(w.timeouts).toBe(1);
  });
});

describe("congestion window: slow start after idle (Linux tcp_cwnd_restart)", () => {
  const grown = (slowStartAfterIdle: boolean): CongestionWindow => {
    const w = new CongestionWindow({ cc: "cubic", capBytes: BIG, rttMs: 133, slowStartAfterIdle });
    w.beforeSend(0, 0);
    w.cwnd = 1280 * MSS_BYTES;
    return w;
  };

  it("halves once per RTO of silence (RTO = 133 + 200 ms), never below 10 segments", () => {
    expect(grown(true).rto).toBe(333);
    const once = grown(true);
    once.beforeSend(2 * 333 - 1, 0); // idle 665 ms: one RTO past the first
    expect(once.window / MSS_BYTES).toBeCloseTo(640, 5);
    const thrice = grown(true);
    thrice.beforeSend(4 * 333 - 1, 0);
    expect(thrice.window / MSS_BYTES).toBeCloseTo(160, 5);
    const long = grown(true);
    long.beforeSend(60_000, 0);
    expect(long.window / MSS_BYTES).toBe(10);
  });

  it("restarts in slow start: without a loss ssthresh stays infinite, so the window doubles per round trip again", () => {
    const w = grown(true);
    w.beforeSend(60_000, 0);
    expect(w.ssthresh).toBe(Infinity); // tcp_current_ssthresh(): max(ssthresh, ¾ cwnd)
    const windows = drive({ cc: "cubic", rttMs: 133, rounds: 4 }, w);
    expect(windows).toEqual([10, 20, 40, 80]);
    // A connection that never grew (10 segments) restarts the same way, not into congestion avoidance at 7.5.
    const small = new CongestionWindow({ cc: "cubic", capBytes: BIG, rttMs: 133, slowStartAfterIdle: true });
    small.beforeSend(0, 0);
    small.beforeSend(60_000, 0);
    expect(drive({ cc: "cubic", rttMs: 133, rounds: 4 }, small)).toEqual([10, 20, 40, 80]);
  });

  it("after a loss, ssthresh is kept at no less than ¾ of the window the silence ended", () => {
    const w = grown(true);
    w.ssthresh = 100 * MSS_BYTES;
    w.beforeSend(60_000, 0);
    expect(w.ssthresh / MSS_BYTES).toBeCloseTo(960, 5);
  });

  it("keeps its window with data in flight or with the sysctl off", () => {
    const busy = grown(true);
    busy.beforeSend(60_000, MSS_BYTES);
    expect(busy.window / MSS_BYTES).toBe(1280);
    const off = grown(false);
    off.beforeSend(60_000, 0);
    expect(off.window / MSS_BYTES).toBe(1280);
  });
});
