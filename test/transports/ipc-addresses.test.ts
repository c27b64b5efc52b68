import { describe, expect, it } from "vitest";
import { dialEndpoint, listenEndpoints } from "../../world/addresses.js";
import { parseTopology } from "../../world/topology.js";

const topology = parseTopology("ny:2,ldn:1");

describe("ipc endpoints (AddressPlan.ipcDir)", () => {
  it("a local, unemulated world binds and dials only unix sockets", () => {
    const plan = { basePort: 31500, ipcDir: "/tmp/lh/" };
    expect(listenEndpoints(topology, plan, 2)).toEqual(["ipc:///tmp/lh/longhaul-31500-2.sock"]);
    expect(dialEndpoint(topology, plan, 0, 2)).toBe("ipc:///tmp/lh/longhaul-31500-2.sock");
  });

  it("with emulation, links across regions stay on TCP through the emulator, links inside use ipc", () => {
    const plan = { basePort: 31500, ipcDir: "/tmp/lh", emulate: true };
    expect(listenEndpoints(topology, plan, 1)).toEqual(["tcp://127.0.0.1:31501", "ipc:///tmp/lh/longhaul-31500-1.sock"]);
    expect(dialEndpoint(topology, plan, 0, 1)).toBe("ipc:///tmp/lh/longhaul-31500-1.sock");
    expect(dialEndpoint(topology, plan, 0, 2)).toMatch(/^tcp:\/\/127\.0\.0\.1:/);
  });

  it("with hosts, only ranks on the same host use ipc", () => {
    const plan = { basePort: 31500, ipcDir: "/tmp/lh", hosts: { ny: "ny-host", ldn: "ldn-host" } };
    expect(dialEndpoint(topology, plan, 0, 1)).toBe("ipc:///tmp/lh/longhaul-31500-1.sock");
    expect(dialEndpoint(topology, plan, 0, 2)).toBe("tcp://ldn-host:31502");
    expect(listenEndpoints(topology, plan, 2)[0]).toBe("tcp://0.0.0.0:31502");
  });
});
