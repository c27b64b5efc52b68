/** The CPU calendar moved to the pure model layer (model/cost-cpu.ts); this path keeps old imports working. */
export * from "../model/cost-cpu.js";
