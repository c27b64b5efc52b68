/**
 * Replays a schedule on a link model: every lane runs its steps in order; a step's sends leave when
 * it starts, its receives end it. Links are FIFO pipes: each rank's outgoing pipe (local copy cost),
 * each WAN region pair's shared bottleneck (its rate), each connection's window (window/RTT once
 * a transfer outgrows it, or less where loss holds the congestion window down; a connection silent
 * for longer than its RTO restarts from a smaller window and slows down while it grows back:
 * model/stream-rate.ts), and,
 * when emulated, the emulator process that every WAN byte passes through. CPU work (copies,
 * per-message costs, the loopback legs, reductions, the emulator's forwarding) is booked on its host's cores
 * (cost-cpu.ts). The result is the time
 * the last lane finishes — the critical path, not a sum of global rounds, so an algorithm whose
 * ranks run out of step (a pipelined ring) is not charged the slowest link at every step.
 */
import { CpuCalendar } from "./cost-cpu.js";
import type { Schedule } from "./cost-schedules.js";
import { DEFAULT_SOFTWARE, sameProcess, type LinkModel, type SoftwareCosts } from "./link-model.js";
import { connectionSettings, pairPathOf } from "./link-paths.js";
import { connectionWindowBytes, restartWindowBytes, restarts, slowStartReleaseS } from "./stream-rate.js";
import { INITIAL_WINDOW_SEGMENTS, MSS_BYTES } from "./tcp.js";

export interface SimCosts {
  /** Include this implementation's software costs (false: network only, for lower bounds). */
  software: boolean;
  /** Include bandwidth terms (false: latency only). */
  bandwidth: boolean;
  /**
   * When each rank starts (s); the result is then the longest any rank spends from its own start
   * to its own end — what a benchmark that times each rank after a barrier reports.
   */
  startAt?: readonly number[];
  /**
   * Each rank-pair connection's idle-restart state, carried from one replay to the next when ops
   * repeat on one clock (`startAt` continuing where the last replay ended): a connection an op uses
   * once sits idle until the next op, and after more than an RTO restarts its window there. Given,
   * connections not in it are new and start from the initial window; without it every connection is
   * warm (a single op's steady-state replay).
   */
  connections?: ConnectionStates;
}

/** Per rank-pair connection ("a>b"): when its last byte left and the window it restarted from. */
export type ConnectionStates = Map<string, { lastSent?: number; restart?: Restart }>;

export interface SimResult {
  seconds: number;
  /** When each rank is done: its lanes ended and, with software costs, its acknowledged sends were acknowledged. */
  rankEnd: number[];
  /** Bytes each directed WAN region pair carries, keyed "src>dst" by region index. */
  wanBytes: Map<string, number>;
}

/** Messages from this size on are striped over a link's streams (the ZeroMQ transport's default). */
export const STRIPE_FROM_BYTES = 1 << 20;

/**
 * When a connection's window lets the last byte of a message out: each rank pair's connection (its
 * streams, for a striped message) may have `window` bytes unacknowledged, acknowledged a round trip
 * after they leave, so over a sustained transfer it moves window/RTT. A token bucket of `window`
 * bytes refilled at window/RTT: a message that fits the window is not slowed (a 4 MiB message on a
 * 168 ms round trip goes out at the link's rate), a long run of them is.
 */
function windowDone(model: LinkModel, clock: number, start: number, bytes: number, a: number, b: number): number {
  const rtt = model.alphaS[a][b] + model.alphaS[b][a];
  const window = streamWindow(model, a, b) * streamsOf(model, bytes, a, b);
  if (!(rtt > 0)) return start;
  return Math.max(clock, start - rtt) + (bytes * rtt) / window;
}

/** One stream's steady window on a → b: the receive window, or less under loss (model/stream-rate.ts). */
function streamWindow(model: LinkModel, a: number, b: number): number {
  return connectionWindowBytes(connectionSettings(model).cc, pairPathOf(model, a, b, 1));
}

function streamsOf(model: LinkModel, bytes: number, a: number, b: number): number {
  return bytes >= STRIPE_FROM_BYTES ? model.streams[a][b] : 1;
}

/** A rank pair's connection since it last restarted its window after idle (per stream). */
export interface Restart {
  at: number;
  startWindow: number;
  sent: number;
}

