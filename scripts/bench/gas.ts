/**
 * Gas benchmark on the embedded network: deploys with the Ignition module, runs each operation in
 * the state its key names, writes `bench/gas.json` (flat `{ key: gasUsed }`, merged with keys other
 * benches wrote) and `bench/batch-limits.json` (the largest batch of each kind that fits the
 * 16,777,216-gas transaction cap, confirmed by sending it), and prints both with the targets.
 *
 *   npm run bench:gas
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";

import { benchAttribution } from "./attribution.ts";
import { createBench } from "./harness.ts";
import { benchMerkle } from "./merkle.ts";
import { benchRegistry } from "./registry.ts";
import { benchRewards } from "./rewards.ts";
import { benchValidation } from "./validation.ts";

const BENCH_DIR = path.resolve(import.meta.dirname, "..", "..", "bench");

/** key -> [limit, how the target reads] */
const TARGETS: Record<string, [number, string]> = {
  submit: [90_000, "<= 90,000"],
  submitBatch100_perItem: [60_000, "<= 60,000"],
  attest: [75_000, "<= 75,000"],
  attestBatch_perItem: [55_000, "<= 55,000"],
  attestSignedBatch_perItem: [60_000, "<= 60,000"],
  attestFinalizing: [140_000, "<= 140,000"],
  merkleClaim_100k: [59_808, "<= 59,808 (Uniswap MerkleDistributor)"],
  claimEpoch_10: [70_000, "<= 70,000"],
};

/** key -> the key it must stay within 2% of. */
const FLAT: Record<string, string> = { submit_10000th: "submit", claimEpoch_10000: "claimEpoch_10" };

const connection = await network.create();
const bench = await createBench(connection);
const limits = { ...(await benchRegistry(bench)), ...(await benchValidation(bench)) };
await benchRewards(bench);
await benchMerkle(bench);
await benchAttribution(bench);
const { gas } = bench;

const gasFile = path.join(BENCH_DIR, "gas.json");
const previous = JSON.parse(await readFile(gasFile, "utf8").catch(() => "{}")) as Record<string, number>;
const merged = Object.fromEntries(Object.entries({ ...previous, ...gas }).sort(([a], [b]) => a.localeCompare(b)));
await writeFile(gasFile, `${JSON.stringify(merged, null, 2)}\n`);
await writeFile(path.join(BENCH_DIR, "batch-limits.json"), `${JSON.stringify(limits, null, 2)}\n`);

console.table(
  Object.entries(gas).map(([key, used]) => {
    const target = TARGETS[key];
    const base = FLAT[key];
    const drift = base === undefined ? 0 : (used / gas[base]! - 1) * 100;
    return {
      operation: key,
      gas: used,
      target: base !== undefined ? `within 2% of ${base} (${drift.toFixed(2)}%)` : (target?.[1] ?? ""),
      met: base !== undefined ? Math.abs(drift) <= 2 : target ? used <= target[0] : "",
    };
  }),
);
console.table(Object.entries(limits).map(([kind, { items, gasUsed }]) => ({ batch: kind, "largest under the cap": items, gasUsed })));
console.log(`Wrote bench/gas.json and bench/batch-limits.json`);
await connection.close();
