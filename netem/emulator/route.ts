import { createServer, connect, type Server, type Socket } from "node:net";
import type { CongestionControl } from "../../model/tcp.js";
import { NetemError } from "../errors.js";
import type { LinkShaper } from "./link.js";
import { Pipe, type Gauge } from "./pipe.js";
import type { Scheduler } from "./scheduler.js";

export interface RouteOptions {
  readonly listenHost: string;
  readonly listenPort: number;
  readonly targetHost: string;
  readonly targetPort: number;
  /** Client → target direction. */
  readonly forward: LinkShaper;
  /** Target → client direction. */
  readonly reverse: LinkShaper;
  readonly sched: Scheduler;
  readonly gauge: Gauge;
  readonly windowBytes: number;
  readonly queueMs: number;
  readonly cc?: CongestionControl;
  readonly slowStartAfterIdle?: boolean;
}

export interface Route {
  readonly port: number;
  connections: number;
  /** Stops listening; with drainMs, first lets open connections deliver what they hold (at most that long). */
  close(drainMs?: number): Promise<void>;
}

/**
 * A TCP proxy for one directed route. A connection pays the round trip before data flows: the
 * "SYN" reaches the target after the forward delay (the upstream connect happens then) and the
 * client may send once the "SYN-ACK" is back, after the reverse delay. Half-open sockets let each
 * direction finish delivering after the other side's FIN. A partition of either direction resets
 * every connection of the route (an RST to both ends) and refuses new ones while it lasts.
 */
export async function openRoute(options: RouteOptions): Promise<Route> {
  const { sched, forward, reverse } = options;
  const sockets = new Set<Socket>();
  const pipes = new Set<Pipe>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  const route: Route = { port: 0, connections: 0, close: async () => undefined };
  // A handshake segment crosses after the link's delay; on a down link it is lost and sent again
  // after Linux's initial RTO of 1 s, doubling (tcp_syn_retries).
  const crossing = (link: LinkShaper, then: () => void, rto = 1000): void => {
    if (link.blocked) sched.at(sched.now() + rto, () => crossing(link, then, 2 * rto));
    else sched.at(sched.now() + link.delayMs, then);
  };
  const resetAll = (): void => {
    for (const socket of sockets) socket.resetAndDestroy();
  };
  const unsubscribe = [forward.onPartition(resetAll), reverse.onPartition(resetAll)];
  const server: Server = createServer({ pauseOnConnect: true, noDelay: true, allowHalfOpen: true }, (client) => {
    if (forward.partitioned || reverse.partitioned) {
      client.resetAndDestroy();
      return;
    }
    route.connections++;
    track(client);
    // Until both pipes exist, either side closing ends the other at once (nothing is in flight yet);
    // after that each pipe carries its source's end behind the bytes still in its delay line.
    let upstream: Socket | undefined;
    let piped = false;
    const early = (other: () => Socket | undefined) => () => {
      if (!piped) other()?.destroy();
    };
    client.on("error", early(() => upstream));
    client.on("close", early(() => upstream));
    crossing(forward, () => {
      if (client.destroyed) return;
      const up = connect({ host: options.targetHost, port: options.targetPort, noDelay: true, allowHalfOpen: true });
      upstream = up;
      track(up);
      up.on("error", early(() => client));
      up.on("close", early(() => client));
      up.once("connect", () => {
        crossing(reverse, () => {
          if (client.destroyed || up.destroyed) return;
          piped = true;
          const flow = { windowBytes: options.windowBytes, queueMs: options.queueMs, cc: options.cc, slowStartAfterIdle: options.slowStartAfterIdle };
          pipes.add(new Pipe(client, up, forward, sched, { ...flow, ackLink: reverse }, options.gauge));
          pipes.add(new Pipe(up, client, reverse, sched, { ...flow, ackLink: forward }, options.gauge));
          client.resume();
        });
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (cause) =>
      reject(new NetemError(`emulator cannot listen on ${options.listenHost}:${options.listenPort} (${(cause as Error).message}); pick another --base-port or stop what uses it`, { code: "EMULATOR", cause })));
    server.listen(options.listenPort, options.listenHost, () => resolve());
  });
  const address = server.address();
  return Object.assign(route, {
    port: typeof address === "object" && address ? address.port : options.listenPort,
    close: async (drainMs = 0) => {
      for (const off of unsubscribe) off();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // What a connection still holds in its delay line (a closing rank's last frames, its BYE) is
      // delivered before the route goes: a rank that exited right after its close must not lose its
      // goodbye with the emulator of its host. Bounded by drainMs.
      if (drainMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)));
        await Promise.race([Promise.all([...pipes].map((pipe) => pipe.drained())), bound]);
        clearTimeout(timer);
      }
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  });
}
