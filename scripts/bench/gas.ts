/**
 * The benchmark, in one process on the embedded network: deploys with the Ignition module, runs
 * each of our operations in the state its key names and the peers' doing the same work (the
 * Ethereum Attestation Service and Uniswap's MerkleDistributor, from their npm packages' shipped
 * builds), and writes `bench/gas.json` (flat `{ key: gasUsed }`, this run's keys only), `bench/batch-limits.json` (the
 * largest batch of each kind that fits the 16,777,216-gas transaction cap, confirmed by sending it),
 * and `bench/results.json` + `bench/RESULTS.md` (gas, ratio to the peer, targets, scaling, batch
 * limits, bytecode sizes, and the SDK figures `bench:engine` and `bench:audit` last wrote). Time moves
 * on the embedded network as the protocol requires: verdicts open `REVEAL_WINDOW` after a reveal, and
 * `finalize` waits for a contribution's validation window to end.
 *
 *   npm run bench
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";

import { benchAttribution } from "./attribution.ts";
import { createBench } from "./harness.ts";
import { benchMerkle } from "./merkle.ts";
import { benchEas, benchUniswap } from "./peers.ts";
import { writeResults } from "./results.ts";
import { benchRegistry } from "./registry.ts";
import { benchRewards } from "./rewards.ts";
import { benchValidation } from "./validation.ts";

const BENCH_DIR = path.resolve(import.meta.dirname, "..", "..", "bench");

/** key -> [limit, how the target reads] */
const TARGETS: Record<string, [number, string]> = {
  submit: [100_000, "<= 100,000"],
  submitBatch100_perItem: [60_000, "<= 60,000"],
  attest: [75_000, "<= 75,000"],
  attestBatch_perItem: [55_000, "<= 55,000"],
  attestSignedBatch_perItem: [60_000, "<= 60,000"],
  attestClosing: [140_000, "<= 140,000"],
  finalize: [95_000, "<= 95,000"],
  finalizeBatch_perItem: [55_000, "<= 55,000"],
  claimEpoch_10: [70_000, "<= 70,000"],
};

/** key -> [peer key, largest ratio to the peer measured in the same run] */
const PEER_RATIOS: Record<string, [string, number]> = {
  attest: ["eas_attest", 0.3],
  merkleClaim_100k: ["uniswap_merkleClaim_100k", 1],
};

/** key -> the key it must stay within 2% of. */
const FLAT: Record<string, string> = { submit_10000th: "submit", claimEpoch_10000: "claimEpoch_10" };

const connection = await network.create();
const bench = await createBench(connection);
const limits = { ...(await benchRegistry(bench)), ...(await benchValidation(bench)) };
await benchRewards(bench);
await benchMerkle(bench);
await benchAttribution(bench);
await benchEas(bench);
await benchUniswap(bench);
const { gas } = bench;

// Every key comes from this run: a key an earlier version measured does not linger.
const sorted = Object.fromEntries(Object.entries(gas).sort(([a], [b]) => a.localeCompare(b)));
await writeFile(path.join(BENCH_DIR, "gas.json"), `${JSON.stringify(sorted, null, 2)}\n`);
await writeFile(path.join(BENCH_DIR, "batch-limits.json"), `${JSON.stringify(limits, null, 2)}\n`);

console.table(
  Object.entries(gas).map(([key, used]) => {
    const target = TARGETS[key];
    const base = FLAT[key];
    const drift = base === undefined ? 0 : (used / gas[base]! - 1) * 100;
    const peer = PEER_RATIOS[key];
    const ratio = peer === undefined ? 0 : used / gas[peer[0]]!;
    const targets = [
      base !== undefined ? `within 2% of ${base} (${drift.toFixed(2)}%)` : target?.[1],
      peer && `<= ${peer[1]}x ${peer[0]} (${ratio.toFixed(3)}x)`,
    ].filter(Boolean);
    const checks = [base !== undefined ? Math.abs(drift) <= 2 : target && used <= target[0], peer && ratio <= peer[1]].filter((c) => c !== undefined);
    return { operation: key, gas: used, target: targets.join("; "), met: checks.length === 0 ? "" : checks.every(Boolean) };
  }),
);
console.table(Object.entries(limits).map(([kind, { items, gasUsed }]) => ({ batch: kind, "largest under the cap": items, gasUsed })));
await writeResults(BENCH_DIR, gas, limits, TARGETS, FLAT, PEER_RATIOS);
console.log(`Wrote bench/gas.json, bench/batch-limits.json, bench/results.json and bench/RESULTS.md`);
await connection.close();
