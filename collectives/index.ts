/** Public surface of collectives/: the Communicator, its algorithms registry and the reduction kernels. */
export { createCommunicator, DEFAULT_SEGMENT_BYTES, DEFAULT_TIMEOUT_MS } from "./communicator.js";
export type { CommunicatorOptions } from "./communicator.js";
export type {
  AllReduceAlgorithm,
  AllReduceAlgorithmName,
  AllReduceOptions,
  Communicator,
  DTypeName,
  NumericArray,
  OpContext,
  OpOptions,
  ReduceOp,
  ReduceOptions,
} from "./types.js";
export { promiseWork, promiseWorkStarter } from "./work.js";
export type { Work, WorkStarter } from "./types.js";
export { allReduceAlgorithmNames, getAllReduceAlgorithm, registerAllReduceAlgorithm } from "./registry.js";
export { ringAllReduce } from "./algorithms/allreduce-ring.js";
export { allocArray, reduceInto, kernelBackend, type KernelOp } from "./kernels/index.js";
export * from "./compression/index.js";
export * from "./diloco/index.js";
export * from "./elastic/index.js";
