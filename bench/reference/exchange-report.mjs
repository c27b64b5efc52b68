// The end both exchange floors share: every rank checks its last sum; rank 0 waits for the other
// ranks' processes to exit and prints the median iteration time as one JSON line.

/** Throws unless `sum` holds 1 + 2 + … + ranks, what every rank contributes (rank + 1) summed. */
export function checkSum(rank, ranks, sum) {
  if (sum[0] !== (ranks * (ranks + 1)) / 2) throw new Error(`rank ${rank}: wrong sum ${sum[0]}`);
}

/** On rank 0: waits for `children` to exit, then prints `fields` with the median of `times` (µs). */
export async function reportMedian(rank, children, times, fields) {
  if (rank !== 0) return;
  await Promise.all(children.map((c) => new Promise((resolve) => c.on("exit", resolve))));
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ ...fields, medianUs: +times[times.length >> 1].toFixed(1) }));
}
