/** Distance → profile moved to the pure model layer (model/distance.ts); this path keeps old imports working. */
export * from "../model/distance.js";
