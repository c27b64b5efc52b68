import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress, renderBar } from "../../../bench/report/progress.js";

function sink(isTTY: boolean): { stream: Writable & { isTTY: boolean; columns: number }; text: () => string } {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({ write: (chunk, _enc, cb) => void (chunks.push(String(chunk)), cb()) }),
    { isTTY, columns: 80 },
  );
  return { stream, text: () => chunks.join("") };
}

describe("progress bar", () => {
  it("fills in proportion", () => {
    expect(renderBar(0, 4, 8)).toBe("[--------]   0%");
    expect(renderBar(1, 4, 8)).toBe("[##------]  25%");
    expect(renderBar(9, 4, 8)).toBe("[########] 100%");
  });

  it("redraws one line in place on a terminal", () => {
    const out = sink(true);
    let t = 0;
    const p = createProgress({ total: 2, stream: out.stream, width: 4, now: () => t });
    t = 3000;
    p.tick("ring 4 KiB");
    p.done();
    expect(out.text()).toBe("\r\x1b[2K[##--]  50%    3s  ring 4 KiB\r\x1b[2K[####] 100%    3s  done\n");
  });

  it("prints plain lines when stderr is not a terminal", () => {
    const out = sink(false);
    const p = createProgress({ total: 4, stream: out.stream, width: 4, now: () => 0 });
    p.note("starting");
    p.tick("a", 2);
    expect(out.text().split("\n")).toEqual(["[----]   0%    0s  starting", "[##--]  50%    0s  a", ""]);
  });
});