/**
 * Slow start after idle (Linux's tcp_slow_start_after_idle): a connection whose last byte left more
 * than an RTO before this send (or, with `idleGapS`, one that starts the op after that much silence)
 * restarts from the window restartWindowBytes leaves, and its bytes since then leave no earlier
 * than slow start lets them; a `fresh` replay (one clock from the job's start) also slow-starts
 * each connection from 10 segments on its first use. Returns when this send's bytes may have left by that rule.
 */
function restartDone(model: LinkModel, state: { lastSent?: number; restart?: Restart }, start: number, bytes: number, a: number, b: number, fresh: boolean): number {
  const rtt = model.alphaS[a][b] + model.alphaS[b][a];
  // Replayed from the job's start, a connection's first bytes leave from the initial window, as any new TCP connection's (RFC 6928).
  if (fresh && state.lastSent === undefined && !state.restart && !((model.idleGapS ?? 0) > 0)) {
    state.restart = { at: start, startWindow: INITIAL_WINDOW_SEGMENTS * MSS_BYTES, sent: 0 };
  }
  const idle = state.lastSent === undefined ? ((model.idleGapS ?? 0) > 0 ? model.idleGapS! + start : 0) : start - state.lastSent;
  const cap = streamWindow(model, a, b);
  if (restarts(connectionSettings(model), idle, rtt)) {
    const held = state.restart ? Math.min(cap, state.restart.startWindow + state.restart.sent) : cap;
    state.restart = { at: start, startWindow: restartWindowBytes(held, idle, rtt), sent: 0 };
  }
  if (!state.restart || bytes <= 0) return start;
  const streams = streamsOf(model, bytes, a, b);
  state.restart.sent += bytes / streams;
  return state.restart.at + slowStartReleaseS(state.restart.sent, state.restart.startWindow, cap, rtt);
}

/** A missing or NaN term would make every time NaN, and the CPU calendars never find a free slot. */
function checkSoftware(sw: SoftwareCosts): void {
  for (const term of Object.keys(DEFAULT_SOFTWARE) as Array<keyof SoftwareCosts>) {
    const value = sw[term];
    if (typeof value !== "number" || Number.isNaN(value)) throw new Error(`cost model: software term ${term} is ${String(value)}; every SoftwareCosts term needs a number (start from DEFAULT_SOFTWARE)`);
  }
}

