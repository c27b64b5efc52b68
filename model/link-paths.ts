/** A link model's WAN pairs as model/stream-rate.ts sees them, with the defaults of the optional TCP fields in one place. */
import type { LinkModel } from "./link-model.js";
import { LINUX_CONNECTIONS, type ConnectionSettings, type PairPath } from "./stream-rate.js";

export function connectionSettings(model: LinkModel): ConnectionSettings {
  return { cc: model.cc ?? LINUX_CONNECTIONS.cc, slowStartAfterIdle: model.slowStartAfterIdle ?? LINUX_CONNECTIONS.slowStartAfterIdle };
}

/** The directed pair a → b (region indices) carried by `connections` connections (a rank pair's streams, or 1). */
export function pairPathOf(model: LinkModel, a: number, b: number, connections = model.streams[a][b]): PairPath {
  return {
    rttS: model.alphaS[a][b] + model.alphaS[b][a],
    rateBps: model.rateBps[a][b],
    windowBytes: model.windowBytes,
    loss: model.loss?.[a][b] ?? 0,
    connections,
  };
}
