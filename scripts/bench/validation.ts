import { Wallet } from "ethers";
import type { Hex } from "viem";

import { VERDICT_TYPES } from "../../sdk/actions/validators.ts";
import { datanetPolicy } from "../../sdk/policy.ts";
import { GAS_CAP, largestBatch, type Bench } from "./harness.ts";

const OPEN = 10n ** 18n;

/**
 * Staking and attestation, measured in steady state: every validator has staked and given verdicts
 * before (its index and bitmap word exist) and the contributor has a reputation record, so the keys
 * show what the thousandth verdict costs, not the first. Quorum 3, two-thirds threshold.
 */
export async function benchValidation(b: Bench) {
  const { ethers, connection, registry, token, staking, attestations, signers, measure, gas, submit } = b;
  const [treasury, owner] = signers;
  await (
    await registry.connect(owner!).createDatanet(
      0,
      "ipfs://bench-validated",
      datanetPolicy({
        maxContributionsPerContributorPerEpoch: 1_000_000,
        maxBytesPerContributorPerEpoch: 2n ** 40n,
        maxBytesPerDatanetPerEpoch: 2n ** 50n,
        minValidatorStake: 1_000n * OPEN,
        quorum: 3,
      }),
    )
  ).wait();
  const datanetId = await registry.datanetCount();
  const contributor = signers[12]!;

  const validators = Array.from({ length: 6 }, () => Wallet.createRandom().connect(ethers.provider));
  for (const v of validators) {
    await connection.networkHelpers.setBalance(v.address, 10n ** 21n);
    await (await token.connect(treasury!).transfer(v.address, 10_000n * OPEN)).wait();
    await (await token.connect(v).approve(await staking.getAddress(), 2n ** 255n)).wait();
  }
  // `stake` is a validator's first stake on the datanet, after others have staked (not the
  // contract's very first deposit, which also creates the total and the contract's token balance).
  for (const v of validators.slice(1)) await (await staking.connect(v).stake(datanetId, 2_000n * OPEN)).wait();
  await measure("stake", staking.connect(validators[0]!).stake(datanetId, 2_000n * OPEN));

  const domain = {
    name: "OpenLedger Attestations",
    version: "1",
    chainId: b.deployment.chainId,
    verifyingContract: await attestations.getAddress(),
  };
  const deadline = 2n ** 40n;
  const types = { Verdict: [...VERDICT_TYPES.Verdict] };
  const verdict = (contentHash: string, accept = true) => ({ contentHash, accept, quality: 80, reasonCode: 0 });
  const sign = async (v: (typeof validators)[number], contentHash: string) => ({
    validator: v.address,
    verdict: verdict(contentHash),
    generation: 0,
    deadline,
    signature: await v.signTypedData(domain, types, { ...verdict(contentHash), generation: 0, deadline }),
  });
  const fresh = async (count: number) => (await submit(contributor, datanetId, count)).map((i) => i.contentHash as Hex);

  // Warm-up: every validator judges and finalizes a few contributions.
  for (const hash of await fresh(3)) {
    for (const v of validators.slice(0, 3)) await (await attestations.connect(v).attest(verdict(hash))).wait();
  }
  for (const v of validators.slice(3)) await (await attestations.connect(v).attestBatch((await fresh(2)).map((h) => verdict(h)))).wait();

  const [single] = await fresh(1);
  await measure("attest", attestations.connect(validators[0]!).attest(verdict(single!)));
  await measure("attest_secondVerdict", attestations.connect(validators[1]!).attest(verdict(single!)));
  await measure("attestFinalizing", attestations.connect(validators[2]!).attest(verdict(single!)));

  const batch = await fresh(100);
  await measure("attestBatch_perItem", attestations.connect(validators[0]!).attestBatch(batch.map((h) => verdict(h))), 100);

  // 50 signed verdicts, the first two of three on 25 contributions: nothing finalizes.
  const pairs = await fresh(25);
  const signed = [];
  for (const hash of pairs) for (const v of validators.slice(1, 3)) signed.push(await sign(v, hash));
  await measure("attestSignedBatch_perItem", attestations.connect(owner!).attestSigned(signed), signed.length);
  // 51 signed verdicts completing 17 contributions: every third one finalizes.
  const triples = await fresh(17);
  const finalizing = [];
  for (const hash of triples) for (const v of validators.slice(0, 3)) finalizing.push(await sign(v, hash));
  await measure("attestSignedBatchFinalizing_perItem", attestations.connect(owner!).attestSigned(finalizing), finalizing.length);

  const largestAttestBatch = await largestBatch(gas.attestBatch_perItem!, 30_000, async (n) => {
    const hashes = await fresh(n);
    const tx = attestations.connect(validators[3]!).attestBatch(hashes.map((h) => verdict(h)), { gasLimit: GAS_CAP });
    return (await (await tx).wait())!.gasUsed;
  });
  const largestSignedBatch = await largestBatch(gas.attestSignedBatch_perItem!, 30_000, async (n) => {
    const hashes = await fresh(Math.ceil(n / 2));
    const batchSigned = [];
    for (const hash of hashes) for (const v of validators.slice(4, 6)) batchSigned.push(await sign(v, hash));
    const tx = attestations.connect(owner!).attestSigned(batchSigned.slice(0, n), { gasLimit: GAS_CAP });
    return (await (await tx).wait())!.gasUsed;
  });
  return { attestBatch: largestAttestBatch, attestSigned: largestSignedBatch };
}
