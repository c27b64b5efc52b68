import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { launchRanks } from "../../../launch/launcher.js";
import { parseTopology } from "../../../world/topology.js";

// Rank 1 fails the first time (exit 3) and, once restarted, finishes: plain scripts, no sockets.
const RANK = `
const { existsSync, writeFileSync } = require("node:fs");
const marker = process.env.MARKER_DIR + "/ran-" + process.env.RANK;
const again = existsSync(marker);
writeFileSync(marker, "");
console.log("run " + process.env.RANK + (again ? " again" : ""));
setTimeout(() => process.exit(process.env.RANK === "1" && !again ? 3 : 0), 200);
`;

function launch(maxRestarts: number, lines: string[], log: string[]) {
  return launchRanks({
    topology: parseTopology("3"),
    command: process.execPath,
    args: ["-e", RANK],
    env: { MARKER_DIR: mkdtempSync(join(tmpdir(), "longhaul-restarts-")) },
    basePort: 23880,
    elastic: { maxRestarts, log: (line) => log.push(line) },
    onLine: (rank, stream, line) => void lines.push(`${rank} ${line}`),
  });
}

describe("an elastic launch's supervisor", () => {
  it("starts a failed rank again (--max-restarts) and does not stop the others", async () => {
    const lines: string[] = [];
    const log: string[] = [];
    expect(await launch(1, lines, log)).toEqual({ code: 0 });
    expect(lines.sort()).toEqual(["0 run 0", "1 run 1", "1 run 1 again", "2 run 2"]);
    expect(log).toEqual(["rank 1 exited with 3; restart 1 of 1"]);
  });

  it("without restarts left, the others still finish and the launch ends 0", async () => {
    const lines: string[] = [];
    const log: string[] = [];
    expect(await launch(0, lines, log)).toEqual({ code: 0 });
    expect(lines.sort()).toEqual(["0 run 0", "1 run 1", "2 run 2"]);
    expect(log).toEqual(["rank 1 exited with 3; the others go on without it"]);
  });
});
