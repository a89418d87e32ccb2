import { hashContent } from "../../sdk/index.ts";
import { benchPolicy } from "../lib/policies.ts";
import { GAS_CAP, largestBatch, type Bench } from "./harness.ts";

/**
 * Datanet and contribution operations on a datanet with the default 10-OPEN bond per item; returns
 * the largest submission batch under the gas cap. A submission is two transactions: `commit`
 * (reserves the quota, pulls the bond) and `submit` (the reveal, in a later block).
 */
export async function benchRegistry(b: Bench) {
  const { registry, signers, measure, gas, submit, commit, nextItems, fund } = b;
  const [owner] = signers;
  await measure("createDatanet", registry.connect(owner!).createDatanet(0, "ipfs://bench-datanet", benchPolicy()));
  const datanetId = await registry.datanetCount();

  const contributor = signers[1]!;
  const fillers = signers.slice(2, 12);
  for (const signer of [contributor, ...fillers]) await fund(signer);
  await submit(contributor, datanetId, 1, "submit_firstByContributor", "commit_firstByContributor");
  await submit(contributor, datanetId, 1, "submit", "commit");
  gas.commitAndSubmit = gas.commit! + gas.submit!;
  await submit(contributor, datanetId, 100, "submitBatch100_perItem");

  // Fill the registry to 9,999 contributions in batches from several contributors, then measure the
  // 10,000th as a returning contributor's single submission.
  let filled = Number(await registry.contributionCount());
  for (let round = 0; filled < 9_999; round++) {
    const count = Math.min(100, 9_999 - filled);
    await submit(fillers[round % fillers.length]!, datanetId, count);
    filled += count;
    if (round % 20 === 0) process.stderr.write(`\rfilling the registry: ${filled}/9999 contributions`);
  }
  process.stderr.write("\n");
  await submit(contributor, datanetId, 1, "submit_10000th", "commit_10000th");

  const largest = await largestBatch(gas.submitBatch100_perItem!, 30_000, async (n) => {
    const items = nextItems(n);
    const salt = await commit(contributor, datanetId, items);
    const receipt = await (await registry.connect(contributor).submitBatch(datanetId, items, salt, { gasLimit: GAS_CAP })).wait();
    return receipt!.gasUsed;
  });

  // A version over an accepted set: the owner holds FINALIZER_ROLE only for this measurement (the
  // registry's side of a closing; `finalize` in the validation bench is the whole closing).
  await (await registry.grantRole(await registry.FINALIZER_ROLE(), owner!.address)).wait();
  const submitted = await registry.queryFilter(registry.filters.ContributionSubmitted(), Number(b.deployment.startBlock));
  const ACCEPTED = 2;
  for (const log of submitted.slice(0, 10)) await (await registry.finalize(log.args.contentHash, ACCEPTED)).wait();
  await measure("registryFinalize", registry.finalize(submitted[10]!.args.contentHash, ACCEPTED));
  await (await registry.revokeRole(await registry.FINALIZER_ROLE(), owner!.address)).wait();
  await measure("publishVersion", registry.publishVersion(datanetId, hashContent("root").contentHash, 11n, "ipfs://v1"));
  return { submitBatch: largest };
}
