// The bare zeromq.js floor of a small all-reduce between processes on this host, no longhaul code:
// 4 processes, each iteration every rank PUSHes its 4 KiB to the 3 others (one PUSH per peer, one PULL
// per rank, as longhaul's wire) and sums what it receives — the one-hop pattern, the fewest message
// latencies an all-reduce can have. Iterations run back to back (no barrier), so this is a lower bound.
//   node bench/reference/zmq_exchange_floor.mjs [tcp|ipc] [iters]
// Prints one JSON line on rank 0: {"transport","ranks","bytes","medianUs"}.
import { fork } from "node:child_process";
import { Pull, Push } from "zeromq";
import { checkSum, reportMedian } from "./exchange-report.mjs";

const [transport = "tcp", itersText = "3000"] = process.argv.slice(2);
const iters = Number(itersText);
const RANKS = 4;
const BYTES = 4096;
const rank = Number(process.env.FLOOR_RANK ?? 0);
const tag = process.env.FLOOR_TAG ?? String(process.pid);
const address = (r) => (transport === "ipc" ? `ipc:///tmp/longhaul-zmq-exchange-${tag}-${r}` : `tcp://127.0.0.1:${28270 + r}`);

const children = rank === 0 ? Array.from({ length: RANKS - 1 }, (_, i) => fork(new URL(import.meta.url).pathname, process.argv.slice(2), { env: { ...process.env, FLOOR_RANK: String(i + 1), FLOOR_TAG: tag } })) : [];
const pull = new Pull();
await pull.bind(address(rank));
const pushes = [];
for (let r = 0; r < RANKS; r++) {
  if (r === rank) continue;
  const push = new Push();
  push.connect(address(r));
  pushes.push(push);
}
const mine = new Float32Array(BYTES / 4).fill(rank + 1);
const sum = new Float32Array(BYTES / 4);
const early = new Map(); // iteration -> messages that arrived before this rank got there
const receiveFor = async (iteration) => {
  const ready = early.get(iteration) ?? [];
  early.delete(iteration);
  while (ready.length < RANKS - 1) {
    const [head, body] = await pull.receive();
    const it = head.readUInt32LE(0);
    if (it === iteration) ready.push(body);
    else early.set(it, [...(early.get(it) ?? []), body]);
  }
  return ready;
};
const times = [];
for (let i = 0; i < iters * 2 + 1; i++) {
  const t = process.hrtime.bigint();
  const head = Buffer.alloc(4);
  head.writeUInt32LE(i);
  await Promise.all(pushes.map((push) => push.send([head, Buffer.from(mine.buffer)])));
  sum.set(mine);
  for (const body of await receiveFor(i)) {
    const v = new Float32Array(body.buffer, body.byteOffset, body.byteLength / 4);
    for (let k = 0; k < sum.length; k++) sum[k] += v[k];
  }
  if (i > iters) times.push(Number(process.hrtime.bigint() - t) / 1e3);
}
checkSum(rank, RANKS, sum);
// The last iteration's messages from every peer arrived, so every peer has sent everything: close.
for (const push of pushes) push.close();
pull.close();
await reportMedian(rank, children, times, { transport, ranks: RANKS, bytes: BYTES });
