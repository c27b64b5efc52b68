export { DiLoCo } from "./diloco.js";
export { fragmentsDueAt, planFragments, type Fragment } from "./fragments.js";
export { OuterNesterov } from "./nesterov.js";
export { StreamingDiLoCo } from "./streaming.js";
export { DILOCO_DEFAULTS, type DiLoCoOptions, type StreamingDiLoCoOptions } from "./types.js";
