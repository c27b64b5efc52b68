import { describe, expect, it } from "vitest";
import { parseFaults } from "../../../netem/faults/parse.js";
import { FAULT_TOLERANCE_SCHEDULE, FAULT_TOLERANCE_TOPOLOGY, faultToleranceLine, faultToleranceSection } from "../../../bench/report/fault-tolerance.js";
import type { FaultToleranceResult } from "../../../bench/report/types.js";
import { parseTopology } from "../../../world/topology.js";

const result: FaultToleranceResult = {
  topology: FAULT_TOLERANCE_TOPOLOGY, steps: 300, innerSteps: 20, schedule: FAULT_TOLERANCE_SCHEDULE,
  recoveries: [
    { fault: "down new-york<->london", atS: 4, endedAtS: 7, nextStepAtS: 15 },
    { fault: "kill rank 1", atS: 16, detectedAtS: 16.2, nextStepAtS: 18.4 },
  ],
  goodput: 0.54, usefulStepsPerSec: 22, faultFreeUsefulStepsPerSec: 40.8, checksumsEqual: true, ranksFinished: 3, testAccuracy: 0.912,
};

describe("the report's fault-tolerance part", () => {
  it("its schedule is a valid one for its topology: a flap, a partition, a kill and a restart", () => {
    const schedule = parseFaults(FAULT_TOLERANCE_SCHEDULE, parseTopology(FAULT_TOLERANCE_TOPOLOGY));
    expect(schedule.faults.map((f) => f.kind)).toEqual(["down", "partition", "kill", "restart"]);
  });

  it("a row per fault (a link fault the transport rode out says so), the checksums, accuracy and goodput", () => {
    const text = faultToleranceSection(result);
    expect(text).toContain("| down new-york<->london | 4.0 s | 7.0 s | not needed (the transport rode it out) | 15.0 s | 8.0 s |");
    expect(text).toContain("| kill rank 1 | 16.0 s | - | 16.2 s | 18.4 s | 2.4 s |");
    expect(text).toContain("Every finishing rank's parameters: identical (3 checksums). Test accuracy 91.2%. Goodput 54%");
    expect(faultToleranceLine({ ...result, checksumsEqual: false })).toBe("fault tolerance (new-york:1,london:1,asuncion:1, 2 faults): 3 ranks finished, parameters DIFFERENT, goodput 54% of the fault-free run");
  });
});
