/**
 * Real processes over real ZeroMQ tcp: one launched world per size 1-8 runs the whole case matrix
 * of bench/check-worker (lengths 0,1,7,1000,1000003 × ops × dtypes, then the other collectives and
 * a length mismatch). Runs the compiled worker from dist/ (npm test builds first).
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { launchRanks } from "../../launch/launcher.js";
import { parseTopology } from "../../world/topology.js";

const WORKER = new URL("../../dist/bench/check-worker.js", import.meta.url).pathname;
const MARKER = "@@longhaul-check ";
/** World sizes that run 1000003 for every op × dtype; the others run it for one rotating combination. */
const FULL_LARGE = new Set([2, 3, 8]);

interface CaseLine {
  case: string;
  length?: number;
  op?: string;
  dtype?: string;
  wrong?: number;
  code?: string;
}

describe("collectives over ZeroMQ tcp between real processes", () => {
  for (let size = 1; size <= 8; size++) {
    it(`world ${size}: every case matches its closed form; a length mismatch is MISMATCH on every rank`, async () => {
      expect(existsSync(WORKER), `${WORKER} missing: run "npm run build" first`).toBe(true);
      const lines: CaseLine[] = [];
      const errors: string[] = [];
      const fullLengths = FULL_LARGE.has(size) ? [0, 1, 7, 1000, 1000003] : [0, 1, 7, 1000];
      const result = await launchRanks({
        topology: parseTopology(String(size)),
        command: process.execPath,
        args: [WORKER],
        basePort: 22000 + 16 * size,
        env: { LONGHAUL_CHECK_CONFIG: JSON.stringify({ fullLengths }), LONGHAUL_TIMEOUT_MS: "20000" },
        prefixOutput: false,
        timeoutMs: 60_000,
        onLine: (rank, _stream, line) => (line.startsWith(MARKER) ? lines.push(JSON.parse(line.slice(MARKER.length)) as CaseLine) : errors.push(`[${rank}] ${line}`)),
      });
      expect(result.code, errors.join("\n")).toBe(0);
      const allReduces = lines.filter((l) => l.case === "allReduce");
      // Per rank: 4 small lengths × 5 ops × 3 dtypes, plus 15 or 1 cases of length 1000003.
      expect(allReduces.length, `lines from ranks: ${lines.length}; rank output:\n${errors.join("\n")}`).toBe(size * (60 + (FULL_LARGE.has(size) ? 15 : 1)));
      expect(allReduces.filter((l) => l.wrong !== 0)).toEqual([]);
      for (const name of ["reduceScatter", "allGather", "broadcast", "reduce"]) {
        const cases = lines.filter((l) => l.case === name);
        expect(cases.length, name).toBe(size);
        expect(cases.every((l) => l.wrong === 0), name).toBe(true);
      }
      const mismatches = lines.filter((l) => l.case === "mismatch");
      expect(mismatches.map((l) => l.code)).toEqual(size > 1 ? new Array(size).fill("MISMATCH") : []);
    }, 90_000);
  }
});
