import { connect, createServer, type Server, type Socket } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { proxyPort, type AddressPlan } from "../../world/addresses.js";
import { parseTopology } from "../../world/topology.js";
import { fromDistance } from "../../netem/distance.js";
import { startWorldEmulator } from "../../launch/world-emulator.js";
import { probeLink, type ProbeOptions, type ProbeResult } from "../../netem/emulator/probe.js";
import { transferTimeS } from "../../model/tcp.js";

// Ports 23000-23099: probes cycle through 23000-23049. Fidelity figures are also reported by `longhaul netem probe`.
let nextPort = 23000;
function ports(): { sink: number; proxy: number } {
  if (nextPort > 23048) nextPort = 23000;
  return { sink: nextPort++, proxy: nextPort++ };
}

/** A probe on ports of this file; a port taken by someone's outgoing connection is skipped. */
async function probe(options: ProbeOptions): Promise<ProbeResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await probeLink({ ...options, ports: ports() });
    } catch (error) {
      if (attempt >= 4 || !/EADDRINUSE/.test(String((error as Error).message))) throw error;
    }
  }
}

interface Measured {
  result: ProbeResult;
  /** Median event-loop delay during the run (ms): how long the emulator waited for the CPU. */
  loopDelayMs: number;
}

/**
 * Best of up to `tries` runs by |error|, with the event-loop delay seen during it. Load from other
 * processes only ever slows the emulator down (it cannot make it faster than the link), so upper
 * bounds hold whatever the load; lower bounds need the CPU to have been there.
 */
async function bestOf(tries: number, run: () => Promise<ProbeResult>, error: (r: ProbeResult) => number): Promise<Measured> {
  let best: Measured | undefined;
  for (let i = 0; i < tries; i++) {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const result = await run();
    histogram.disable();
    const measured = { result, loopDelayMs: histogram.percentile(50) / 1e6 };
    if (!best || Math.abs(error(result)) < Math.abs(error(best.result))) best = measured;
    if (Math.abs(error(best.result)) < 0.05) break;
  }
  return best!;
}

/**
 * Lower bounds are asserted unless the machine starved the emulator: its event loop waited for the
 * CPU, or the load average is past twice the cores (then say so; the upper bounds still hold).
 * LONGHAUL_STRICT_FIDELITY=1 asserts them regardless.
 */
function starved(m: Pick<Measured, "loopDelayMs">, what: string): boolean {
  if (process.env.LONGHAUL_STRICT_FIDELITY === "1") return false; // assert every bound whatever the load
  const load = loadavg()[0];
  const bad = m.loopDelayMs > STARVED_LOOP_DELAY_MS || load > 2 * availableParallelism();
  if (bad) console.warn(`${what}: machine overloaded (load ${load.toFixed(1)} on ${availableParallelism()} cores, event-loop delay ${m.loopDelayMs.toFixed(1)} ms); bound that needs the CPU not asserted`);
  return bad;
}
/** A free core gives ~1 ms (the histogram resolution); tens of ms mean the process is waiting for CPU. */
const STARVED_LOOP_DELAY_MS = 5;

