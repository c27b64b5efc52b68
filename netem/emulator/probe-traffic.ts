import { connect, createServer, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { NetemError } from "../errors.js";

/**
 * The load side of `probeLink`: a ping-pong client, bulk senders and a sink. In the compiled CLI
 * it runs in a worker thread, so that the emulator under test does not share its thread (and its
 * CPU share on a busy machine) with the traffic it measures; from TypeScript sources (tests) it
 * runs in the calling thread.
 */
export interface Transfer {
  bytes: number;
  firstChunk: number;
  firstAt: number;
  lastAt: number;
  /** When the sink had counted half of the bytes sent: the second half is past slow start on a long transfer. */
  halfAt: number;
  reordered: boolean;
}

/** A warm connection, silent for a while, then sending again (slow start after idle shows here). */
export interface IdleTransfer {
  /** Bytes moved after the silence. */
  bytes: number;
  /** From the first byte written after the silence to the last byte the sink counted. */
  ms: number;
  /** Silence between the warm-up's last byte at the sink and the next write. */
  idleMs: number;
}

export interface PingResult {
  rttMs: number;
  rttMinMs: number;
  firstEchoMs: number;
}

export interface Traffic {
  readonly sinkPort: number;
  ping(port: number, count: number): Promise<PingResult>;
  /** Sends `perStream` bytes on each of `streams` connections; returns what the sink saw. */
  bulk(port: number, streams: number, perStream: number): Promise<Transfer>;
  /** Warms one connection with `warmBytes`, waits until the sink has them all, stays silent `idleMs`, then times `bytes`. */
  afterIdle(port: number, warmBytes: number, idleMs: number, bytes: number): Promise<IdleTransfer>;
  close(): Promise<void>;
}

const PING_BYTES = 64;

function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, noDelay: true }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Median round trip of small messages on one connection (after its set-up). */
async function pingPong(port: number, count: number): Promise<{ rttMs: number; rttMinMs: number; firstEchoMs: number }> {
  const start = performance.now();
  const socket = await connected(port);
  socket.write("E");
  const samples: number[] = [];
  let firstEchoMs = 0;
  for (let i = 0; i <= count; i++) {
    const sent = performance.now();
    await new Promise<void>((resolve) => {
      let got = 0;
      const onData = (chunk: Buffer): void => {
        got += chunk.length;
        if (got >= PING_BYTES) {
          socket.off("data", onData);
          resolve();
        }
      };
      socket.on("data", onData);
      socket.write(Buffer.alloc(PING_BYTES, i));
    });
    if (i === 0) firstEchoMs = performance.now() - start;
    else samples.push(performance.now() - sent);
  }
  socket.destroy();
  samples.sort((a, b) => a - b);
  return { rttMs: samples[Math.floor(samples.length / 2)], rttMinMs: samples[0], firstEchoMs };
}

/** Writes `bytes` whose uint32 at every 4 KiB boundary holds its word index from `offset` on (so the sink can check order). */
async function writeStamped(socket: Socket, offset: number, bytes: number): Promise<void> {
  const blockBytes = 1 << 20;
  for (let sent = 0; sent < bytes; sent += blockBytes) {
    // Only the word at each 4 KiB boundary is stamped (with its word index): cheap at 1 Gbit/s.
    const block = Buffer.alloc(Math.min(blockBytes, bytes - sent));
    for (let p = 0; p + 4 <= block.length; p += 4096) block.writeUInt32LE(((offset + sent + p) / 4) >>> 0, p);
    if (!socket.write(block)) await new Promise((resolve) => socket.once("drain", resolve));
  }
}

async function closeSending(socket: Socket): Promise<void> {
  await new Promise<void>((resolve) => socket.end(resolve));
  await new Promise((resolve) => socket.once("close", resolve));
}

/** Sends `bytes` of the stamped pattern on a fresh connection, then closes. */
async function sendBulk(port: number, bytes: number): Promise<void> {
  const socket = await connected(port);
  socket.write("S");
  await writeStamped(socket, 0, bytes);
  await closeSending(socket);
}

/**
 * One connection: `warmBytes`, then — once the sink has counted them all, so nothing is in flight —
 * `idleMs` of silence, then `bytes` timed from the first write to the sink's last byte.
 */
async function sendAfterIdle(sink: Sink, port: number, warmBytes: number, idleMs: number, bytes: number): Promise<IdleTransfer> {
  const socket = await connected(port);
  socket.write("S");
  await writeStamped(socket, 0, warmBytes);
  const warmedAt = await sink.reached(warmBytes);
  await new Promise((resolve) => setTimeout(resolve, idleMs)); // the silence being measured, not a wait for an event
  const start = performance.now();
  await writeStamped(socket, warmBytes, bytes);
  const lastAt = await sink.reached(warmBytes + bytes);
  await closeSending(socket);
  return { bytes, ms: lastAt - start, idleMs: start - warmedAt };
}

interface Sink {
  port: number;
  transfer: Transfer;
  /** Bytes the current bulk sends, for `halfAt`. */
  expected: number;
  /** Resolves with the time the sink's count reached `bytes`. */
  reached(bytes: number): Promise<number>;
  close(): Promise<void>;
}

