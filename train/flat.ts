/** Concatenates views into one Float32Array (the unit every collective and DiLoCo work on). */
export function flatten(parts: ArrayLike<number>[], into?: Float32Array): Float32Array {
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const out = into ?? new Float32Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Views of `flat` with the given lengths, in order (no copy). */
export function split(flat: Float32Array, lengths: number[]): Float32Array[] {
  let at = 0;
  return lengths.map((n) => flat.subarray(at, (at += n)));
}
