import { EMULATE_HELP, PROFILES_HELP, emulateMain, profilesMain } from "./netem-emulate.js";
import { FAULTS_HELP, faultsMain } from "./netem-faults.js";
import { PROBE_HELP, probeMain } from "./netem-probe.js";
import { TC_HELP, tcMain } from "./netem-tc.js";

/** `longhaul netem <sub>`: link profiles, tc plans and their runner, the userspace emulator. */
const HELP = `usage: longhaul netem <subcommand> [options]

subcommands:
  profiles   table of link profiles between the regions of a topology
  plan       print the tc commands for a link shape (dry run)
  apply      apply them to a device (removed again on exit, SIGINT, SIGTERM)
  clear      remove them from a device
  show       show a device's qdiscs, classes and filters
  probe      measure RTT and throughput through the userspace emulator on loopback
  emulate    run the userspace emulator for a topology until SIGINT
  faults     check a fault file against a topology and print its timeline

Run "longhaul netem <subcommand> --help" for its options.`;

export { HELP as NETEM_HELP, TC_HELP, PROBE_HELP, EMULATE_HELP, PROFILES_HELP, FAULTS_HELP };

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "profiles":
      return profilesMain(rest);
    case "plan":
    case "apply":
    case "clear":
    case "show":
      return tcMain(sub, rest);
    case "probe":
      return probeMain(rest);
    case "emulate":
      return emulateMain(rest);
    case "faults":
      return faultsMain(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(HELP);
      return sub === undefined ? 2 : 0;
    default:
      console.error(`longhaul netem: unknown subcommand "${sub}"\n\n${HELP}`);
      return 2;
  }
}
