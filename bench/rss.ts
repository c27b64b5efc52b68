/**
 * Peak resident memory of this process. On Linux the kernel's high-water mark (VmHWM) can be reset
 * by writing 5 to /proc/self/clear_refs, so each measured size gets its own peak; elsewhere the
 * lifetime maximum from getrusage is the best available.
 */
import { readFileSync, writeFileSync } from "node:fs";

export function rssBytes(): number {
  return process.memoryUsage.rss();
}

export function resetPeakRss(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

export function peakRssBytes(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}
