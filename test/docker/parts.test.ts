import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { RankResult } from "../../bench/sweep-types.js";
import { openInbox } from "../../docker/inbox.js";
import { partsUrl, sendPart } from "../../docker/parts.js";
import { freeBase } from "./free-ports.js";

const part = (rank: number) => [{ rank, algorithm: "ring", bytes: 4096 }] as unknown as RankResult[];

describe("results handoff to the coordinator over the network (docker/parts.ts, docker/inbox.ts)", () => {
  it("collects every region's part, including one sent before the inbox opened", async () => {
    const port = await freeBase(23100, 23200, 1);
    // chicago finishes first and retries until new-york listens.
    const early = sendPart(partsUrl("127.0.0.1", port, "chicago"), part(2), 10_000);
    await sleep(1500);
    const inbox = await openInbox(port, ["new-york", "chicago", "london"], "127.0.0.1");
    try {
      inbox.add("new-york", part(0));
      await sendPart(partsUrl("127.0.0.1", port, "london"), part(4), 5000);
      await early;
      const results = await inbox.wait(5000);
      expect(results.map((r) => r.rank)).toEqual([0, 2, 4]);
    } finally {
      await inbox.close();
    }
  });

  it("refuses a region it does not expect, and the sender's error says where and what came back", async () => {
    const port = await freeBase(23200, 23300, 1);
    const inbox = await openInbox(port, ["new-york", "chicago"], "127.0.0.1");
    try {
      await expect(sendPart(partsUrl("127.0.0.1", port, "mars"), part(9), 500)).rejects.toThrow(/at http:\/\/127\.0\.0\.1:\d+\/parts\/mars .*HTTP 404: expected PUT \/parts\/<one of new-york, chicago>/);
      await expect(inbox.wait(600)).rejects.toThrow(/no results from new-york, chicago after 1 s/);
    } finally {
      await inbox.close();
    }
  });

  it("a sender with no coordinator fails after its timeout naming the coordinator's address", async () => {
    const port = await freeBase(23300, 23400, 1);
    await expect(sendPart(partsUrl("127.0.0.1", port, "london"), part(4), 300)).rejects.toThrow(/127\.0\.0\.1:\d+\/parts\/london within 0 s \(last: ECONNREFUSED\)/);
  });
});
