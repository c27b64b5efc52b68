/** Public surface of transports/: the interface, its implementations, topology and addresses. */
export type { Transport } from "./transport.js";
export { opTag, bytesOf, TAG_STEPS_PER_OP } from "./transport.js";
export { CommError, invalidArgument } from "./errors.js";
export type { CommErrorCode, CommErrorFields } from "./errors.js";
export { parseTopology, TOPOLOGY_PRESETS } from "./topology.js";
export type { Topology, Region } from "./topology.js";
export { DEFAULT_BASE_PORT, dialEndpoint, hostOf, listenEndpoint, listenEndpoints, listenPort, proxyPort } from "./addresses.js";
export type { AddressPlan } from "./addresses.js";
export { createMemoryWorld, MemoryTransport } from "./memory.js";
export { connectZmq } from "./zmq-connect.js";
export type { ConnectZmqOptions } from "./zmq-connect.js";
export { ZmqTransport } from "./zmq-transport.js";
export { decodeHeader, encodeHeader, FrameKind, HEADER_BYTES } from "./frames.js";
export type { FrameHeader } from "./frames.js";
export { launchRanks } from "./launcher.js";
export type { LaunchOptions, LaunchResult } from "./launcher.js";
export { readRankEnv, ENV } from "./env.js";
export type { RankEnv } from "./env.js";
