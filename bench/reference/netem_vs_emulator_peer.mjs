// The processes netem_vs_emulator.mjs runs inside its two namespaces:
//   sink PORT                         counts each connection's bytes and answers one byte when all came
//   send HOST PORT STREAMS BYTES      STREAMS fresh connections, BYTES each; prints {ms, mbit} as JSON
//   emulate BASE_PORT PEER_HOST PROFILE_JSON
//                                     the userspace emulator a->b (rank 1 of "a:1,b:1" at PEER_HOST);
//                                     prints "ready PORT" with the port to dial, runs until SIGTERM
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

async function emulate(basePort, peerHost, profileJson) {
  const { startEmulator } = await import(join(dist, "netem", "emulator", "emulator.js"));
  const { parseTopology } = await import(join(dist, "world", "topology.js"));
  const { proxyPort } = await import(join(dist, "world", "addresses.js"));
  const topology = parseTopology("a:1,b:1");
  const plan = { basePort: Number(basePort), emulate: true, hosts: { a: "127.0.0.1", b: peerHost } };
  const profile = JSON.parse(profileJson);
  const emulator = await startEmulator({ topology, plan, profiles: () => profile, sourceRegions: [0] });
  console.log(`ready ${proxyPort(topology, plan, 0, 1)}`);
  process.on("SIGTERM", () => void emulator.close().then(() => process.exit(0)));
}

if (mode === "sink") sink(...args);
else if (mode === "send") await send(...args);
else if (mode === "emulate") await emulate(...args);
else {
  console.error(`unknown mode "${mode}": sink | send | emulate`);
  process.exit(2);
}
