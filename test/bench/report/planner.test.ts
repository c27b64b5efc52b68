/** The report's planner section: closed form beside replay and measurement, and the full-scale plans. */
import { describe, expect, it } from "vitest";
import { reportMarkdown } from "../../../bench/report/markdown.js";
import { plannerChecks, plannerMarkdown, scenarioPlans } from "../../../bench/report/planner.js";
import { declaredLinkModel } from "../../../model/link-model.js";
import { parseTopology } from "../../../world/topology.js";
import { RESULTS, row } from "./fixtures.js";

describe("planner report section", () => {
  const links = declaredLinkModel(parseTopology("new-york:1,london:1"), { rateMbit: 8, emulated: false, cores: Infinity });

  it("checks only the algorithms and sizes the closed forms cover, measured beside both models", () => {
    const rows = [{ ...row("ring", 4 << 20, 2_000_000, 2), predictedUs: 1_900_000 }, row("ring", 4096, 90_000, 2), row("halving-doubling", 4 << 20, 1, 2)];
    const checks = plannerChecks(rows, links, 1 << 20);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ algorithm: "ring", bytes: 4 << 20, replayUs: 1_900_000, measuredUs: 2_000_000 });
    // Two ranks, 1 MB/s: the ring moves the buffer once each way, 4.19 s plus software and latency.
    expect(checks[0].closedFormUs / 1e6).toBeGreaterThan(4.19);
    expect(checks[0].closedFormUs / 1e6).toBeLessThan(4.4);
  });

  it("plans the seeds' scenarios from the shipped folder; a missing one says why", async () => {
    const [nemotron, missing] = await scenarioPlans(["nemotron-340b-2dc-1000km", "no-such-scenario"]);
    expect(nemotron.markdown).toMatch(/\| hierarchical\+overlap \|/);
    expect(missing.markdown).toMatch(/^not planned: cannot read scenario/);
  });

  it("the report gains the section when the run carries it", () => {
    const section = { checks: [{ algorithm: "tree", bytes: 4 << 20, closedFormUs: 1000, replayUs: 1100, measuredUs: 1210 }], scenarios: [{ name: "x", markdown: "table" }] };
    expect(plannerMarkdown(section)).toMatch(/\| tree \| 4 MiB \| 1\.00 ms \| 1\.10 ms \| 1\.21 ms \| 1\.21× \| 1\.10× \|/);
    const md = reportMarkdown({ ...RESULTS, planner: section });
    expect(md).toMatch(/## The planner against this run, and at full scale/);
    expect(md).toMatch(/### x\n\ntable/);
    expect(reportMarkdown(RESULTS)).not.toMatch(/## The planner/);
  });
});
