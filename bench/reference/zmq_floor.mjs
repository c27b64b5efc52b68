// The bare zeromq.js floor between two processes on this host, no longhaul code on the path:
// a 4 KiB ping-pong (one-way latency = median round trip / 2) and a 64 MiB stream in 1 MiB messages
// (GB/s), over tcp loopback or ipc. `node bench/reference/zmq_floor.mjs [tcp|ipc] [iters]`
// Prints one JSON line: {"transport","pingPongOneWayUs","streamGBs"}.
import { fork } from "node:child_process";
import { Pull, Push } from "zeromq";

const [transport = "tcp", itersText = "2000"] = process.argv.slice(2);
const iters = Number(itersText);
const address = (i) => (transport === "ipc" ? `ipc:///tmp/longhaul-zmq-floor-${process.env.FLOOR_PARENT ?? process.pid}-${i}` : `tcp://127.0.0.1:${28280 + i}`);
const PING = 4096;
const CHUNK = 1 << 20;
const STREAM = 64 << 20;

async function sockets(me) {
  const pull = new Pull();
  await pull.bind(address(me));
  const push = new Push();
  push.connect(address(1 - me));
  return { push, pull };
}

if (process.env.FLOOR_CHILD) {
  const { push, pull } = await sockets(1);
  for await (const [msg] of pull) {
    if (msg.length === 1) break; // end of the run
    if (msg.length === PING) await push.send(msg);
    else if (msg.length === 8) await push.send(msg); // the stream's last message: acknowledge
  }
  push.close();
  pull.close();
} else {
  const child = fork(new URL(import.meta.url).pathname, process.argv.slice(2), { env: { ...process.env, FLOOR_CHILD: "1", FLOOR_PARENT: String(process.pid) } });
  const { push, pull } = await sockets(0);
  const ping = Buffer.alloc(PING, 1);
  const rtts = [];
  for (let i = 0; i < iters * 2; i++) {
    const t = process.hrtime.bigint();
    await push.send(ping);
    await pull.receive();
    if (i >= iters) rtts.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  rtts.sort((a, b) => a - b);
  const streams = [];
  const chunk = Buffer.alloc(CHUNK, 2);
  for (let run = 0; run < 6; run++) {
    const t = process.hrtime.bigint();
    for (let sent = 0; sent < STREAM; sent += CHUNK) await push.send(chunk);
    await push.send(Buffer.alloc(8));
    await pull.receive();
    if (run > 0) streams.push(STREAM / (Number(process.hrtime.bigint() - t) / 1e9) / 1e9);
  }
  streams.sort((a, b) => a - b);
  await push.send(Buffer.alloc(1));
  await new Promise((resolve) => child.on("exit", resolve));
  push.close();
  pull.close();
  console.log(JSON.stringify({ transport, pingPongOneWayUs: +(rtts[rtts.length >> 1] / 2).toFixed(1), streamGBs: +streams[streams.length >> 1].toFixed(3) }));
}