export function simulate(model: LinkModel, schedule: Schedule, costs: SimCosts): SimResult {
  const sw = model.software;
  checkSoftware(sw);
  const on = (x: number) => (costs.software ? x : 0);
  const hosts = new Map<number, CpuCalendar>();
  /** When CPU work of `seconds` on `host`, ready at `ready`, is done (network-only replays have none). */
  const cpu = (host: number, ready: number, seconds: number) => {
    if (!costs.software) return ready;
    let calendar = hosts.get(host);
    if (!calendar) hosts.set(host, (calendar = new CpuCalendar(model.cores)));
    return calendar.book(ready, seconds);
  };
  const EMULATOR_HOST = 0; // the emulator runs beside the ranks on this machine
  const region = (r: number) => model.topology.regionOf(r).index;
  const senderFree = new Map<number, number>();
  const pairFree = new Map<string, number>();
  const windowClock = new Map<string, number>(); // per rank-pair connection: see windowDone
  const idleState: ConnectionStates = costs.connections ?? new Map(); // per rank-pair connection: see restartDone
  let emulatorFree = 0;
  const arrivals = new Map<string, number>();
  const wanBytes = new Map<string, number>();
  const start = (r: number) => costs.startAt?.[r] ?? 0;
  const time = schedule.map((lane) => start(lane.rank));
  const rankEnd = Array.from({ length: model.topology.size }, (_, r) => start(r));
  const next = schedule.map(() => 0);
  let end = 0;
  let remaining = schedule.reduce((n, lane) => n + lane.steps.length, 0);
  const sent = schedule.map(() => false); // whether the lane's current step has issued its sends
  const recvIds = schedule.map((lane) => lane.steps.map((st) => st.recvs.map((r) => `${r.from}>${lane.rank}:${r.key}`)));
  // Receives still missing for each lane's current step, and the lanes each missing message would wake.
  const missing = schedule.map(() => 0);
  const waiters = new Map<string, number[]>();
  const arrive = (id: string, at: number) => {
    arrivals.set(id, at);
    for (const i of waiters.get(id) ?? []) missing[i]--;
    waiters.delete(id);
  };
  const wait = (i: number) => {
    for (const id of recvIds[i][next[i]]) {
      if (arrivals.has(id)) continue;
      missing[i]++;
      waiters.set(id, [...(waiters.get(id) ?? []), i]);
    }
  };
  while (remaining > 0) {
    let pick = -1;
    for (let i = 0; i < schedule.length; i++) {
      if (next[i] < schedule[i].steps.length && (!sent[i] || missing[i] === 0) && (pick < 0 || time[i] < time[pick])) pick = i;
    }
    if (pick < 0) throw new Error("cost model: schedule deadlocks (a receive has no matching send); this is a bug in cost-schedules.ts");
    const lane = schedule[pick];
    const st = lane.steps[next[pick]];
    let t = time[pick];
    if (!sent[pick]) {
      // A step's sends leave as soon as the lane reaches it; its receives may wait for other lanes.
      for (const send of st.sends) {
        t = cpu(model.hostOf[lane.rank], t, sw.perMessageS);
        const wire = costs.bandwidth ? send.bytes : 0;
        const start = Math.max(t, senderFree.get(lane.rank) ?? 0);
        const threads = sameProcess(model, lane.rank, send.to);
        let done = cpu(model.hostOf[lane.rank], start, wire * (threads ? sw.threadBetaS : sw.localBetaS));
        senderFree.set(lane.rank, done);
        const [a, b] = [region(lane.rank), region(send.to)];
        // The loopback leg is CPU work, not wire time (syscalls and I/O-thread and event-loop wake-ups
        // at both ends): half is booked on each end's cores, so messages in flight at once queue there.
        const leg = on(threads ? sw.threadAlphaS : sw.localAlphaS) / 2;
        let alpha = threads || a !== b ? 0 : on(sw.localWakeS);
        if (a !== b) {
          const key = `${a}>${b}`;
          wanBytes.set(key, (wanBytes.get(key) ?? 0) + send.bytes);
          const pairStart = Math.max(start, pairFree.get(key) ?? 0);
          const conn = `${lane.rank}>${send.to}`;
          let idle = idleState.get(conn);
          if (!idle) idleState.set(conn, (idle = {}));
          const bucket = windowDone(model, windowClock.get(conn) ?? -Infinity, start, wire, a, b);
          windowClock.set(conn, bucket);
          const clock = Math.max(bucket, restartDone(model, idle, start, wire, a, b, costs.connections !== undefined));
          pairFree.set(key, pairStart + wire / model.rateBps[a][b]);
          const pairDone = Math.max(pairFree.get(key) ?? 0, clock); // a stalled window does not hold the link
          idle.lastSent = pairDone;
          const emuStart = Math.max(start, emulatorFree);
          emulatorFree = cpu(EMULATOR_HOST, emuStart, wire * sw.emulatorBetaS);
          done = Math.max(done, pairDone, emulatorFree);
          alpha += model.alphaS[a][b] + (model.emulated ? on(sw.emulatorAlphaS) : 0);
        }
        const at = cpu(model.hostOf[send.to], cpu(model.hostOf[lane.rank], done, leg) + alpha, leg);
        arrive(`${lane.rank}>${send.to}:${send.key}`, at);
        end = Math.max(end, at);
        // Zero-copy sends (large, inside a region) resolve on the receiver's ACK, and every op settles its sends before returning.
        if (costs.software && a === b && !threads && send.bytes >= sw.ackFromBytes) rankEnd[lane.rank] = Math.max(rankEnd[lane.rank], at + 2 * leg);
      }
      sent[pick] = true;
      time[pick] = t;
      wait(pick);
      continue;
    }
    const host = model.hostOf[lane.rank];
    for (const id of recvIds[pick][next[pick]]) t = cpu(host, Math.max(t, arrivals.get(id) ?? 0), sw.perMessageS);
    t = cpu(host, t, st.reduceBytes * sw.gammaS);
    time[pick] = t;
    end = Math.max(end, t);
    rankEnd[lane.rank] = Math.max(rankEnd[lane.rank], t);
    next[pick]++;
    sent[pick] = false;
    remaining--;
  }
  const seconds = costs.startAt ? Math.max(...rankEnd.map((e, r) => e - start(r))) : Math.max(end, ...rankEnd);
  return { seconds, rankEnd, wanBytes };
}
