/** The README's worker-threads example, compiled (npm run build first), run as a user would. */
import { execa } from "execa";
import { describe, expect, it } from "vitest";

const EXAMPLE = new URL("../../dist/examples/threads-allreduce.js", import.meta.url).pathname;

describe("examples/threads-allreduce", () => {
  it("every rank prints the sum (one-shot) and the average (ring)", async () => {
    const { stdout } = await execa(process.execPath, [EXAMPLE], { timeout: 30_000 });
    const lines = stdout.split("\n").sort();
    expect(lines).toEqual([0, 1, 2, 3].map((r) => `rank ${r}: small[0] = 6, large[0] = 1.5`));
  }, 30_000);
});
