import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CommError } from "../../world/comm-error.js";
import { parseThreadCommand } from "../../launch/thread-command.js";

describe("parseThreadCommand", () => {
  it.each([
    [["node", "train.mjs", "--lr", "3"], { script: "/w/train.mjs", execArgv: [], args: ["--lr", "3"] }],
    [["node", "--enable-source-maps", "--import", "./reg.mjs", "train.js"], { script: "/w/train.js", execArgv: ["--enable-source-maps", "--import", "./reg.mjs"], args: [] }],
    [[process.execPath, "--conditions=dev", "dir/t.cjs", "x"], { script: "/w/dir/t.cjs", execArgv: ["--conditions=dev"], args: ["x"] }],
    [["./train.mjs", "a"], { script: "/w/train.mjs", execArgv: [], args: ["a"] }],
  ])("%j", ([command, ...args], expected) => {
    expect(parseThreadCommand(command, args, "/w")).toEqual({ ...expected, script: resolve(expected.script) });
  });

  it.each([
    [["python3", "train.py"], 'got "python3 train.py"'],
    [["node", "-e", "1"], 'runs no script file'],
    [["node", "train.py"], "is not a JavaScript file"],
    [["node", "--inspect"], "names no script"],
  ])("refuses %j", ([command, ...args], why) => {
    let error: unknown;
    try {
      parseThreadCommand(command, args, "/w");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CommError);
    expect((error as CommError).code).toBe("INVALID_ARGUMENT");
    expect((error as CommError).message).toContain(why);
    expect((error as CommError).message).toContain("without --threads");
  });
});
