import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

export interface RankRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

/**
 * Runs `node <fixture> <rank> ...args(rank)` for every rank and collects their JSON output lines.
 * A rank still running after `limitMs` is killed, so a hanging rank fails its test instead of outliving it.
 */
export function runRanks(fixture: string, size: number, args: (rank: number) => string[], env: NodeJS.ProcessEnv = {}, limitMs = 30_000, rankEnv: (rank: number) => NodeJS.ProcessEnv = () => ({})): Promise<RankRun[]> {
  return Promise.all(
    Array.from({ length: size }, (_, rank) => {
      const child = spawn(process.execPath, [FIXTURES + fixture, ...args(rank)], { env: { ...process.env, ...env, ...rankEnv(rank) }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      const limit = setTimeout(() => child.kill("SIGKILL"), limitMs);
      return new Promise<RankRun>((resolve) => {
        child.on("close", (code, signal) => {
          clearTimeout(limit);
          const lines = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
          resolve({ code, signal, lines, stderr });
        });
      });
    }),
  );
}
