/**
 * Gas benchmark on the embedded network: deploys with the Ignition module, runs each operation in
 * the state its key names, writes `bench/gas.json` (flat `{ key: gasUsed }`, merged with keys other
 * benches wrote) and prints a table with the targets.
 *
 *   npm run bench:gas
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";
import type { Hex } from "viem";

import { randomSalt, submissionCommitment } from "../sdk/actions/contributions.ts";
import { hashContent } from "../sdk/index.ts";
import { deployProtocol } from "./lib/deploy.ts";
import { benchPolicy } from "./lib/policies.ts";

const GAS_FILE = path.resolve(import.meta.dirname, "..", "bench", "gas.json");

/** key -> [target, what the target is] */
const TARGETS: Record<string, [number, string]> = {
  submit: [90_000, "<= 90,000"],
  submitBatch100_perItem: [60_000, "<= 60,000"],
};

const connection = await network.create();
const { ethers } = connection;
const signers = await ethers.getSigners();
const [owner] = signers;
const deployment = await deployProtocol(connection);
const registry = await ethers.getContractAt("DatanetRegistry", deployment.contracts.datanetRegistry);

const gas: Record<string, number> = {};
async function measure(key: string, tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>, items = 1) {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error(`${key}: no receipt`);
  gas[key] = Math.round(Number(receipt.gasUsed) / items);
  return receipt;
}

let nonce = 0;
function nextItems(count: number) {
  return Array.from({ length: count }, () => {
    const { contentHash, sizeBytes } = hashContent(`bench contribution ${nonce++}`);
    return { contentHash, sizeBytes, uri: `ipfs://bench/${nonce}` };
  });
}

async function commit(signer: (typeof signers)[number], datanetId: bigint, hashes: Hex[]) {
  const salt = randomSalt();
  const commitment = submissionCommitment({ contributor: signer.address as Hex, datanetId, contentHashes: hashes, salt });
  const receipt = await (await registry.connect(signer).commitSubmission(commitment)).wait();
  return { salt, gasUsed: receipt!.gasUsed };
}

async function submitOne(signer: (typeof signers)[number], datanetId: bigint, key?: string) {
  const [item] = nextItems(1);
  const { salt } = await commit(signer, datanetId, [item!.contentHash]);
  const tx = registry.connect(signer).submit(datanetId, item!.contentHash, item!.sizeBytes, item!.uri, salt);
  if (key) await measure(key, tx);
  else await (await tx).wait();
}

async function submitMany(signer: (typeof signers)[number], datanetId: bigint, count: number, key?: string) {
  const items = nextItems(count);
  const { salt } = await commit(signer, datanetId, items.map((i) => i.contentHash));
  const tx = registry.connect(signer).submitBatch(datanetId, items, salt);
  if (key) await measure(key, tx, count);
  else await (await tx).wait();
}

await measure("createDatanet", registry.connect(owner!).createDatanet(0, "ipfs://bench-datanet", benchPolicy()));
const datanetId = await registry.datanetCount();

const contributor = signers[1]!;
const [firstItem] = nextItems(1);
const first = await commit(contributor, datanetId, [firstItem!.contentHash]);
gas.commitSubmission = Number(first.gasUsed);
await measure(
  "submit_firstByContributor",
  registry.connect(contributor).submit(datanetId, firstItem!.contentHash, firstItem!.sizeBytes, firstItem!.uri, first.salt),
);
await submitOne(contributor, datanetId, "submit");
await submitMany(contributor, datanetId, 100, "submitBatch100_perItem");

// Fill the registry to 9,999 contributions in batches from several contributors, then measure the
// 10,000th as a returning contributor's single submission.
const fillers = signers.slice(2, 12);
let filled = Number(await registry.contributionCount());
for (let round = 0; filled < 9_999; round++) {
  const count = Math.min(100, 9_999 - filled);
  await submitMany(fillers[round % fillers.length]!, datanetId, count);
  filled += count;
  if (round % 20 === 0) process.stderr.write(`\rfilling the registry: ${filled}/9999 contributions`);
}
process.stderr.write("\n");
await submitOne(contributor, datanetId, "submit_10000th");

// A version over the accepted set: the owner grants itself FINALIZER_ROLE only for this measurement.
await (await registry.grantRole(await registry.FINALIZER_ROLE(), owner!.address)).wait();
const submitted = await registry.queryFilter(registry.filters.ContributionSubmitted(), Number(deployment.startBlock));
for (const log of submitted.slice(0, 10)) await (await registry.finalize(log.args.contentHash, true)).wait();
await measure("finalize", registry.finalize(submitted[10]!.args.contentHash, true));
await measure("publishVersion", registry.publishVersion(datanetId, hashContent("root").contentHash, 11n, "ipfs://v1"));

const previous = JSON.parse(await readFile(GAS_FILE, "utf8").catch(() => "{}")) as Record<string, number>;
const merged = Object.fromEntries(Object.entries({ ...previous, ...gas }).sort(([a], [b]) => a.localeCompare(b)));
await writeFile(GAS_FILE, `${JSON.stringify(merged, null, 2)}\n`);

const drift = (gas.submit_10000th! / gas.submit! - 1) * 100;
console.table(
  Object.entries(gas).map(([key, used]) => ({
    operation: key,
    gas: used,
    target: key === "submit_10000th" ? `within 2% of submit (${drift.toFixed(2)}%)` : (TARGETS[key]?.[1] ?? ""),
    met: key === "submit_10000th" ? Math.abs(drift) <= 2 : TARGETS[key] ? used <= TARGETS[key][0] : "",
  })),
);
console.log(`Wrote ${path.relative(process.cwd(), GAS_FILE)}`);
