/** A measured calibration replaces the fitted software constants, the same way on every rank. */
import { describe, expect, it } from "vitest";
import { linkModelFor } from "../../collectives/select.js";
import { CALIBRATION_ENV, CALIBRATION_VERSION, parseCalibration, softwareFromEnv } from "../../model/calibration.js";
import { NetemError } from "../../world/netem-error.js";
import { DEFAULT_SOFTWARE } from "../../model/link-model.js";
import { parseTopology } from "../../world/topology.js";

const MEASURED = {
  version: CALIBRATION_VERSION,
  measuredAt: "2026-11-27T00:00:00.000Z",
  host: "test",
  cores: 2,
  software: { gammaS: 5e-10, perMessageS: 3e-6, localAlphaS: 2e-5, localBetaS: 9e-10 },
  figures: {},
};

describe("calibration", () => {
  it("parses what calibrate writes", () => expect(parseCalibration(MEASURED).software.gammaS).toBe(5e-10));

  it("a missing or negative term names the field", () => {
    const bad = { ...MEASURED, software: { ...MEASURED.software, perMessageS: -1 } };
    expect(() => parseCalibration(bad)).toThrow(NetemError);
    expect(() => parseCalibration(bad)).toThrow(/software\.perMessageS is -1/);
    expect(() => parseCalibration({ ...MEASURED, version: 7 })).toThrow(/version 7 is not 1/);
  });

  it("nothing in the environment: the defaults stay", () => expect(softwareFromEnv({})).toEqual({}));

  it("not JSON in the environment: an error that says what to set", () => expect(() => softwareFromEnv({ [CALIBRATION_ENV]: "{" })).toThrow(/is not JSON/));

  it("auto's model takes the measured terms and keeps the others' defaults", () => {
    const topology = parseTopology("new-york:2,london:2");
    const model = linkModelFor(topology, { LONGHAUL_EMULATE: "1", [CALIBRATION_ENV]: JSON.stringify(MEASURED) });
    expect(model.software).toMatchObject(MEASURED.software);
    expect(model.software.perOpS).toBe(DEFAULT_SOFTWARE.perOpS);
    expect(linkModelFor(topology, { LONGHAUL_EMULATE: "1" }).software.gammaS).toBe(DEFAULT_SOFTWARE.gammaS);
  });
});
