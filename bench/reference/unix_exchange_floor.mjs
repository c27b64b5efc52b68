// The bare Node floor of a small all-reduce between processes on this host over Unix sockets, no
// longhaul code: 4 processes, each iteration every rank writes its 4 KiB (behind a 4-byte iteration
// number) to the 3 others over one Unix socket per pair and sums what it receives — the one-hop
// pattern, the fewest message latencies an all-reduce can have. Iterations run back to back (no
// barrier), so this is a lower bound. The same shape as zmq_exchange_floor.mjs, with Node's `net`.
//   node bench/reference/unix_exchange_floor.mjs [iters]
// Prints one JSON line on rank 0: {"transport":"unix","ranks","bytes","medianUs"}.
import { fork } from "node:child_process";
import net from "node:net";
import { checkSum, reportMedian } from "./exchange-report.mjs";

const [itersText = "3000"] = process.argv.slice(2);
const iters = Number(itersText);
const RANKS = 4;
const BYTES = 4096;
const FRAME = BYTES + 4;
const rank = Number(process.env.FLOOR_RANK ?? 0);
const tag = process.env.FLOOR_TAG ?? String(process.pid);
const path = (r) => `/tmp/longhaul-unix-exchange-${tag}-${r}.sock`;

const children = rank === 0 ? Array.from({ length: RANKS - 1 }, (_, i) => fork(new URL(import.meta.url).pathname, process.argv.slice(2), { env: { ...process.env, FLOOR_RANK: String(i + 1), FLOOR_TAG: tag } })) : [];
const early = new Map(); // iteration -> message bodies that arrived before this rank got there
let wake;
// Each peer's stream is cut into FRAME-byte messages.
const reader = () => {
  let pending = Buffer.alloc(0);
  return (data) => {
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    while (pending.length >= FRAME) {
      const it = pending.readUInt32LE(0);
      const body = new Float32Array(pending.buffer.slice(pending.byteOffset + 4, pending.byteOffset + FRAME));
      early.set(it, [...(early.get(it) ?? []), body]);
      pending = pending.subarray(FRAME);
    }
    wake?.();
  };
};
// Lower ranks dial higher ones; each pair shares one duplex connection.
const sockets = [];
const server = net.createServer((s) => {
  s.on("data", reader());
  sockets.push(s);
});
await new Promise((resolve) => server.listen(path(rank), resolve));
const dial = (r) =>
  new Promise((resolve) => {
    const s = net.connect({ path: path(r) });
    s.once("connect", () => resolve(s));
    s.once("error", () => setTimeout(() => dial(r).then(resolve), 10));
  });
for (let r = rank + 1; r < RANKS; r++) {
  const s = await dial(r);
  s.on("data", reader());
  sockets.push(s);
}
while (sockets.length < RANKS - 1) await new Promise((resolve) => setTimeout(resolve, 5));
const mine = new Float32Array(BYTES / 4).fill(rank + 1);
const sum = new Float32Array(BYTES / 4);
const times = [];
for (let i = 0; i < iters * 2 + 1; i++) {
  const t = process.hrtime.bigint();
  const frame = Buffer.allocUnsafe(FRAME);
  frame.writeUInt32LE(i);
  frame.set(new Uint8Array(mine.buffer), 4);
  for (const s of sockets) s.write(frame);
  sum.set(mine);
  while ((early.get(i)?.length ?? 0) < RANKS - 1) await new Promise((resolve) => (wake = resolve));
  for (const v of early.get(i)) for (let k = 0; k < sum.length; k++) sum[k] += v[k];
  early.delete(i);
  if (i > iters) times.push(Number(process.hrtime.bigint() - t) / 1e3);
}
checkSum(rank, RANKS, sum);
// The last iteration's messages from every peer arrived, so every peer has written everything: close.
for (const s of sockets) s.end();
server.close();
await reportMedian(rank, children, times, { transport: "unix", ranks: RANKS, bytes: BYTES });
