export { ElasticDiLoCo, type ElasticDiLoCoOptions, type ElasticEvent } from "./elastic-diloco.js";
export { ElasticSync, type ElasticSyncEvent, type ElasticSyncOptions, type TrainingState } from "./elastic-sync.js";
export { stateHash } from "./heal.js";
export type { Membership, Quorum } from "./membership.js";
