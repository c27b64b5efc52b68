/**
 * Calls `onGone` once when this process's parent exits. `npx` / `npm exec` run a command through
 * `sh -c` and, sent SIGTERM or SIGINT, end that shell without passing the signal on, so the command
 * is re-parented (its ppid changes to init or a subreaper) and would run on with all its children.
 * Node has no PR_SET_PDEATHSIG, and a terminal's stdin does not close when npx dies, so the one
 * portable signal left is the ppid itself; reading it is a cheap syscall. The timer is unref'd: it
 * never keeps the process alive. A parent that was gone before this process started cannot be told
 * from init starting it (a container's PID 1, a service manager), so that case is not watched.
 */
export function watchParent(onGone: () => void, everyMs = 200): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
