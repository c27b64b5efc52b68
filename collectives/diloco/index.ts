export { DiLoCo } from "./diloco.js";
export { fragmentsDueAt, planFragments, type Fragment } from "./fragments.js";
export { OuterNesterov } from "./nesterov.js";
export { StreamingDiLoCo } from "./streaming.js";
export { DILOCO_DEFAULTS, type DiLoCoOptions, type StreamingDiLoCoOptions } from "./types.js";
export { ElasticDiLoCo, stateHash, type ElasticDiLoCoOptions, type ElasticEvent } from "./elastic.js";
export type { Membership, Quorum } from "./membership.js";
