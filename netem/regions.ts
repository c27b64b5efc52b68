/** Regions moved to the pure model layer (model/regions.ts); this path keeps old imports working. */
export * from "../model/regions.js";
