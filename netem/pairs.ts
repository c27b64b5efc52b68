/** Region-pair profiles moved to the pure model layer (model/pairs.ts); this path keeps old imports working. */
export * from "../model/pairs.js";
