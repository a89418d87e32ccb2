import { Wallet } from "ethers";
import type { Hex } from "viem";

import { REVEAL_WINDOW, submissionCommitment } from "../../sdk/actions/contributions.ts";
import { hashContent } from "../../sdk/index.ts";
import { datanetPolicy } from "../../sdk/policy.ts";
import { OPEN, benchBytes32, type Bench } from "./harness.ts";

const DAY = 24 * 3_600;

/**
 * Reward pool funding and claims. One claim costs the same whether 10 or 10,000 contributors share
 * the epoch; claimants already hold OPEN and have claimed on the datanet before (their bitmap word
 * exists), as a regular contributor would. The datanet asks no bond (a bond changes nothing in a
 * claim, and 10,000 throwaway contributors would each need OPEN and an approval); its one validator
 * holds all the stake, so its verdict closes a contribution at once.
 */
export async function benchRewards(b: Bench) {
  const { ethers, connection, registry, token, staking, attestations, signers, measure } = b;
  const [treasury, owner] = signers;
  const pools = await ethers.getContractAt("RewardPools", b.deployment.contracts.rewardPools);
  await (
    await registry.connect(owner!).createDatanet(
      0,
      "ipfs://bench-rewards",
      datanetPolicy({ quorum: 1, maxContributionsPerContributorPerEpoch: 1_000, minValidatorStake: 1_000n * OPEN, submissionBond: 0n }),
    )
  ).wait();
  const datanetId = await registry.datanetCount();
  const { createdAt } = await registry.getDatanet(datanetId);
  const validator = signers[18]!;
  await (await token.connect(treasury!).transfer(validator.address, 1_000n * OPEN)).wait();
  await (await token.connect(validator).approve(await staking.getAddress(), 2n ** 255n)).wait();
  await (await staking.connect(validator).stake(datanetId, 1_000n * OPEN)).wait();
  await (await token.connect(treasury!).approve(await pools.getAddress(), 2n ** 255n)).wait();

  let nonce = 0;
  /** `count` fresh contributors each get one contribution accepted in the current epoch. */
  async function acceptedContributors(count: number) {
    const wallets = Array.from({ length: count }, () => new Wallet(benchBytes32(`contributor ${nonce++}`), ethers.provider));
    const hashes: Hex[] = [];
    for (const [i, wallet] of wallets.entries()) {
      await connection.networkHelpers.setBalance(wallet.address, 10n ** 18n);
      const { contentHash, sizeBytes } = hashContent(`reward bench ${nonce++}`);
      const salt = benchBytes32(`reward salt ${nonce++}`);
      const commitment = submissionCommitment({ contributor: wallet.address as Hex, datanetId, contentHashes: [contentHash], salt });
      await (await registry.connect(wallet).commitSubmission(datanetId, commitment, 1, sizeBytes)).wait();
      await (await registry.connect(wallet).submit(datanetId, contentHash, sizeBytes, "ipfs://r", salt)).wait();
      hashes.push(contentHash);
      if (i % 1_000 === 999) process.stderr.write(`\rreward bench: ${i + 1}/${count} contributors`);
    }
    await connection.networkHelpers.time.increase(REVEAL_WINDOW);
    // Every verdict closes its contribution (about 100k gas), so 100 fit well under the cap.
    for (let i = 0; i < hashes.length; i += 100) {
      const verdicts = hashes.slice(i, i + 100).map((contentHash) => ({ contentHash, accept: true, quality: 80, reasonCode: 0 }));
      await (await attestations.connect(validator).attestBatch(verdicts)).wait();
    }
    if (count >= 1_000) process.stderr.write("\n");
    return wallets;
  }

  /** Funds the current epoch, runs `fill` within it, and moves to the start of the next epoch. */
  async function epochWith<T>(fill: () => Promise<T>, key?: string) {
    const epoch = await registry.currentEpoch(datanetId);
    const fund = pools.connect(treasury!).fund(datanetId, epoch, 1_000n * OPEN);
    if (key) await measure(key, fund);
    else await (await fund).wait();
    const result = await fill();
    // Every block moves the clock at least a second, and 10,000 contributors take 20,000 blocks.
    const now = await registry.currentEpoch(datanetId);
    if (now !== epoch) throw new Error(`reward bench: epoch ${epoch} overflowed into epoch ${now}; use fewer contributors per epoch`);
    await connection.networkHelpers.time.increaseTo(createdAt + (epoch + 1n) * BigInt(DAY));
    return { epoch, result };
  }

  // A regular contributor, present in every epoch below, who has claimed before and holds OPEN.
  const [regular] = await acceptedContributors(1);
  const regularWallet = regular!;
  const addRegular = async () => {
    const { contentHash, sizeBytes } = hashContent(`regular ${nonce++}`);
    const salt = benchBytes32(`reward salt ${nonce++}`);
    const commitment = submissionCommitment({ contributor: regularWallet.address as Hex, datanetId, contentHashes: [contentHash], salt });
    await (await registry.connect(regularWallet).commitSubmission(datanetId, commitment, 1, sizeBytes)).wait();
    await (await registry.connect(regularWallet).submit(datanetId, contentHash, sizeBytes, "ipfs://r", salt)).wait();
    await connection.networkHelpers.time.increase(REVEAL_WINDOW);
    await (await attestations.connect(validator).attest({ contentHash, accept: true, quality: 80, reasonCode: 0 })).wait();
  };
  const warmup = await epochWith(addRegular, "fundEpoch");
  await (await pools.connect(regularWallet).claim(datanetId, [warmup.epoch])).wait();

  const small = await epochWith(async () => {
    await addRegular();
    await acceptedContributors(9);
  });
  await measure("claimEpoch_10", pools.connect(regularWallet).claim(datanetId, [small.epoch]));

  const large = await epochWith(async () => {
    await addRegular();
    await acceptedContributors(9_999);
  });
  await measure("claimEpoch_10000", pools.connect(regularWallet).claim(datanetId, [large.epoch]));

  const four = [];
  for (let i = 0; i < 4; i++) four.push((await epochWith(addRegular)).epoch);
  await measure("claimEpochs4", pools.connect(regularWallet).claim(datanetId, four));
}