describe("emulator fidelity (one link on loopback)", () => {
  it.each([1000, 8000])("RTT at %d km is within 5 percent + 0.5 ms, and set-up pays one round trip", async (km) => {
    const rtt = (x: ProbeResult) => x.rttMinMs / x.expectedRttMs - 1;
    const m = await bestOf(3, () => probe({ forward: fromDistance(km, { rateMbit: 100 }), bytes: 64 * 1024, pings: 8 }), rtt);
    const r = m.result;
    const tolerance = r.expectedRttMs * 0.05 + 0.5;
    // The minimum: scheduled deliveries are never early, and load can only add to a sample.
    expect(r.rttMinMs).toBeGreaterThan(r.expectedRttMs - 0.1);
    expect(r.firstEchoMs).toBeGreaterThan(2 * r.expectedRttMs - 0.2);
    if (!starved(m, `RTT ${km} km`)) expect(r.rttMinMs).toBeLessThan(r.expectedRttMs + tolerance);
  });

  // The reference is TCP's published behaviour in closed form (model/tcp.ts transferTimeS): slow start
  // from 10 segments (RFC 6928) doubling per round trip up to the least of window/RTT and the rate.
  const tcpMbit = (r: ProbeResult, rate: number, windowBytes = 3 << 20) => {
    const perStream = r.bytes / r.streams;
    const rttS = r.expectedRttMs / 1000;
    return (r.bytes * 8) / (transferTimeS("cubic", { rttS, rateBps: (rate * 1e6) / 8 / r.streams, windowBytes }, perStream) - rttS / 2) / 1e6;
  };

  it.each([
    [1000, 100], [1000, 1000], [8000, 100], [8000, 1000],
  ])("throughput at %d km, %d Mbit/s is within 10 percent of TCP's from a fresh start (slow start from 10 segments), bytes in order", async (km, rate) => {
    const bytes = Math.round((rate * 1e6 / 8) * 0.4);
    // Up to 5 tries (it stops at the first within 5%): at 1 Gbit/s the emulator needs a core, and with two test files
    // running on 2 cores a run can lose it without the load average or the median loop delay showing it (889 Mbit/s once).
    const m = await bestOf(5, () => probe({ forward: fromDistance(km, { rateMbit: rate }), bytes, pings: 1 }), (x) => x.throughputMbit / tcpMbit(x, rate) - 1);
    const r = m.result;
    const expected = tcpMbit(r, rate);
    expect(r.expectedMbit).toBeCloseTo(expected, 6);
    expect(expected).toBeLessThan(rate); // 0.4 s of data: slow start is a visible part of it
    if (!starved(m, `${km} km ${rate} Mbit/s`)) expect(r.throughputMbit).toBeGreaterThan(expected * 0.9);
    expect(r.throughputMbit).toBeLessThan(expected * 1.1);
    expect(r.reordered).toBe(false);
    if (km === 8000 && rate === 1000) expect(r.streams).toBeGreaterThan(1); // one 3 MiB window cannot fill 1 Gbit/s × 133 ms
  });

  it("one fresh connection, 4 MiB over 8,000 km at 1 Gbit/s: about 8 round trips of slow start, ~30 Mbit/s (not the link's rate)", async () => {
    const m = await bestOf(2, () => probe({ forward: fromDistance(8000, { rateMbit: 1000 }), streams: 1, bytes: 4 << 20, pings: 1 }), (x) => x.throughputMbit / tcpMbit(x, 1000) - 1);
    const r = m.result;
    const expected = tcpMbit(r, 1000);
    expect(expected).toBeGreaterThan(25);
    expect(expected).toBeLessThan(35);
    if (!starved(m, "slow start 4 MiB")) expect(r.throughputMbit).toBeGreaterThan(expected * 0.9);
    expect(r.throughputMbit).toBeLessThan(expected * 1.1);
  });

  it("one connection is capped at window/RTT", async () => {
    // 1 MiB window over a 50 ms round trip: 8.39 Mbit per 50 ms = 168 Mbit/s steady, far below the 10 Gbit/s link;
    // 12 MiB from a fresh start spends 7 round trips in slow start on the way.
    const m = await bestOf(2, () => probe({ forward: { delayMs: 25, rateMbit: 10_000 }, windowBytes: 1 << 20, streams: 1, bytes: 12 << 20, pings: 1 }), (x) => x.throughputMbit / tcpMbit(x, 10_000, 1 << 20) - 1);
    const r = m.result;
    const expected = tcpMbit(r, 10_000, 1 << 20);
    expect(expected).toBeLessThan(167.8);
    if (!starved(m, "window cap")) expect(r.throughputMbit).toBeGreaterThan(expected * 0.85);
    expect(r.throughputMbit).toBeLessThan(expected * 1.1);
  });

  it.each([true, false])("--idle on one warm connection (slow start after idle %s): the probe's time matches Linux's restart rule within 1.5 RTT", async (on) => {
    // 4,000 km (RTT 67 ms, RTO 267 ms): 3 s of silence is over ten RTOs, so with the rule on the window is back at 10 segments.
    const m = await bestOf(2, () => probe({ forward: fromDistance(4000, { rateMbit: 1000 }), streams: 1, bytes: 2 << 20, pings: 1, idleMs: 3000, tcp: { slowStartAfterIdle: on } }),
      (x) => x.idle!.ms / x.idle!.expectedMs - 1);
    const idle = m.result.idle!;
    const rtt = m.result.expectedRttMs;
    expect(idle.slowStartAfterIdle).toBe(on);
    expect(idle.idleMs).toBeGreaterThan(2990);
    // On: as from cold (several round trips); off: the warm window moves 2 MiB in about one trip.
    if (on) expect(idle.expectedMs).toBeCloseTo(idle.expectedColdMs, 6);
    else expect(idle.expectedMs).toBeLessThan(idle.expectedColdMs - 3 * rtt);
    expect(idle.ms).toBeGreaterThan(idle.expectedMs - 1.5 * rtt);
    if (!starved(m, "after idle")) expect(idle.ms).toBeLessThan(idle.expectedMs + 1.5 * rtt);
  }, 30_000);

  it("loss turns into retransmission delay (one extra round trip per lossy chunk)", async () => {
    const lossy = await probe({ forward: { delayMs: 5, lossPct: 100 }, bytes: 4096, pings: 5 });
    const clean = await probe({ forward: { delayMs: 5 }, bytes: 4096, pings: 5 });
    expect(clean.rttMinMs).toBeGreaterThan(9.9);
    // Each direction pays its retransmission (10 ms): 10 + 2 × 10 ms.
    expect(lossy.rttMinMs).toBeGreaterThan(29.9);
    if (!starved({ loopDelayMs: 0 }, "loss")) {
      expect(clean.rttMinMs).toBeLessThan(11.5);
      expect(lossy.rttMinMs).toBeLessThan(32);
    }
  });
});

