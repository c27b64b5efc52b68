/**
 * Measures this host's software costs for the cost model (`longhaul calibrate`): the reduction
 * kernel's speed, a ZeroMQ message's CPU cost and one-way latency over loopback, and the CPU a
 * loopback byte costs. Each figure is the best of a few short runs, so a busy neighbour inflates
 * it less; the result says what host and how many cores it describes.
 */
import { availableParallelism, hostname } from "node:os";
import * as zmq from "zeromq";
import { allocArray, reduceInto } from "../collectives/kernels/index.js";
import { CALIBRATION_VERSION, type Calibration } from "../model/calibration.js";

export interface CalibrateOptions {
  /** Shorter runs (for tests): less accurate, a few hundred ms in all. */
  quick?: boolean;
}

const now = () => performance.now() / 1000;
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Best of `runs` of `fn` (each returns a figure where lower is better). */
async function best(runs: number, fn: () => Promise<number> | number): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < runs; i++) min = Math.min(min, await fn());
  return min;
}

/** Seconds per operand byte of the reduction kernel on registered (wasm) buffers. */
function reductionSecondsPerByte(bytes: number, repeats: number): number {
  const dst = allocArray(Float32Array, bytes / 4).fill(1);
  const src = allocArray(Float32Array, bytes / 4).fill(2);
  reduceInto(dst, src, "sum");
  const start = now();
  for (let i = 0; i < repeats; i++) reduceInto(dst, src, "sum");
  return (now() - start) / (bytes * repeats);
}

async function pairOnLoopback(): Promise<[zmq.Pair, zmq.Pair]> {
  const a = new zmq.Pair({ linger: 0 });
  const b = new zmq.Pair({ linger: 0 });
  await a.bind("tcp://127.0.0.1:*");
  b.connect(a.lastEndpoint!);
  return [a, b];
}

/** Round trip of a small message, s (ping-pong, one process: both ends and their I/O threads share the host). */
async function roundTripS(a: zmq.Pair, b: zmq.Pair, rounds: number): Promise<number> {
  const ping = Buffer.alloc(8);
  const start = now();
  for (let i = 0; i < rounds; i++) {
    await a.send(ping);
    const [msg] = await b.receive();
    await b.send(msg);
    await a.receive();
  }
  return (now() - start) / rounds;
}

/** CPU per message in a one-way burst (sender and receiver both counted, so halved: the model books it at each end). */
async function perMessageCpuS(a: zmq.Pair, b: zmq.Pair, messages: number): Promise<number> {
  const small = Buffer.alloc(64);
  const cpu = cpuSeconds();
  const received = (async () => {
    for (let i = 0; i < messages; i++) await b.receive();
  })();
  for (let i = 0; i < messages; i++) await a.send(small);
  await received;
  return (cpuSeconds() - cpu) / messages / 2;
}

/** CPU seconds per byte and wall bytes/s of a bulk loopback transfer in 1 MiB messages. */
async function bulk(a: zmq.Pair, b: zmq.Pair, totalBytes: number): Promise<{ cpuPerByte: number; bytesPerS: number }> {
  const chunk = Buffer.alloc(1 << 20, 1);
  const count = Math.max(1, Math.round(totalBytes / chunk.byteLength));
  const [cpu, start] = [cpuSeconds(), now()];
  const received = (async () => {
    for (let i = 0; i < count; i++) await b.receive();
  })();
  for (let i = 0; i < count; i++) await a.send(chunk);
  await received;
  const bytes = count * chunk.byteLength;
  return { cpuPerByte: (cpuSeconds() - cpu) / bytes, bytesPerS: bytes / (now() - start) };
}

export async function calibrate(options: CalibrateOptions = {}): Promise<Calibration> {
  const q = options.quick ?? false;
  const gammaS = await best(3, () => reductionSecondsPerByte(q ? 1 << 20 : 16 << 20, q ? 4 : 16));
  const [a, b] = await pairOnLoopback();
  try {
    await roundTripS(a, b, 20); // connect and warm up
    const rtt = await best(3, () => roundTripS(a, b, q ? 50 : 500));
    const perMessageS = await best(3, () => perMessageCpuS(a, b, q ? 500 : 5000));
    const bulkRuns: Array<{ cpuPerByte: number; bytesPerS: number }> = [];
    for (let i = 0; i < 3; i++) bulkRuns.push(await bulk(a, b, q ? 8 << 20 : 128 << 20));
    const localBetaS = Math.min(...bulkRuns.map((r) => r.cpuPerByte));
    // The round trip is two one-way trips, each a message's CPU at both ends plus the loopback leg.
    const localAlphaS = Math.max(0, rtt / 2 - 2 * perMessageS);
    return {
      version: CALIBRATION_VERSION,
      measuredAt: new Date().toISOString(),
      host: hostname(),
      cores: availableParallelism(),
      software: { gammaS, perMessageS, localAlphaS, localBetaS },
      figures: {
        reductionGBps: 1 / gammaS / 1e9,
        roundTripUs: rtt * 1e6,
        loopbackGBps: Math.max(...bulkRuns.map((r) => r.bytesPerS)) / 1e9,
      },
    };
  } finally {
    a.close();
    b.close();
  }
}
