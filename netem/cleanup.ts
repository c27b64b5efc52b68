/**
 * Runs `cleanup` once when the process ends: normal exit, SIGINT, SIGTERM (and SIGHUP). The handler
 * must be synchronous (nothing runs after 'exit'). After a signal the process exits with 128+signal,
 * as it would have without the handler. SIGKILL cannot be caught: nothing can clean up after it.
 */
export function onProcessEnd(cleanup: () => void): () => void {
  let done = false;
  const runOnce = (): void => {
    if (done) return;
    done = true;
    cleanup();
  };
  const signals: Array<[NodeJS.Signals, number]> = [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]];
  const handlers = signals.map(([signal, code]) => {
    const handler = (): void => {
      runOnce();
      process.exit(code);
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  process.once("exit", runOnce);
  return () => {
    done = true;
    process.off("exit", runOnce);
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
