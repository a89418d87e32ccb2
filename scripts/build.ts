/**
 * `hardhat build --quiet` with a progress line while it works: a cold via-IR build of the contracts
 * takes minutes (solc-js, the pinned npm compiler), and Hardhat prints nothing until it is done.
 * After the first few seconds a line on stderr says what is happening, then one line every 30 s:
 * readable in a CI log, and stdout stays clean for `npm run demo -- --json`. A cached build ends
 * before the first line and prints nothing. Extra arguments go to `hardhat build`.
 *
 *   node scripts/build.ts
 */
import { spawn } from "node:child_process";
import path from "node:path";

const HARDHAT = path.join(import.meta.dirname, "..", "node_modules", "hardhat", "dist", "src", "cli.js");
/** Seconds of silence before the first line: a cached build is done by then. */
const FIRST_LINE_AFTER = 5;
const EVERY = 30;

const started = Date.now();
const elapsed = () => Math.round((Date.now() - started) / 1000);
// Hardhat's own output (errors, warnings) goes to stderr too, so nothing but the caller's lands on stdout.
const child = spawn(process.execPath, [HARDHAT, "build", "--quiet", ...process.argv.slice(2)], { stdio: ["inherit", process.stderr, process.stderr] });
let lines = 0;
const say = (line: string) => {
  lines++;
  process.stderr.write(`${line}\n`);
};
const first = setTimeout(() => {
  say("compiling the contracts with solc 0.8.30 (via-IR): a first build takes several minutes (4.5 minutes of CPU time), later ones reuse the cache");
  const ticker = setInterval(() => say(`  still compiling: ${elapsed()} s`), EVERY * 1000);
  child.once("exit", () => clearInterval(ticker));
}, FIRST_LINE_AFTER * 1000);

const code = await new Promise<number>((resolve) => child.once("exit", (status, signal) => resolve(status ?? (signal === null ? 1 : 128))));
clearTimeout(first);
if (lines > 0) say(code === 0 ? `compiled in ${elapsed()} s` : `the build failed after ${elapsed()} s`);
process.exitCode = code;
