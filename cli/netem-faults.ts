import { parseArgs } from "node:util";
import { badValue } from "../netem/errors.js";
import { loadFaults } from "../netem/faults/parse.js";
import { timelineLines } from "../netem/faults/timeline.js";
import { parseTopology } from "../world/topology.js";
import { reportErrors } from "./netem-flags.js";

export const FAULTS_HELP = `usage: longhaul netem faults FILE [--check] [--topology SPEC] [--json]

Checks a fault file (YAML or JSON) against a topology (default continents) and prints its
timeline, one line per start, end, kill or restart, in time order. A bad file gets one line on
stderr naming the entry and the field, and exit 2. --json prints the parsed schedule instead
(times in ms, each link expanded into its directed region pairs). --check is what this command
always does; jobs take the file as --faults FILE (bench, train, launch --emulate, run) or
LONGHAUL_FAULTS (the docker entrypoint).

  faults:
    - { at: 20s, for: 5s,  link: new-york<->london, down: true }     # black hole; connections stay open
    - { at: 40s, for: 10s, link: "asuncion<->*",   partition: true } # cut off; open connections reset
    - { at: 60s, for: 20s, link: london->chicago,   loss: 1%, model: gemodel }  # or model: random
    - { at: 80s, for: 30s, link: "*",               rate: 100mbit }  # in place of the link's rate
    - { at: 90s, for: 5s,  link: chicago<->london,  delay: +80ms }   # added to the one-way delay
    - { at: 100s, rank: 3, kill: true }                              # SIGKILL to the rank's process group
    - { at: 130s, rank: 3, restart: true }                           # started again, same environment

Times count from the start of the job (a bare number is seconds); a<->b is both directions, a->b
one, * any region. gemodel: Gilbert-Elliott bursts with that mean loss (all lost in the bad
state, none in the good one, r 25%: bursts of 4 segments on average, p = r*L/(1-L)).`;

export function faultsMain(argv: string[]): Promise<number> {
  return reportErrors("faults", async () => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        check: { type: "boolean", default: false },
        topology: { type: "string", default: "continents" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(FAULTS_HELP);
      return 0;
    }
    if (positionals.length !== 1) throw badValue(`give one fault file (got ${positionals.length}), e.g. longhaul netem faults examples/faults.yaml --check`);
    const topology = parseTopology(values.topology);
    const schedule = loadFaults(positionals[0], topology);
    if (values.json) console.log(JSON.stringify(schedule, null, 2));
    else for (const line of timelineLines(schedule)) console.log(line);
    return 0;
  });
}
