// The processes netem_vs_emulator.mjs runs inside its two namespaces:
//   sink PORT                         counts each connection's bytes and answers one byte when all came
//   send HOST PORT STREAMS BYTES      STREAMS fresh connections, BYTES each; prints {ms, mbit} as JSON
//   emulate LISTEN_PORT PEER_HOST PEER_PORT PROFILE_JSON
//                                     the userspace emulator on one route, 127.0.0.1:LISTEN_PORT to
//                                     PEER_HOST:PEER_PORT; prints "ready", runs until SIGTERM
// A transfer's time runs from its first write to the last connection's answer: one one-way delay
// more than the bytes need, on both paths alike.
import { connect, createServer } from "node:net";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist");
const [mode, ...args] = process.argv.slice(2);

function sink(port) {
  const server = createServer({ noDelay: true }, (socket) => {
    let expected = -1;
    let got = 0;
    let header = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      if (expected < 0) {
        header = Buffer.concat([header, chunk]);
        if (header.length < 8) return;
        expected = Number(header.readBigUInt64LE(0));
        chunk = header.subarray(8);
      }
      got += chunk.length;
      if (got >= expected) socket.end(Buffer.from([1]));
    });
    socket.on("error", () => socket.destroy());
  });
  server.listen(Number(port), "0.0.0.0", () => console.log("ready"));
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}

function oneStream(host, port, bytes) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port), noDelay: true }, async () => {
      const head = Buffer.alloc(8);
      head.writeBigUInt64LE(BigInt(bytes));
      socket.write(head);
      const block = Buffer.alloc(1 << 20, 7);
      for (let sent = 0; sent < bytes; sent += block.length) {
        if (!socket.write(block.subarray(0, Math.min(block.length, bytes - sent)))) await new Promise((r) => socket.once("drain", r));
      }
    });
    socket.once("data", () => {
      socket.destroy();
      resolve(performance.now());
    });
    socket.once("error", reject);
  });
}

async function send(host, port, streams, bytes) {
  const n = Number(streams);
  const each = Math.ceil(Number(bytes) / n);
  const start = performance.now();
  const ends = await Promise.all(Array.from({ length: n }, () => oneStream(host, port, each)));
  const ms = Math.max(...ends) - start;
  console.log(JSON.stringify({ streams: n, bytes: n * each, ms, mbit: (n * each * 8) / (ms * 1000) }));
}

async function emulate(listenPort, peerHost, peerPort, profileJson) {
  const { startEmulator } = await import(join(dist, "netem", "emulator", "emulator.js"));
  const profile = JSON.parse(profileJson);
  const route = { listenHost: "127.0.0.1", listenPort: Number(listenPort), targetHost: peerHost, targetPort: Number(peerPort), src: 0, dst: 1 };
  const emulator = await startEmulator({ routes: [route], profile: () => profile });
  console.log("ready");
  process.on("SIGTERM", () => void emulator.close().then(() => process.exit(0)));
}

if (mode === "sink") sink(...args);
else if (mode === "send") await send(...args);
else if (mode === "emulate") await emulate(...args);
else {
  console.error(`unknown mode "${mode}": sink | send | emulate`);
  process.exit(2);
}
