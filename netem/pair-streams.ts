/** BDP stream counts moved to the pure model layer (model/pair-streams.ts); this path keeps old imports working. */
export * from "../model/pair-streams.js";
