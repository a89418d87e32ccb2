import { getAddress, keccak256, toBytes } from "viem";

import { buildMerkleEpoch } from "../../sdk/merkle.ts";
import type { Bench } from "./harness.ts";

const LEAVES = 100_000;

/**
 * A claim with a proof from a 100,000-leaf epoch, paid to an account that already holds OPEN, after
 * other claims have touched the same bitmap word: the situation Uniswap's MerkleDistributor figure
 * (59,808 gas) describes, over the payouts `benchUniswap` uses. Our proof's length is the leaf's
 * depth in the account-keyed trie: leaf 1 sits at depth 19 (the mean over the 100,000 leaves is
 * 17.9; Uniswap's proofs have 17 siblings).
 */
export async function benchMerkle(b: Bench) {
  const { ethers, signers, token, measure } = b;
  const [treasury] = signers;
  const distributor = await ethers.getContractAt("MerkleEpochDistributor", b.deployment.contracts.merkleEpochDistributor);
  const payouts = Array.from({ length: LEAVES }, (_, i) => ({
    account: getAddress(keccak256(toBytes(`bench account ${i}`)).slice(0, 42)),
    amount: 10n ** 15n + BigInt(i),
  }));
  process.stderr.write(`building a ${LEAVES}-leaf trie...\n`);
  const epoch = buildMerkleEpoch(payouts);
  const [poolId, epochId] = [7n, 1n];
  await (await token.connect(treasury!).approve(await distributor.getAddress(), epoch.total)).wait();
  await measure("postEpochRoot", distributor.connect(treasury!).postRoot(poolId, epochId, epoch.root, epoch.total, epoch.total, ethers.ZeroHash));
  const epochContract = await ethers.getContractAt("MerkleEpoch", await distributor.epochContract(treasury!.address, poolId, epochId));

  // Leaves 0 and 1 share a bitmap word; their accounts already hold OPEN.
  const [first, second] = [epoch.claim(0n), epoch.claim(1n)];
  for (const c of [first, second]) await (await token.connect(treasury!).transfer(c.account, 1n)).wait();
  const claimer = signers[17]!;
  await (await epochContract.connect(claimer).claim(first.index, first.account, first.amount, first.proof)).wait();
  await measure("merkleClaim_100k", epochContract.connect(claimer).claim(second.index, second.account, second.amount, second.proof));
  return { proofLength: second.proof.length };
}
