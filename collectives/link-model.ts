/** The link model moved to the pure model layer (model/link-model.ts); this path keeps old imports working. */
export * from "../model/link-model.js";
