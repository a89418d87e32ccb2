import { Wallet } from "ethers";
import type { Hex } from "viem";

import { REVEAL_WINDOW } from "../../sdk/actions/contributions.ts";
import { VERDICT_TYPES } from "../../sdk/actions/validators.ts";
import { datanetPolicy } from "../../sdk/policy.ts";
import { GAS_CAP, OPEN, benchBytes32, largestBatch, type Bench } from "./harness.ts";

const HOUR = 3_600;

/**
 * Staking, verdicts, closings and settlement, measured in steady state: every validator has staked
 * and given verdicts before (its bitmap word exists) and the contributor has a reputation record, so
 * the keys show what the thousandth verdict costs, not the first. Quorum 3, two-thirds threshold, a
 * 10-OPEN bond, a one-day window. Three validators stake 4,000 OPEN and three 1,000 (15,000 eligible):
 * verdicts of the three large ones close a contribution early (12,000 of 15,000 accept); the three
 * small ones reach the quorum without deciding it, so those contributions close by `finalize`.
 */
export async function benchValidation(b: Bench) {
  const { ethers, connection, registry, token, staking, attestations, signers, measure, gas, submit, fund, wait } = b;
  const [treasury, owner] = signers;
  const validationWindow = 24 * HOUR;
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
        validationWindow,
      }),
    )
  ).wait();
  const datanetId = await registry.datanetCount();
  const contributor = signers[12]!;
  await fund(contributor);

  const validators = Array.from({ length: 6 }, (_, i) => new Wallet(benchBytes32(`validator ${i}`), ethers.provider));
  const [large, small] = [validators.slice(0, 3), validators.slice(3)];
  for (const v of validators) {
    await connection.networkHelpers.setBalance(v.address, 10n ** 21n);
    await (await token.connect(treasury!).transfer(v.address, 10_000n * OPEN)).wait();
    await (await token.connect(v).approve(await staking.getAddress(), 2n ** 255n)).wait();
  }
  const stakeOf = (v: Wallet) => (large.includes(v) ? 4_000n : 1_000n) * OPEN;
  // `stake` is a validator's first stake on the datanet, after others have staked (not the
  // contract's very first deposit, which also creates the total and the contract's token balance).
  for (const v of validators.slice(1)) await (await staking.connect(v).stake(datanetId, stakeOf(v))).wait();
  await measure("stake", staking.connect(validators[0]!).stake(datanetId, stakeOf(validators[0]!)));

  const domain = {
    name: "OpenLedger Attestations",
    version: "1",
    chainId: b.deployment.chainId,
    verifyingContract: await attestations.getAddress(),
  };
  const deadline = 2n ** 40n;
  const types = { Verdict: [...VERDICT_TYPES.Verdict] };
  const verdict = (contentHash: string, accept = true) => ({ contentHash, accept, quality: 80, reasonCode: 0 });
  const sign = async (v: Wallet, contentHash: string) => {
    const contributionId = await registry.contributionIdOf(contentHash);
    return {
      validator: v.address,
      verdict: verdict(contentHash),
      generation: 0,
      deadline,
      signature: await v.signTypedData(domain, types, { ...verdict(contentHash), contributionId, generation: 0, deadline }),
    };
  };
  /** `count` contributions revealed now, whose verdicts are open once this returns. */
  const fresh = async (count: number) => {
    const hashes = (await submit(contributor, datanetId, count)).map((i) => i.contentHash as Hex);
    await wait(REVEAL_WINDOW);
    return hashes;
  };
  const idOf = async (hash: Hex) => (await registry.getContribution(hash)).id;

  // Warm-up: every validator judges and settles a few contributions, closed early or by finalize.
  const warm = await fresh(3);
  for (const hash of warm) for (const v of large) await (await attestations.connect(v).attest(verdict(hash))).wait();
  const warmOpen = await fresh(2);
  for (const v of small) await (await attestations.connect(v).attestBatch(warmOpen.map((h) => verdict(h)))).wait();
  await wait(validationWindow);
  await (await attestations.finalizeBatch(warmOpen)).wait();
  const warmIds = await Promise.all([...warm, ...warmOpen].map(idOf));
  for (const v of validators) {
    const ids = large.includes(v) ? warmIds.slice(0, 3) : warmIds.slice(3);
    await (await attestations.settle(v.address, ids)).wait();
  }

  const [single] = await fresh(1);
  await measure("attest", attestations.connect(large[0]!).attest(verdict(single!)));
  await measure("attest_secondVerdict", attestations.connect(large[1]!).attest(verdict(single!)));
  await measure("attestClosing", attestations.connect(large[2]!).attest(verdict(single!)));

  const batch = await fresh(100);
  await measure("attestBatch_perItem", attestations.connect(large[0]!).attestBatch(batch.map((h) => verdict(h))), 100);

  // 50 signed verdicts, two large ones on 25 contributions: 8,000 of 15,000 accept, nothing closes.
  const pairs = await fresh(25);
  const signed = [];
  for (const hash of pairs) for (const v of large.slice(1)) signed.push(await sign(v, hash));
  await measure("attestSignedBatch_perItem", attestations.connect(owner!).attestSigned(signed), signed.length);
  // 51 signed verdicts completing 17 contributions: every third one closes it early.
  const triples = await fresh(17);
  const closing = [];
  for (const hash of triples) for (const v of large) closing.push(await sign(v, hash));
  await measure("attestSignedBatchClosing_perItem", attestations.connect(owner!).attestSigned(closing), closing.length);

  // The small validators reach the quorum on 101 contributions without deciding them (3,000 of
  // 15,000): they close after the window, accepted, by `finalizeBatch` (100) and `finalize` (one),
  // and each small validator settles its verdicts on them.
  const undecided = await fresh(101);
  for (const v of small) await (await attestations.connect(v).attestBatch(undecided.map((h) => verdict(h)))).wait();
  await wait(validationWindow);
  await measure("finalizeBatch_perItem", attestations.finalizeBatch(undecided.slice(1)), 100);
  await measure("finalize", attestations.finalize(undecided[0]!));
  const undecidedIds = await Promise.all(undecided.map(idOf));
  await measure("settleBatch_perItem", attestations.settle(small[0]!.address, undecidedIds.slice(1)), 100);
  await measure("settle", attestations.settle(small[0]!.address, undecidedIds.slice(0, 1)));

  const largestAttestBatch = await largestBatch(gas.attestBatch_perItem!, 30_000, async (n) => {
    const hashes = await fresh(n);
    const tx = attestations.connect(small[0]!).attestBatch(hashes.map((h) => verdict(h)), { gasLimit: GAS_CAP });
    return (await (await tx).wait())!.gasUsed;
  });
  const largestSignedBatch = await largestBatch(gas.attestSignedBatch_perItem!, 30_000, async (n) => {
    const hashes = await fresh(Math.ceil(n / 2));
    const batchSigned = [];
    for (const hash of hashes) for (const v of small.slice(1)) batchSigned.push(await sign(v, hash));
    const tx = attestations.connect(owner!).attestSigned(batchSigned.slice(0, n), { gasLimit: GAS_CAP });
    return (await (await tx).wait())!.gasUsed;
  });
  return { attestBatch: largestAttestBatch, attestSigned: largestSignedBatch };
}
