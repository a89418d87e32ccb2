import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

import { ROOT } from "./local-node.ts";

/**
 * Runs a bench's command as the README shows it (`shown` is how the README writes it) and hands
 * `check` the figures it wrote to `bench/<results>`. The committed figures are a
 * full-size run's: they are put back whatever happens.
 */
export async function runBenchAsShown(
  command: string,
  shown: string,
  results: string,
  check: (figures: Record<string, unknown>) => void,
): Promise<void> {
  expect(await readFile(path.join(ROOT, "README.md"), "utf8")).to.include(shown);
  const file = path.join(ROOT, "bench", results);
  const committed = await readFile(file, "utf8");
  try {
    const { stdout } = await promisify(execFile)("bash", ["-c", command], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    expect(stdout).to.include(`Wrote bench/${results}`);
    check(JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>);
  } finally {
    await writeFile(file, committed);
  }
}
