// One rank of the multi-process compressed all-reduce test: real ZeroMQ tcp, a CountingTransport
// under the Communicator, one JSON line with the results and the WAN bytes this rank sent.
import { createCommunicator } from "../../../dist/collectives/communicator.js";
import { countTraffic } from "../../../dist/collectives/compression/traffic.js";
import { readRankEnv } from "../../../dist/world/env.js";
import { connectZmq } from "../../../dist/transports/zmq/connect.js";

const world = readRankEnv(process.env);
const transport = countTraffic(await connectZmq({ rank: world.rank, topology: world.topology, plan: world.plan, timeoutMs: 20_000 }), world.topology);
const comm = createCommunicator(transport, world.topology, { timeoutMs: 20_000 });
const input = (n, step) => Float32Array.from({ length: n }, (_, i) => ((i * 7 + comm.rank * 13 + step) % 11) - 5 + comm.rank * 0.25);
const out = {};
out.exact = Array.from(await comm.allReduce(input(37, 0), { compress: { kind: "topk", ratio: 1, values: "f32" } }));
out.fp16 = Array.from(await comm.allReduce(input(1001, 0), { compress: { kind: "fp16" } }));
let sum = 0;
for (let step = 0; step < 3; step++) {
  const r = await comm.allReduce(input(5000, step), { op: "avg", compress: { kind: "topk", ratio: 0.05, key: "ef" } });
  sum += r.reduce((a, b) => a + b * (1 + (step % 2)), 0);
}
out.efChecksum = sum;
const before = transport.traffic.wanBytes;
await comm.allReduce(input(100_000, 0), { op: "avg", compress: { kind: "topk", ratio: 0.01 } });
out.topkWanBytes = transport.traffic.wanBytes - before;
await comm.barrier();
console.log(JSON.stringify({ rank: comm.rank, ...out }));
await comm.close();
