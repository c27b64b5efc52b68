import { unlinkSync } from "node:fs";
import net from "node:net";
import { CommError } from "../../world/comm-error.js";

/**
 * Listens on a Unix socket file. A file already there is either a live listener — another process
 * of the same job and rank, refused with what to do — or one a crashed process left behind (a dial
 * to it is refused), which is removed and replaced.
 */
export async function listenUnix(rank: number, path: string, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer(onConnection);
  for (let attempt = 0; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(path, () => {
          server.off("error", reject);
          resolve();
        });
      });
      server.unref();
      return server;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt > 0 || (await someoneListens(path))) throw socketTaken(rank, path, error);
      unlinkSync(path);
    }
  }
}

function someoneListens(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect({ path });
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

function socketTaken(rank: number, path: string, error: unknown): CommError {
  return new CommError(
    `rank ${rank}: cannot listen on ${path} (${(error as Error).message}): another process of this job listens there as rank ${rank} — stop it, or give this run its own job id (LONGHAUL_JOB_ID; longhaul launch sets a fresh one)`,
    { code: "INVALID_ARGUMENT", rank, op: "connect", cause: error },
  );
}
