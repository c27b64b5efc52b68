/** Bad scenarios: one PlanError naming the field and the value. */
import { describe, expect, it } from "vitest";
import { PlanError } from "../../plan/errors.js";
import { validateScenario } from "../../plan/validate.js";
import { TINY, withField } from "./fixtures.js";

function problem(raw: unknown): PlanError {
  try {
    validateScenario(raw);
  } catch (error) {
    if (error instanceof PlanError) return error;
    throw error;
  }
  throw new Error("expected a PlanError");
}

describe("validateScenario", () => {
  it("accepts the tiny scenario", () => expect(validateScenario(TINY).name).toBe("tiny"));

  const cases: Array<[string, unknown, string, RegExp]> = [
    ["missing field", withField(TINY, "model.parameters", undefined), "model.parameters", /model\.parameters is missing: give a number > 0/],
    ["negative bandwidth", withField(TINY, "wan.gbit", -5), "wan.gbit", /wan\.gbit is -5: give a number > 0 Gbit\/s/],
    ["negative link bandwidth", withField(TINY, "wan.links", [{ between: ["a", "b"], km: 10, gbit: -1 }]), "wan.links[0].gbit", /wan\.links\[0\]\.gbit is -1/],
    ["unknown site without coordinates", withField(TINY, "sites", [{ name: "a", gpus: 1, lat: 0, lon: 0 }, { name: "atlantis", gpus: 1 }]), "sites[1].name", /sites\[1\]\.name is "atlantis": unknown site without coordinates: give lat\/lon/],
    ["unknown strategy", withField(TINY, "strategies", ["ring", "carrier-pigeon"]), "strategies[1].name", /strategies\[1\]\.name is "carrier-pigeon": unknown strategy: give one of ring, /],
    ["bad compression", withField(TINY, "strategies", [{ name: "diloco", compression: "2bit" }]), "strategies[0].compression", /is "2bit": give one of fp32, fp16, int8, 4bit/],
    ["GPUs not whole replicas", withField(withField(TINY, "parallelism.tensor", 8), "sites", [{ name: "new-york", gpus: 12 }, { name: "london", gpus: 8 }]), "sites[0].gpus", /sites\[0\]\.gpus is 12: give a multiple of tensor × pipeline = 8/],
    ["no compute", withField(TINY, "compute", {}), "compute.stepSeconds", /give stepSeconds, or tokensPerStep with peakTflopsPerGpu and mfu/],
    ["MFU above 1", withField(TINY, "compute", { tokensPerStep: 1, peakTflopsPerGpu: 1, mfu: 4 }), "compute.mfu", /compute\.mfu is 4: give a number > 0 and <= 1/],
    ["a loop without its length", withField(TINY, "wan.shape", "loop"), "wan.loopKm", /wan\.loopKm is missing/],
  ];
  for (const [what, raw, field, message] of cases) {
    it(`${what}: names ${field}`, () => {
      const error = problem(raw);
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
    });
  }

  it("a built-in region needs no coordinates, nor does a site linked by km to every other", () => {
    const unlinked = withField(TINY, "wan.links", undefined);
    expect(() => validateScenario(withField(unlinked, "sites", [{ name: "new-york", gpus: 1 }, { name: "b", gpus: 1, lat: 0, lon: 1 }]))).not.toThrow();
    expect(() => validateScenario(withField(withField(TINY, "sites", [{ name: "x", gpus: 1 }, { name: "y", gpus: 1 }]), "wan.links", [{ between: ["x", "y"], km: 500 }]))).not.toThrow();
  });
});
