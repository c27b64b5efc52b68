/**
 * Byte range of stripe `index` when `total` bytes are cut into `stripes` parts for multi-stream
 * links. Boundaries fall on multiples of 8 so each stripe copies into an aligned place.
 */
export function stripeBounds(total: number, stripes: number, index: number): [number, number] {
  const chunk = Math.ceil(total / stripes / 8) * 8;
  return [Math.min(total, index * chunk), Math.min(total, (index + 1) * chunk)];
}
