import { DEFAULT_WINDOW_BYTES } from "../../model/pair-streams.js";
import { windowFromRmem } from "../../model/tcp.js";
import { validateProfile, type LinkProfile } from "../../model/profile.js";
import type { TcpOptions } from "./tcp-options.js";
import { mergeImpairments, type LinkImpairment } from "./impairment.js";
import { LinkShaper } from "./link.js";
import { Gauge } from "./pipe.js";
import { openRoute, type Route } from "./route.js";
import { Scheduler } from "./scheduler.js";

/**
 * The window Linux advertises by default: half of net.ipv4.tcp_rmem max (6 MiB), 3 MiB
 * (model/tcp.ts). One connection can have at most this much unacknowledged, so over a round trip
 * it moves at most window/RTT — 3 MiB over 133 ms (8,000 km) is ~190 Mbit/s, which is why WAN
 * transfers use several streams.
 */
export { DEFAULT_WINDOW_BYTES };
/**
 * Bottleneck queue depth (ms at the link rate) before the sender is pushed back. Also the slack
 * for a late event loop: the link keeps sending from the queue for this long without a wake-up,
 * so a busy machine does not leave it idle.
 */
export const DEFAULT_QUEUE_MS = 20;

/**
 * One proxy: listen here, forward there. Its traffic crosses the directed link between sites `src`
 * and `dst` (any numbering the caller likes: longhaul numbers regions) one way and `dst` → `src` on
 * the way back.
 */
export interface EmulatedRoute {
  readonly listenHost: string;
  readonly listenPort: number;
  readonly targetHost: string;
  readonly targetPort: number;
  readonly src: number;
  readonly dst: number;
}

export interface EmulatorOptions {
  readonly routes: readonly EmulatedRoute[];
  /** One-way profile of the directed link from site src to site dst. */
  readonly profile: (src: number, dst: number) => LinkProfile;
  readonly windowBytes?: number;
  readonly queueMs?: number;
  /** Each emulated connection's TCP behaviour (congestion control, idle restart, receive buffer). */
  readonly tcp?: TcpOptions;
}

export interface LinkStats {
  readonly src: number;
  readonly dst: number;
  readonly bytes: number;
  readonly lostSegments: number;
}

export interface EmulatorStats {
  readonly connections: number;
  readonly links: LinkStats[];
  /** Bytes held in user space now and at most (the memory bound). */
  readonly heldBytes: number;
  readonly peakHeldBytes: number;
  /** Mean and max lateness of scheduled deliveries (ms). */
  readonly meanLateMs: number;
  readonly maxLateMs: number;
}

export interface Emulator {
  /** Closes every route, after the connections whose sender ended delivered what they held (bounded by twice the longest delay plus a second). */
  close(): Promise<void>;
  stats(): EmulatorStats;
  /**
   * Lays (or, with `undefined`, lifts) the impairment `key` on the directed link between sites
   * src → dst; impairments with different keys active on one link combine
   * (mergeImpairments). Takes effect at once for every connection on that link.
   */
  impair(src: number, dst: number, key: string, impairment: LinkImpairment | undefined): void;
  /**
   * Opens more routes on the same links (their impairments and token buckets shared with the
   * routes already there); the handle closes just these.
   */
  addRoutes(routes: readonly EmulatedRoute[]): Promise<{ close(): Promise<void> }>;
}

/**
 * Starts one proxy per route, forwarding with the src→dst profile one way and dst→src on the way
 * back. All connections of a directed site pair share one token bucket. It knows nothing of who
 * the traffic belongs to: any TCP traffic can be shaped (launch/world-emulator.ts builds a world's
 * routes from its address plan).
 */
/** Beyond twice the longest link delay, how long close() waits for ended connections to deliver. */
const DRAIN_SLACK_MS = 1000;

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const profileOf = options.profile;
  const sched = new Scheduler();
  const gauge = new Gauge();
  const links = new Map<string, LinkShaper>();
  const linkOf = (src: number, dst: number): LinkShaper => {
    const key = `${src}>${dst}`;
    let link = links.get(key);
    if (!link) {
      const rtt = validateProfile(profileOf(src, dst)).delayMs + validateProfile(profileOf(dst, src)).delayMs;
      link = new LinkShaper(profileOf(src, dst), rtt);
      links.set(key, link);
    }
    return link;
  };
  const routes: Route[] = [];
  // An explicit window wins; else the receive buffer's (tcp_rmem max × RECEIVE_WINDOW_FRACTION).
  const windowBytes = options.windowBytes ?? (options.tcp?.rmemMaxBytes !== undefined ? windowFromRmem(options.tcp.rmemMaxBytes) : DEFAULT_WINDOW_BYTES);
  /** Opens `list` (all or none: a route that cannot listen closes the ones opened before it). */
  const open = async (list: readonly EmulatedRoute[]): Promise<Route[]> => {
    const opened: Route[] = [];
    try {
      for (const route of list) {
        opened.push(await openRoute({
          listenHost: route.listenHost,
          listenPort: route.listenPort,
          targetHost: route.targetHost,
          targetPort: route.targetPort,
          forward: linkOf(route.src, route.dst),
          reverse: linkOf(route.dst, route.src),
          sched,
          gauge,
          windowBytes,
          queueMs: options.queueMs ?? DEFAULT_QUEUE_MS,
          cc: options.tcp?.cc,
          slowStartAfterIdle: options.tcp?.slowStartAfterIdle,
        }));
      }
    } catch (error) {
      await Promise.all(opened.map((r) => r.close()));
      throw error;
    }
    routes.push(...opened);
    return opened;
  };
  await open(options.routes).catch((error: unknown) => {
    sched.close();
    throw error;
  });
  const active = new Map<string, Map<string, LinkImpairment>>();
  return {
    impair: (src, dst, key, impairment) => {
      const linkKey = `${src}>${dst}`;
      const list = active.get(linkKey) ?? new Map<string, LinkImpairment>();
      active.set(linkKey, list);
      if (impairment) list.set(key, impairment);
      else list.delete(key);
      links.get(linkKey)?.setImpairment(mergeImpairments(list.values()));
    },
    addRoutes: async (list) => {
      const opened = await open(list);
      return {
        close: async () => {
          await Promise.all(opened.map((r) => r.close()));
          for (const r of opened) routes.splice(routes.indexOf(r), 1);
        },
      };
    },
    close: async () => {
      // Connections whose sender ended deliver what they still hold first (one link delay, bounded).
      const drainMs = 2 * Math.max(0, ...[...links.values()].map((l) => l.delayMs)) + DRAIN_SLACK_MS;
      await Promise.all(routes.map((r) => r.close(drainMs)));
      sched.close();
    },
    stats: () => ({
      connections: routes.reduce((sum, r) => sum + r.connections, 0),
      links: [...links.entries()].map(([key, link]) => {
        const [src, dst] = key.split(">").map(Number);
        return { src, dst, bytes: link.bytes, lostSegments: link.lostSegments };
      }),
      heldBytes: gauge.held,
      peakHeldBytes: gauge.peak,
      meanLateMs: sched.lateness.count ? sched.lateness.sumMs / sched.lateness.count : 0,
      maxLateMs: sched.lateness.maxMs,
    }),
  };
}
