/**
 * Hierarchical all-reduce whose inter-site step sends only each site's top-k (values and indices,
 * error feedback kept at home): reduce-scatter inside each site, an all-gather of the sites' sparse
 * messages between sites (sums of different top-k sets are not sparse, so sites gather rather than
 * reduce), all-gather inside each site.
 */
import { intraSiteBusy, intraSitePhase } from "./closed-form.js";
import { NO_COST, totalRanks, transfer, type Cost, type Fabric } from "./fabric.js";

/** `sentBytes`: one site's sparse message for this buffer (k values and their indices). */
export function sparseHierarchicalCost(f: Fabric, bytes: number, sentBytes: number): Cost {
  if (totalRanks(f) <= 1 || bytes === 0) return NO_COST;
  const S = f.ranksPerSite.length;
  const local = intraSitePhase(f, bytes);
  let inter = 0;
  let busy = 0;
  let wanBytes = 0;
  if (S > 1 && f.wanShape === "loop") {
    // A bidirectional ring all-gather: each message goes half-way round either way.
    let alpha = 0;
    let rate = Infinity;
    for (let s = 0; s < S; s++) {
      alpha = Math.max(alpha, f.wanAlphaS[s][(s + 1) % S], f.wanAlphaS[(s + 1) % S][s]);
      rate = Math.min(rate, f.wanBytesPerS[s][(s + 1) % S], f.wanBytesPerS[(s + 1) % S][s]);
    }
    wanBytes = ((S - 1) * sentBytes) / 2;
    busy = transfer(wanBytes, rate);
    inter = Math.floor(S / 2) * alpha + busy;
  } else if (S > 1) {
    wanBytes = sentBytes;
    for (let a = 0; a < S; a++) {
      for (let b = 0; b < S; b++) {
        if (a === b) continue;
        busy = Math.max(busy, transfer(sentBytes, f.wanBytesPerS[a][b]));
        inter = Math.max(inter, f.wanAlphaS[a][b] + transfer(sentBytes, f.wanBytesPerS[a][b]));
      }
    }
  }
  const localBusy = intraSiteBusy(f, bytes);
  return { seconds: 2 * local + inter, phases: [local, inter, local], phaseBusy: [localBusy, busy, localBusy], wanBytes };
}
