import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { reportMarkdown, REPORT_FILES } from "./markdown.js";
import { timeVsDistanceSvg, timeVsSizeSvg } from "./plots.js";
import { findPngRenderer, type PngRenderer } from "./png.js";
import type { ExperimentResults } from "./types.js";

export interface WrittenReport {
  readonly dir: string;
  /** Every file written, relative to dir. */
  readonly files: string[];
  /** Why no PNG was written, when none was. */
  readonly pngNote?: string;
}

export interface WriteOptions {
  /** Renderer to use; `null` skips PNG; default: look for one on this machine. */
  readonly png?: PngRenderer | null;
}

/** Writes report.md, results.json and the SVG plots (PNG too where a renderer exists) into `dir`. */
export async function writeReport(dir: string, results: ExperimentResults, options: WriteOptions = {}): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const svgs: Array<[string, string]> = [
    [REPORT_FILES.sizePlot, timeVsSizeSvg(results.wan, `all-reduce across ${results.topology}`)],
  ];
  if (results.distance.length > 0) {
    svgs.push([REPORT_FILES.distancePlot, timeVsDistanceSvg(results.distance, "all-reduce between two regions")]);
  }
  for (const [name, svg] of svgs) await writeFile(join(dir, name), svg);
  await writeFile(join(dir, REPORT_FILES.json), `${JSON.stringify(results, null, 2)}\n`);

  const renderer = options.png === undefined ? await findPngRenderer() : options.png;
  const pngs: string[] = [];
  let pngNote: string | undefined = renderer ? undefined : "no SVG renderer (rsvg-convert or ImageMagick) installed";
  for (const [name] of renderer ? svgs : []) {
    const png = name.replace(/\.svg$/, ".png");
    try {
      await renderer!.render(join(dir, name), join(dir, png));
      pngs.push(png);
    } catch (error) {
      pngNote = `${renderer!.name} failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
    }
  }
  await writeFile(join(dir, REPORT_FILES.markdown), reportMarkdown(results, pngs));
  return { dir, files: [REPORT_FILES.markdown, REPORT_FILES.json, ...svgs.map(([n]) => n), ...pngs], pngNote };
}
