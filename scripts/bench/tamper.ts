/**
 * The tamper bench (issue 15): builds a history in which every event kind of the protocol's
 * contracts appears (`tamper-history.ts`), then audits it once per lie a node can tell — every
 * protocol log altered, dropped, and swapped with the next; every word of every view's answers
 * bumped — and counts the runs whose lie changed what the logs imply (or what the chain answers),
 * those the auditor reported, crashed on, or flagged without a change. Writes `bench/tamper.json`
 * and its table in `bench/RESULTS.md`; exits non-zero unless every state-changing lie was reported,
 * with no crash and no false alarm.
 *
 *   npm run bench:tamper           (SAMPLE=40 for a quick look: about 40 runs, nothing written)
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";

import { writeResultsMarkdown } from "./results.ts";
import { runTamperBench } from "./tamper-runs.ts";

const BENCH_DIR = path.resolve(import.meta.dirname, "..", "..", "bench");
const sample = Number(process.env.SAMPLE ?? 0);

const connection = await network.create();
const report = await runTamperBench(connection, { sample, log: (line) => console.log(line) });
await connection.close();
const { runs, stateChanging, detected, crashed, falseAlarms, notChainCheckable, seconds } = report;
console.table([{ runs, stateChanging, detected, crashed, falseAlarms, notChainCheckable, seconds }]);
for (const miss of report.missed.slice(0, 20)) console.log(`missed: ${JSON.stringify(miss, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`);
if (sample === 0) {
  await writeFile(path.join(BENCH_DIR, "tamper.json"), `${JSON.stringify(report, null, 2)}\n`);
  await writeResultsMarkdown(BENCH_DIR);
  console.log("Wrote bench/tamper.json and bench/RESULTS.md");
}
if (detected !== stateChanging || crashed > 0 || falseAlarms > 0) process.exitCode = 1;
