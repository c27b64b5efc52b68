import { execa } from "execa";

/** An SVG → PNG converter found on this machine, if any (PNG output is optional). */
export interface PngRenderer {
  readonly name: string;
  render(svgPath: string, pngPath: string): Promise<void>;
}

async function answers(command: string, args: string[], mustInclude: string): Promise<boolean> {
  try {
    const result = await execa(command, args, { timeout: 5000, reject: false, all: true });
    return result.exitCode === 0 && (result.all ?? "").includes(mustInclude);
  } catch {
    return false;
  }
}

/** rsvg-convert first, then a real ImageMagick (a `convert` stand-in that is not ImageMagick is ignored). */
export async function findPngRenderer(): Promise<PngRenderer | undefined> {
  if (await answers("rsvg-convert", ["--version"], "rsvg-convert")) {
    return {
      name: "rsvg-convert",
      render: async (svg, png) => void (await execa("rsvg-convert", ["-o", png, svg], { timeout: 30_000 })),
    };
  }
  if (await answers("convert", ["-version"], "ImageMagick")) {
    return {
      name: "ImageMagick convert",
      render: async (svg, png) => void (await execa("convert", [svg, png], { timeout: 30_000 })),
    };
  }
  return undefined;
}
