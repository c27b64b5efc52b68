/**
 * Indices of the k largest |values|, ascending. Quickselect on a copy of the magnitudes finds the
 * threshold in O(n) on average (a full sort of 10^5..10^7 gradients per step would dominate).
 */
export function selectTopK(values: Float32Array, k: number): Int32Array {
  const n = values.length;
  const want = Math.max(0, Math.min(n, Math.floor(k)));
  if (want === 0) return new Int32Array(0);
  if (want === n) return Int32Array.from({ length: n }, (_, i) => i);
  const mags = new Float32Array(n);
  for (let i = 0; i < n; i++) mags[i] = Math.abs(values[i]);
  const threshold = kthLargest(mags, want);
  const out = new Int32Array(want);
  let taken = 0;
  // Strictly-above first, then ties in index order, so exactly k come out.
  let ties = want;
  for (let i = 0; i < n; i++) if (Math.abs(values[i]) > threshold) ties--;
  for (let i = 0; i < n && taken < want; i++) {
    const m = Math.abs(values[i]);
    if (m > threshold || (m === threshold && ties-- > 0)) out[taken++] = i;
  }
  return out;
}

/** The k-th largest element (1-based) of `a`; reorders `a`. */
function kthLargest(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1;
  let seed = 0x9e3779b9;
  while (lo < hi) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    const pivot = a[lo + (seed % (hi - lo + 1))];
    // Three-way partition in descending order: [> pivot | == pivot | < pivot].
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i];
      if (v > pivot) {
        a[i++] = a[lt];
        a[lt++] = v;
      } else if (v < pivot) {
        a[i] = a[gt];
        a[gt--] = v;
      } else i++;
    }
    if (target < lt) hi = lt - 1;
    else if (target > gt) lo = gt + 1;
    else return pivot;
  }
  return a[lo];
}
