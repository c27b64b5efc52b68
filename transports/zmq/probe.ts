import net from "node:net";

/** How long a dial probe may wait for any answer; one that gets none tells nothing (a black-holed link). */
export const PROBE_MS = 1000;

export type ProbeAnswer = "refused" | "answered" | "silent";

/**
 * Dials a peer's endpoint once with a plain socket and hangs up: "refused" means nothing listens
 * there (on a direct link, the peer's process is gone), "answered" that something accepted (the peer,
 * or an emulator's proxy in front of it), "silent" that nothing came back within PROBE_MS. Endpoints
 * other than tcp:// and ipc:// are "answered" (nothing to learn).
 */
export function probeEndpoint(endpoint: string): Promise<ProbeAnswer> {
  const target = dialTarget(endpoint);
  if (!target) return Promise.resolve("answered");
  return new Promise((resolve) => {
    const socket = net.connect(target);
    const done = (answer: ProbeAnswer): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done("silent"), PROBE_MS);
    timer.unref();
    socket.unref();
    socket.once("connect", () => done("answered"));
    socket.once("error", (error: NodeJS.ErrnoException) => done(error.code === "ECONNREFUSED" || error.code === "ENOENT" ? "refused" : "silent"));
  });
}

function dialTarget(endpoint: string): net.NetConnectOpts | undefined {
  if (endpoint.startsWith("ipc://")) return { path: endpoint.slice("ipc://".length) };
  const tcp = /^tcp:\/\/\[?([^\]]+?)\]?:(\d+)$/.exec(endpoint);
  return tcp ? { host: tcp[1], port: Number(tcp[2]) } : undefined;
}
