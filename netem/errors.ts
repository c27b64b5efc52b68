/** NetemError is defined in the model layer (bad link values are thrown there too); netem adds its advice. */
export { NetemError, badValue, type NetemErrorCode, type NetemErrorFields } from "../world/netem-error.js";

export const NO_NETEM_ADVICE =
  "this kernel has no sch_netem qdisc: load it with `modprobe sch_netem` (Debian/Ubuntu: install linux-modules-extra-$(uname -r)), " +
  "or use the userspace emulator instead (`longhaul launch --emulate`, `longhaul netem emulate`)";
