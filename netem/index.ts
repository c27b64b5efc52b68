/** Public surface of netem: link profiles, tc command builder and runner, userspace emulator. */
export { NetemError, type NetemErrorCode, type NetemErrorFields } from "../world/netem-error.js";
export { parseDuration, parseRate, parsePercent, parseDistance, parseSize } from "../world/units.js";
export { validateProfile, roundTripMs, DISTRIBUTIONS, type LinkProfile, type GilbertElliott, type DelayDistribution } from "../model/profile.js";
export { REGIONS, regionSite, greatCircleKm, distanceKm, type RegionSite } from "../model/regions.js";
export { fromDistance, FIBER_MS_PER_KM, DEFAULT_ROUTE_INFLATION, DEFAULT_OVERHEAD_MS, type DistanceOptions } from "../model/distance.js";
export { profileBetween, linkProfilesFor, type LinkMatrix } from "../model/pairs.js";
export { netemArgs, bdpLimitPackets, formatRate, formatTime, formatPercent } from "./tc/netem-args.js";
export {
  singleLinkCommands, perDestinationCommands, ingressCommands, clearCommands, showCommands, ifbName,
  type Command, type Destination,
} from "./tc/builder.js";
export { applyCommands, clearDevice, clearDeviceSync, showDevice, runCommand, prefixed, type TcTarget } from "./tc/runner.js";
export { probeNetem, hasNetem, requireNetem, type NetemProbe } from "./tc/probe.js";
export { onProcessEnd } from "./cleanup.js";
export {
  startEmulator, DEFAULT_WINDOW_BYTES, DEFAULT_QUEUE_MS,
  type Emulator, type EmulatedRoute, type EmulatorOptions, type EmulatorStats, type LinkStats,
} from "./emulator/emulator.js";
export { probeLink, type ProbeOptions, type ProbeResult } from "./emulator/probe.js";
export { parseFaults, loadFaults } from "./faults/parse.js";
export { timeline, timelineLines, describeFault, type TimelineStep } from "./faults/timeline.js";
export { startFaults, type FaultClock, type FaultClockOptions } from "./faults/clock.js";
export { FaultError } from "./faults/error.js";
export { gemodelForMeanLoss, GEMODEL_R_PCT } from "./faults/gemodel.js";
export type {
  FaultSchedule, Fault, LinkFault, ProcessFault, FaultKind, AppliedFault, ImpairTarget, ProcessTarget,
} from "./faults/types.js";
export type { LinkImpairment } from "./emulator/impairment.js";
