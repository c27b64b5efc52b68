import { execa } from "execa";
import { describe, expect, it } from "vitest";

const hasCompose = await execa("docker-compose", ["version"], { reject: false, timeout: 10_000 }).then((r) => r.exitCode === 0, () => false);

describe.skipIf(!hasCompose)(`compose.yaml${hasCompose ? "" : " (skipped: docker-compose is not installed)"}`, () => {
  it("passes docker-compose config: four continents on fixed addresses of one private network, with NET_ADMIN", async () => {
    const result = await execa("docker-compose", ["config"], { timeout: 30_000, env: { LONGHAUL_RANKS_PER_REGION: "3" } });
    const text = result.stdout;
    for (const [name, ip] of [["new-york", "11"], ["chicago", "12"], ["london", "13"], ["asuncion", "14"]]) {
      expect(text).toMatch(new RegExp(`\\n  ${name}:\\n[\\s\\S]*?LONGHAUL_REGION: ${name}\\n[\\s\\S]*?ipv4_address: 172\\.29\\.77\\.${ip}\\n`));
    }
    expect(text.match(/cap_add:\n\s+- NET_ADMIN/g)).toHaveLength(4);
    expect(text).toContain("subnet: 172.29.77.0/24");
    expect(text).toContain("dockerfile: docker/Dockerfile");
    expect(text.match(/LONGHAUL_RANKS_PER_REGION: '3'/g)).toHaveLength(4);
    expect(text).toMatch(/results:\/results:rw/);
  });
});
