/** The message schedules moved to the pure model layer (model/cost-schedules.ts); this path keeps old imports working. */
export * from "../model/cost-schedules.js";
