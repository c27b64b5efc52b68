/** Which scenarios `plan --check` can run here (the emulator run itself is exercised by the bench's own tests). */
import { describe, expect, it } from "vitest";
import { checkTopology } from "../../cli/plan-check.js";
import { PlanError } from "../../plan/errors.js";
import { loadScenario } from "../../plan/load.js";

const file = (name: string) => new URL(`../../scenarios/${name}.json`, import.meta.url).pathname;

describe("checkTopology", () => {
  it("built-in regions become the emulated topology, ranks per site as asked", async () => {
    expect(checkTopology(await loadScenario(file("columbia-hive-ny-asuncion")), 2)).toBe("new-york:2,asuncion:2");
  });
  it("more ranks than this machine runs at once is refused", async () => {
    const error = (() => {
      try {
        return checkTopology({ sites: Array.from({ length: 5 }, () => ({ name: "london", gpus: 1 })) } as never, 2);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PlanError);
    expect((error as PlanError).message).toMatch(/at most 8 ranks/);
  });
});
