/**
 * What "auto" runs when the ranks are threads of one process (the threads transport). The cost
 * model describes socket transports (kernel copies, I/O threads); between threads a message is a
 * memcpy and a MessagePort hop, and a measured rule does better than that model: the one-shot
 * all-reduce over the shared arena while each rank reads at most ONE_SHOT_MAX_READ_BYTES of the
 * others' slots, the ring above (which streams 1 MiB pooled segments; halving-doubling and the tree
 * move whole halves in fresh buffers and ran 1.5–1.8x slower at 16–64 MiB).
 *
 * Measured with 4 threads on 2 cores, `longhaul bench allreduce --ranks 4 --transport threads
 * --algorithm one-shot,ring,halving-doubling,tree,hierarchical`: one-shot 0.89 ms vs ring 1.33 ms
 * at 1 MiB, 6.1 vs 4.0 ms at 4 MiB; at 64 MiB ring 74 ms, hierarchical 94, tree 124, halving-doubling 134.
 */
export const ONE_SHOT_MAX_READ_BYTES = 3 << 20;

/** The algorithm "auto" runs for `bytes` between `size` threads; `slotBytes` is the shared arena's slot (undefined: no arena). */
export function threadsChoice(bytes: number, size: number, slotBytes: number | undefined): "one-shot" | "ring" {
  const fits = slotBytes !== undefined && bytes <= slotBytes;
  return fits && bytes * (size - 1) <= ONE_SHOT_MAX_READ_BYTES ? "one-shot" : "ring";
}
