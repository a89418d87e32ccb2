import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

import { runBenchAsShown } from "./helpers/bench.ts";
import { ROOT } from "./helpers/local-node.ts";

const FIGURES = path.join(ROOT, "bench", "engine.json");

/** The kernel's transparent huge page mode ("always", "madvise", "never"), if it has one. */
function transparentHugePages(): string | undefined {
  try {
    return /\[(\w+)\]/.exec(readFileSync("/sys/kernel/mm/transparent_hugepage/enabled", "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

/** Whether a process that asks glibc for huge pages (glibc.malloc.hugetlb=1, from glibc 2.35) gets them. */
function hugePagesOffered(): boolean {
  const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;
  const [major, minor] = (glibc ?? "0.0").split(".").map(Number) as [number, number];
  return (major > 2 || (major === 2 && minor >= 35)) && ["always", "madvise"].includes(transparentHugePages() ?? "");
}

describe("bench:engine", function () {
  it("runs the README's command on a 2 MB corpus and writes every figure the issue names", async function () {
    this.timeout(180_000);
    await runBenchAsShown("npm run bench:engine -- --mb 2", "`npm run bench:engine -- --mb ", "engine.json", (figures) => {
      for (const key of ["corpusMB", "tokens", "indexBytesPerToken", "indexMBps", "buildPeakRssMB", "queryRssMB", "msPerOutputMean", "msPerOutputP95"]) {
        expect(figures[key], key).to.be.a("number").and.above(0);
      }
      expect(figures.corpusMB).to.be.within(2, 2.01);
      // About 3.7 bytes of this corpus a word: a token count far off means the corpus or the build is wrong.
      expect(figures.tokens).to.be.within(400_000, 700_000);
      expect(figures.outputsAttributed).to.equal(figures.outputs);
      // Asked for, huge pages are given where glibc (2.35 on) and the kernel (THP "madvise" or "always") offer them;
      // under "always" the kernel gives them even to an older glibc that cannot ask.
      if (hugePagesOffered()) expect(figures.buildHugePagesMB).to.be.above(0);
      else if (transparentHugePages() !== "always") expect(figures.buildHugePagesMB).to.equal(0);
    });
  });

  it("builds with the C library's default pages when asked (--no-huge-pages, as the README shows)", async function () {
    this.timeout(180_000);
    await runBenchAsShown("npm run bench:engine -- --mb 2 --no-huge-pages", "`--no-huge-pages`", "engine.json", (figures) => {
      expect(figures.corpusMB).to.be.within(2, 2.01);
      // Where the kernel gives huge pages to every process (THP "always"), it does so unasked.
      if (transparentHugePages() !== "always") expect(figures.buildHugePagesMB).to.equal(0);
    });
  });

  for (const [args, message] of [
    [["--mb", "lots"], "--mb lots is not a positive number of megabytes"],
    [["--mb", "0"], "--mb 0 is not a positive number of megabytes"],
    [["--huge-pages=yes"], "Option '--huge-pages' does not take an argument"],
    [["--megabytes", "3"], "Unknown option '--megabytes'"],
  ] as const) {
    it(`refuses ${args.join(" ")} with one line and exit code 1, writing nothing`, async function () {
      const before = await readFile(FIGURES, "utf8");
      const run = await promisify(execFile)(process.execPath, [path.join(ROOT, "scripts", "bench", "engine.ts"), ...args], { cwd: ROOT }).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(run.code).to.equal(1);
      expect(run.stderr.trimEnd().split("\n")).to.have.length(1);
      expect(run.stderr).to.include(message);
      expect(await readFile(FIGURES, "utf8")).to.equal(before);
    });
  }
});
