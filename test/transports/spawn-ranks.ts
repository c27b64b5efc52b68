import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

export interface RankRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

/** Runs `node <fixture> <rank> ...args(rank)` for every rank and collects their JSON output lines. */
export function runRanks(fixture: string, size: number, args: (rank: number) => string[], env: NodeJS.ProcessEnv = {}): Promise<RankRun[]> {
  return Promise.all(
    Array.from({ length: size }, (_, rank) => {
      const child = spawn(process.execPath, [FIXTURES + fixture, ...args(rank)], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      return new Promise<RankRun>((resolve) => {
        child.on("close", (code, signal) => {
          const lines = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
          resolve({ code, signal, lines, stderr });
        });
      });
    }),
  );
}
