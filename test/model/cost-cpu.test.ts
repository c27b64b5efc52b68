/** The cost model's host CPU calendar: capacity shared by work that overlaps in time, one core per piece of work. */
import { describe, expect, it } from "vitest";
import { CpuCalendar } from "../../model/cost-cpu.js";

describe("CpuCalendar", () => {
  it("one piece of work on an idle host takes its own time (at most one core)", () => {
    expect(new CpuCalendar(2).book(0.01, 0.003)).toBeCloseTo(0.013, 9);
  });
  it("two cores: two pieces ready together both finish after 1 ms; a third waits for a free core (2 ms)", () => {
    const cpu = new CpuCalendar(2);
    expect(cpu.book(0, 0.001)).toBeCloseTo(0.001, 9);
    expect(cpu.book(0, 0.001)).toBeCloseTo(0.001, 9);
    expect(cpu.book(0, 0.001)).toBeCloseTo(0.002, 9); // both cores are taken until 1 ms, and one piece runs on one core
  });
  it("work booked later but ready earlier still uses the idle capacity before busy time", () => {
    const cpu = new CpuCalendar(1);
    expect(cpu.book(0.01, 0.002)).toBeCloseTo(0.012, 9);
    expect(cpu.book(0, 0.001)).toBeCloseTo(0.001, 9);
  });
  it("infinite cores: no sharing", () => {
    const cpu = new CpuCalendar(Infinity);
    cpu.book(0, 1);
    expect(cpu.book(0, 1)).toBe(1);
  });
});