describe("jitter never reorders bytes", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it("delivers every uint32 of a stream in order through 5 ms ± 4 ms normal jitter", async () => {
    const topology = parseTopology("new-york:1,london:1");
    const plan: AddressPlan = { basePort: 23050, emulate: true };
    let expected = 0;
    let bad = 0;
    let carry = Buffer.alloc(0);
    const done = new Promise<void>((resolve) => {
      const server = createServer((socket) => {
        socket.on("data", (chunk: Buffer) => {
          const data = Buffer.concat([carry, chunk]);
          const whole = data.length - (data.length % 4);
          for (let i = 0; i < whole; i += 4) if (data.readUInt32LE(i) !== expected++) bad++;
          carry = data.subarray(whole);
        });
        socket.on("end", () => resolve());
      }).listen(23051, "127.0.0.1");
      servers.push(server);
    });
    const emulator = await startWorldEmulator({ topology, plan, profiles: () => ({ delayMs: 5, jitterMs: 4, distribution: "normal" }) });
    try {
      const socket = await new Promise<Socket>((resolve) => {
        const s: Socket = connect(proxyPort(topology, plan, 0, 1), "127.0.0.1", () => resolve(s));
      });
      const words = 1 << 20;
      for (let sent = 0; sent < words;) {
        const n = Math.min(words - sent, 1 + Math.floor(Math.random() * 3000));
        const block = new Uint32Array(n).map((_, i) => sent + i);
        sent += n;
        if (!socket.write(Buffer.from(block.buffer))) await new Promise((r) => socket.once("drain", r));
        if (sent % 16 === 0) await new Promise((r) => setImmediate(r)); // many small reads, many jitter samples
      }
      socket.end();
      await done;
      expect(expected).toBe(words);
      expect(bad).toBe(0);
      expect(emulator.stats().links.find((l) => l.src === 0 && l.dst === 1)?.bytes).toBe(words * 4);
    } finally {
      await emulator.close();
    }
  });
});

describe("startWorldEmulator over a topology", () => {
  it("opens a proxy per (source region, rank elsewhere), applies each pair's delay, shares the rate, and closes its ports", async () => {
    const topology = parseTopology("new-york:1,london:2");
    const plan: AddressPlan = { basePort: 23060, emulate: true };
    const servers = [0, 1, 2].map((rank) => createServer((s) => s.pipe(s)).listen(23060 + rank, "127.0.0.1"));
    const emulator = await startWorldEmulator({ topology, plan, rateMbit: 100 });
    const rtt = async (port: number): Promise<number> => {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const s: Socket = connect({ port, host: "127.0.0.1", noDelay: true }, () => resolve(s));
        s.once("error", reject);
      });
      const times: number[] = [];
      for (let i = 0; i < 4; i++) {
        const t0 = performance.now();
        await new Promise((resolve) => {
          socket.once("data", resolve);
          socket.write("ping");
        });
        times.push(performance.now() - t0);
      }
      socket.destroy();
      return Math.min(...times.slice(1));
    };
    try {
      const expected = 2 * fromDistance(5570).delayMs; // new-york ↔ london, ≈ 95 ms
      const nyToLondon = await rtt(proxyPort(topology, plan, 0, 2));
      const londonToNy = await rtt(proxyPort(topology, plan, 1, 0));
      for (const measured of [nyToLondon, londonToNy]) {
        expect(measured).toBeGreaterThan(expected * 0.99 - 0.1);
        if (!starved({ loopDelayMs: 0 }, "topology RTT")) expect(measured).toBeLessThan(expected * 1.05 + 0.5);
      }
      // No proxy inside a region: london → rank 1 (london) is direct.
      await expect(rtt(proxyPort(topology, plan, 1, 1))).rejects.toThrow(/ECONNREFUSED/);
      expect(emulator.stats().connections).toBe(2);
      // Two connections new-york → london (ranks 1 and 2) share one 100 Mbit/s bucket: 2 × 2.5 MB take
      // at least 0.4 s, where separate buckets would take 0.2 s. (A lower bound: load cannot fake it.)
      const bulk = async (port: number, bytes: number): Promise<void> => {
        const socket = connect({ port, host: "127.0.0.1" });
        let back = 0;
        await new Promise<void>((resolve, reject) => {
          socket.on("data", (d: Buffer) => (back += d.length) >= bytes && resolve());
          socket.once("error", reject);
          socket.write(Buffer.alloc(bytes));
        });
        socket.destroy();
      };
      const t0 = performance.now();
      await Promise.all([bulk(proxyPort(topology, plan, 0, 1), 2_500_000), bulk(proxyPort(topology, plan, 0, 2), 2_500_000)]);
      const elapsed = performance.now() - t0;
      expect(elapsed).toBeGreaterThan(400 * 0.97);
      expect(elapsed).toBeLessThan(3000);
      expect(emulator.stats().links.find((l) => l.src === 0 && l.dst === 1)?.bytes).toBe(5_000_000 + 2 * 4 * 4); // + the pings above
    } finally {
      await emulator.close();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
    await expect(rtt(proxyPort(topology, plan, 0, 2))).rejects.toThrow(/ECONNREFUSED/);
  });
});
