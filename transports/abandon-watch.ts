/**
 * zeromq.js keeps the event loop alive while a socket waits to receive, so a program that ends
 * without calling close() would never exit. This watch calls `onAbandoned` once nothing else has
 * been pending in the process for `idleMs`: no timers (pending recvs and ACK waits hold timers),
 * sockets, child processes or immediates per process.getActiveResourcesInfo(), and `isBusy()`
 * (sends still queued) false. Its own timer is unref'd, so it never keeps the process alive.
 */
export function watchForAbandonment(idleMs: number, isBusy: () => boolean, onAbandoned: () => void): () => void {
  let idleTicks = 0;
  const tickMs = Math.max(10, Math.min(1000, Math.floor(idleMs / 5)));
  const timer = setInterval(() => {
    const idle = !isBusy() && othersPending().length === 0;
    idleTicks = idle ? idleTicks + 1 : 0;
    if (idleTicks * tickMs >= idleMs) {
      clearInterval(timer);
      onAbandoned();
    }
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Active resources besides this process's own stdout/stderr pipes or TTYs (listed, yet they never keep it alive). */
function othersPending(): string[] {
  const pending = process.getActiveResourcesInfo();
  for (const stream of [process.stdout, process.stderr]) {
    const kind = (stream as unknown as { _handle?: { constructor?: { name?: string } } })._handle?.constructor?.name;
    const index = kind === undefined ? -1 : pending.indexOf(`${kind}Wrap`);
    if (index >= 0) pending.splice(index, 1);
  }
  return pending;
}
