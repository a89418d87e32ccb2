import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

import { ROOT } from "./helpers/local-node.ts";

const RUN_SH = path.join(ROOT, "scripts", "run.sh");

/**
 * scripts/run.sh decides from `node --version`, so a fake `node` printing an old version stands in
 * for an old machine; a fake `npm` records what it would install (nothing is downloaded).
 */
describe("scripts/run.sh enforces Node.js 22.18", function () {
  let dir: string;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "openledger-run-sh-"));
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  /** A folder holding one executable shell script `name`. */
  async function tool(folder: string, name: string, body: string): Promise<string> {
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, name), `#!/bin/sh\n${body}\n`);
    await chmod(path.join(folder, name), 0o755);
    return folder;
  }

  async function run(pathDirs: string[], ...command: string[]) {
    const env = { ...process.env, PATH: [...pathDirs, "/usr/bin", "/bin"].join(":"), OPENLEDGER_NODE_CACHE: path.join(dir, "cache") };
    try {
      const { stdout, stderr } = await promisify(execFile)("bash", [RUN_SH, ...command], { env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      return error as { code: number; stdout: string; stderr: string };
    }
  }

  it("runs the command with the machine's node when it is 22.18 or newer", async function () {
    const current = await tool(path.join(dir, "new"), "node", 'echo v22.18.0');
    expect((await run([current], "node", "--version")).stdout).to.equal("v22.18.0\n");
  });

  it("puts the cached node@22 first when the machine's node is 22.13", async function () {
    const old = await tool(path.join(dir, "old"), "node", 'echo v22.13.1');
    await mkdir(path.join(dir, "cache", "node_modules", ".bin"), { recursive: true });
    await symlink(process.execPath, path.join(dir, "cache", "node_modules", ".bin", "node"));
    const run1 = await run([old], "node", "--version");
    expect(run1.stdout).to.equal(`${process.version}\n`);
    expect(run1.stderr).to.equal("");
  });

  it("installs node@22 of at least 22.18 when neither is recent enough, and refuses if that fails", async function () {
    const old = await tool(path.join(dir, "old"), "node", 'echo v22.13.1');
    const log = path.join(dir, "npm.log");
    // This npm "installs" by linking the real node into the prefix it was given.
    const npm = await tool(
      path.join(dir, "npm"),
      "npm",
      `echo "$@" >> ${log}\nmkdir -p "$3/node_modules/.bin" && ln -sf ${process.execPath} "$3/node_modules/.bin/node"`,
    );
    const run1 = await run([old, npm], "node", "--version");
    expect(run1.code).to.equal(0);
    expect(run1.stdout).to.equal(`${process.version}\n`);
    expect(run1.stderr).to.include("Node.js v22.13.1 is older than 22.18; installing node@22");
    expect(await readFile(log, "utf8")).to.equal(`install --prefix ${path.join(dir, "cache")} --no-save --no-package-lock --no-audit --no-fund node@>=22.18 <23\n`);

    await rm(path.join(dir, "cache"), { recursive: true });
    const broken = await tool(path.join(dir, "broken"), "npm", "exit 0");
    const run2 = await run([old, broken], "node", "--version");
    expect(run2.code).to.equal(1);
    expect(run2.stderr).to.include("did not install a Node.js 22.18 or newer");
  });
});
