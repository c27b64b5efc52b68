/** longhaul's public API: `import { init } from "longhaul"` in a trainer; the rest for tools and tests. */
export { init, type InitOptions } from "./init.js";
export { initElastic, type ElasticGroup, type ElasticOptions } from "./init-elastic.js";
export * from "./collectives/index.js";
export { CommError, type CommErrorCode } from "./world/comm-error.js";
export { parseTopology, TOPOLOGY_PRESETS, type Topology, type Region } from "./world/topology.js";
export type { Transport } from "./transports/transport.js";
export { createMemoryWorld } from "./transports/memory.js";
export { connectZmq, type ConnectZmqOptions } from "./transports/zmq/connect.js";
export { generateCurveKeys, readCurveKeys, type CurveKeys } from "./transports/curve.js";
export { createThreadMesh, ThreadTransport, type ThreadPorts, type ThreadTransportOptions } from "./transports/threads/transport.js";
export { createSharedArena, markRankExited, SharedArena, SHARED_SLOT_BYTES } from "./transports/threads/shared-arena.js";
export { launchRanks, type LaunchOptions, type LaunchResult } from "./launch/launcher.js";
export { startWorldEmulator, worldRoutes, type WorldEmulatorOptions } from "./launch/world-emulator.js";
export { runAllReduceSweep, type SweepOptions } from "./bench/allreduce-sweep.js";
export type { ResultRow, SweepOp, SweepTransport } from "./bench/sweep-types.js";