/** Echoes connections that start with "E"; counts (and checks the byte pattern of) those that start with "S". */
async function startSink(port: number): Promise<Sink> {
  const transfer = emptyTransfer();
  const waiters: { bytes: number; resolve: (at: number) => void }[] = [];
  const reached = (bytes: number): Promise<number> =>
    transfer.bytes >= bytes ? Promise.resolve(transfer.lastAt) : new Promise((resolve) => waiters.push({ bytes, resolve }));
  const sink = { port: 0, transfer, expected: 0, reached, close: () => Promise.resolve() };
  const server: Server = createServer({ noDelay: true }, (socket) => {
    let mode = "";
    let offset = 0;
    socket.on("data", (chunk: Buffer) => {
      if (mode === "") {
        mode = String.fromCharCode(chunk[0]);
        chunk = chunk.subarray(1);
      }
      if (mode === "E") {
        socket.write(chunk);
        return;
      }
      const now = performance.now();
      if (transfer.bytes === 0) {
        transfer.firstAt = now;
        transfer.firstChunk = chunk.length;
      }
      // Spot-check the word at each 4 KiB boundary: word k holds k, whatever the chunking.
      for (let p = Math.ceil(offset / 4096) * 4096; p + 4 <= offset + chunk.length && p - offset >= 0; p += 4096) {
        if (chunk.readUInt32LE(p - offset) !== (p / 4) >>> 0) transfer.reordered = true;
      }
      offset += chunk.length;
      if (transfer.bytes < sink.expected / 2 && transfer.bytes + chunk.length >= sink.expected / 2) transfer.halfAt = now;
      transfer.bytes += chunk.length;
      transfer.lastAt = now;
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (transfer.bytes >= waiters[i].bytes) waiters.splice(i, 1)[0].resolve(now);
      }
    });
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (cause) => reject(new NetemError(`probe sink cannot listen on 127.0.0.1:${port} (${(cause as Error).message})`, { code: "EMULATOR", cause })));
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address();
  sink.port = typeof address === "object" && address ? address.port : 0;
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}

function emptyTransfer(): Transfer {
  return { bytes: 0, firstChunk: 0, firstAt: 0, lastAt: 0, halfAt: 0, reordered: false };
}

async function inThread(sinkPort: number): Promise<Traffic> {
  const sink = await startSink(sinkPort);
  return {
    sinkPort: sink.port,
    ping: (port, count) => pingPong(port, count),
    bulk: async (port, streams, perStream) => {
      Object.assign(sink.transfer, emptyTransfer());
      sink.expected = streams * perStream;
      await Promise.all(Array.from({ length: streams }, () => sendBulk(port, perStream)));
      return { ...sink.transfer };
    },
    afterIdle: async (port, warmBytes, idleMs, bytes) => {
      Object.assign(sink.transfer, emptyTransfer());
      sink.expected = warmBytes + bytes;
      return sendAfterIdle(sink, port, warmBytes, idleMs, bytes);
    },
    close: () => sink.close(),
  };
}

type Call = { op: "sinkPort" } | { op: "ping"; port: number; count: number } | { op: "bulk"; port: number; streams: number; perStream: number }
  | { op: "afterIdle"; port: number; warmBytes: number; idleMs: number; bytes: number } | { op: "close" };
type Request = Call & { id: number };

async function inWorker(sinkPort: number, file: URL): Promise<Traffic> {
  const worker = new Worker(file, { workerData: { longhaulProbeTraffic: true, sinkPort } });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failed: Error | undefined;
  worker.on("message", (m: { id: number; value?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new NetemError(m.error, { code: "EMULATOR" }));
    else p?.resolve(m.value);
  });
  worker.on("error", (error) => {
    failed = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  });
  const call = <T>(request: Call): Promise<T> =>
    failed ? Promise.reject(failed) : new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  const port = await call<number>({ op: "sinkPort" });
  return {
    sinkPort: port,
    ping: (p, count) => call<PingResult>({ op: "ping", port: p, count }),
    bulk: (p, streams, perStream) => call<Transfer>({ op: "bulk", port: p, streams, perStream }),
    afterIdle: (p, warmBytes, idleMs, bytes) => call<IdleTransfer>({ op: "afterIdle", port: p, warmBytes, idleMs, bytes }),
    close: async () => {
      await call({ op: "close" }).catch(() => undefined);
      await worker.terminate();
    },
  };
}

/** Starts the traffic side: in a worker thread when running compiled JS (unless `sameThread`), else in this thread. */
export function startTraffic(sinkPort: number, sameThread = false): Promise<Traffic> {
  const self = new URL(import.meta.url);
  return self.pathname.endsWith(".js") && !sameThread ? inWorker(sinkPort, self) : inThread(sinkPort);
}

if (!isMainThread && (workerData as { longhaulProbeTraffic?: boolean } | null)?.longhaulProbeTraffic) {
  const port = parentPort!;
  const ready = inThread((workerData as { sinkPort: number }).sinkPort);
  port.on("message", (m: Request) => {
    void ready.then(async (traffic) => {
      switch (m.op) {
        case "sinkPort":
          return traffic.sinkPort;
        case "ping":
          return traffic.ping(m.port, m.count);
        case "bulk":
          return traffic.bulk(m.port, m.streams, m.perStream);
        case "afterIdle":
          return traffic.afterIdle(m.port, m.warmBytes, m.idleMs, m.bytes);
        case "close":
          await traffic.close();
          return undefined; // the parent terminates this worker once it has the answer
      }
    }).then(
      (value) => port.postMessage({ id: m.id, value }),
      (error: unknown) => port.postMessage({ id: m.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
}
