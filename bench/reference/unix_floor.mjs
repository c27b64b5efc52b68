// The bare Node floor between two processes on this host over a Unix socket, no longhaul code on
// the path: a 4 KiB ping-pong (one-way latency = median round trip / 2) and a 64 MiB stream in
// 4 MiB writes read into one reused buffer (GB/s). The same shape as zmq_floor.mjs, with Node's `net`.
//   node bench/reference/unix_floor.mjs [iters]
// Prints one JSON line: {"transport":"unix","pingPongOneWayUs","streamGBs"}.
import { fork } from "node:child_process";
import net from "node:net";

const [itersText = "2000"] = process.argv.slice(2);
const iters = Number(itersText);
const path = `/tmp/longhaul-unix-floor-${process.env.FLOOR_PARENT ?? process.pid}.sock`;
const PING = 4096;
const STREAM = 64 << 20;
const CHUNK = 4 << 20;

if (process.env.FLOOR_CHILD) {
  // Echoes each 4 KiB ping, then answers 8 bytes per 64 MiB of stream received.
  let pings = iters * 2;
  let got = 0;
  const socket = net.connect({
    path,
    onread: {
      buffer: Buffer.allocUnsafe(1 << 20),
      callback: (n, buffer) => {
        got += n;
        if (pings > 0) {
          if (got < PING) return true;
          got -= PING;
          socket.write(Buffer.from(buffer.subarray(0, PING)));
          if (--pings === 0) got = 0;
          return true;
        }
        for (; got >= STREAM; got -= STREAM) socket.write(Buffer.alloc(8));
        return true;
      },
    },
  });
  socket.on("close", () => process.exit(0));
} else {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(path, resolve));
  fork(new URL(import.meta.url).pathname, process.argv.slice(2), { env: { ...process.env, FLOOR_CHILD: "1", FLOOR_PARENT: String(process.pid) } });
  const socket = await new Promise((resolve) => server.once("connection", resolve));
  let got = 0;
  let want = 0;
  let wake;
  socket.on("data", (data) => {
    got += data.length;
    if (wake && got >= want) {
      got -= want;
      const w = wake;
      wake = undefined;
      w();
    }
  });
  const read = (n) => new Promise((resolve) => (got >= n ? ((got -= n), resolve()) : ((want = n), (wake = resolve))));
  const ping = Buffer.alloc(PING, 1);
  const rtts = [];
  for (let i = 0; i < iters * 2; i++) {
    const t = process.hrtime.bigint();
    socket.write(ping);
    await read(PING);
    if (i >= iters) rtts.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  rtts.sort((a, b) => a - b);
  const chunk = Buffer.alloc(CHUNK, 2);
  const streams = [];
  for (let run = 0; run < 6; run++) {
    const t = process.hrtime.bigint();
    for (let sent = 0; sent < STREAM; sent += CHUNK) if (!socket.write(chunk)) await new Promise((resolve) => socket.once("drain", resolve));
    await read(8);
    if (run > 0) streams.push(STREAM / (Number(process.hrtime.bigint() - t) / 1e9) / 1e9);
  }
  streams.sort((a, b) => a - b);
  socket.end();
  server.close();
  console.log(JSON.stringify({ transport: "unix", pingPongOneWayUs: +(rtts[rtts.length >> 1] / 2).toFixed(1), streamGBs: +streams[streams.length >> 1].toFixed(3) }));
}
