/** The message-level replay moved to the pure model layer (model/cost-sim.ts); this path keeps old imports working. */
export * from "../model/cost-sim.js";
