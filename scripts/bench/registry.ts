import { hashContent } from "../../sdk/index.ts";
import { benchPolicy } from "../lib/policies.ts";
import { GAS_CAP, largestBatch, type Bench } from "./harness.ts";

/** Datanet and contribution operations; returns the largest submission batch under the gas cap. */
export async function benchRegistry(b: Bench) {
  const { registry, signers, measure, gas, submit, commit, nextItems } = b;
  const [owner] = signers;
  await measure("createDatanet", registry.connect(owner!).createDatanet(0, "ipfs://bench-datanet", benchPolicy()));
  const datanetId = await registry.datanetCount();

  const contributor = signers[1]!;
  const [first] = nextItems(1);
  const committed = await commit(contributor, datanetId, [first!.contentHash]);
  gas.commitSubmission = Number(committed.gasUsed);
  await measure(
    "submit_firstByContributor",
    registry.connect(contributor).submit(datanetId, first!.contentHash, first!.sizeBytes, first!.uri, committed.salt),
  );
  await submit(contributor, datanetId, 1, "submit");
  await submit(contributor, datanetId, 100, "submitBatch100_perItem");

  // Fill the registry to 9,999 contributions in batches from several contributors, then measure the
  // 10,000th as a returning contributor's single submission.
  const fillers = signers.slice(2, 12);
  let filled = Number(await registry.contributionCount());
  for (let round = 0; filled < 9_999; round++) {
    const count = Math.min(100, 9_999 - filled);
    await submit(fillers[round % fillers.length]!, datanetId, count);
    filled += count;
    if (round % 20 === 0) process.stderr.write(`\rfilling the registry: ${filled}/9999 contributions`);
  }
  process.stderr.write("\n");
  await submit(contributor, datanetId, 1, "submit_10000th");

  const largest = await largestBatch(gas.submitBatch100_perItem!, 30_000, async (n) => {
    const items = nextItems(n);
    const { salt } = await commit(contributor, datanetId, items.map((i) => i.contentHash));
    const receipt = await (await registry.connect(contributor).submitBatch(datanetId, items, salt, { gasLimit: GAS_CAP })).wait();
    return receipt!.gasUsed;
  });

  // A version over an accepted set: the owner holds FINALIZER_ROLE only for this measurement.
  await (await registry.grantRole(await registry.FINALIZER_ROLE(), owner!.address)).wait();
  const submitted = await registry.queryFilter(registry.filters.ContributionSubmitted(), Number(b.deployment.startBlock));
  for (const log of submitted.slice(0, 10)) await (await registry.finalize(log.args.contentHash, true)).wait();
  await measure("finalize", registry.finalize(submitted[10]!.args.contentHash, true));
  await measure("publishVersion", registry.publishVersion(datanetId, hashContent("root").contentHash, 11n, "ipfs://v1"));
  return { submitBatch: largest };
}
