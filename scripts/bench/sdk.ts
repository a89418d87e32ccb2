/**
 * The SDK's bundle budget: builds three pages with Vite (production) from the SDK's dist/ (viem
 * alone doing one read; `createClient` and one read; one tree-shaken action), prints their gzip
 * sizes and what the SDK adds over viem, and writes `bench/sdk.json` and `bench/RESULTS.md`.
 *
 *   npm run bench:sdk
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";

import { measureSdkBundles } from "./bundles.ts";
import { writeResultsMarkdown } from "./results.ts";

const BENCH_DIR = path.resolve(import.meta.dirname, "..", "..", "bench");
const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

const report = await measureSdkBundles();
const { gzipBytes, overViem, budgets, met } = report;
console.log(`viem alone, one read:             ${kB(gzipBytes.viem)} gzip`);
console.log(`createClient, one read:           ${kB(gzipBytes.createClient)} gzip, +${kB(overViem.createClientRead)} over viem (target ≤ ${kB(budgets.createClientRead)}: ${met.createClientRead ? "met" : "missed"})`);
console.log(`one action (getDatanet), one read: ${kB(gzipBytes.oneAction)} gzip, +${kB(overViem.oneAction)} over viem (target ≤ ${kB(budgets.oneAction)}: ${met.oneAction ? "met" : "missed"})`);
await writeFile(path.join(BENCH_DIR, "sdk.json"), `${JSON.stringify(report, null, 2)}\n`);
await writeResultsMarkdown(BENCH_DIR);
console.log("Wrote bench/sdk.json and bench/RESULTS.md");
