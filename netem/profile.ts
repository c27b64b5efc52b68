/** Link profiles moved to the pure model layer (model/profile.ts); this path keeps old imports working. */
export * from "../model/profile.js";
