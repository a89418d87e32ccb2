import { expect } from "chai";
import { network } from "hardhat";
import { ZeroHash } from "ethers";
import type { Address } from "viem";

import { buildMerkleEpoch } from "../sdk/merkle.ts";
import { modelsFixture, qloraSpec } from "./helpers/models.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const DAY = 24 * 3_600;

/**
 * Every contract that takes tokens in, deployed over a token that keeps 1% of each transfer: each
 * refuses the transfer with `TransferAmountMismatch` rather than crediting more than it received.
 */
async function fotFixture() {
  const f = await modelsFixture(connection);
  const { admin, registry, factory, bob } = f;
  const fot = await ethers.deployContract("FeeOnTransferToken", [], admin);
  const token = await fot.getAddress();
  const staking = await ethers.deployContract("ValidatorStaking", [token, await registry.getAddress(), admin.address, admin.address, 7 * DAY, 0], admin);
  const attestations = await ethers.getContractAt("AttestationRegistry", f.deployment.contracts.attestationRegistry);
  const pools = await ethers.deployContract("RewardPools", [token, await registry.getAddress(), await attestations.getAddress(), admin.address, 52, admin.address, 0], admin);
  const distributor = await ethers.deployContract("MerkleEpochDistributor", [token, admin.address, 365 * DAY], admin);
  const attribution = await ethers.deployContract(
    "ProofOfAttribution",
    [
      token,
      await factory.getAddress(),
      await distributor.getAddress(),
      admin.address,
      { admin: admin.address, attributor: admin.address, guardian: f.owner.address },
      500,
      DAY,
      DAY,
      0,
    ],
    admin,
  );
  await (await factory.connect(bob).registerModel(1n, "m", qloraSpec())).wait();
  for (const spender of [staking, pools, distributor, attribution]) await (await fot.approve(await spender.getAddress(), 2n ** 255n)).wait();
  return { ...f, fot, staking, pools, distributor, attribution };
}

describe("A fee-on-transfer token", function () {
  it("is refused by every contract that takes tokens in, and nothing is credited", async function () {
    const { fot, staking, pools, distributor, attribution, alice } = await networkHelpers.loadFixture(fotFixture);
    const amount = 10n ** 21n;
    const tokenAddress = await fot.getAddress();
    const mismatch = (expected: bigint) => [tokenAddress, expected, expected - expected / 100n] as const;
    await expect(staking.stake(1n, amount)).to.be.revertedWithCustomError(staking, "TransferAmountMismatch").withArgs(...mismatch(amount));
    expect((await staking.stakeOf(1n, (await ethers.getSigners())[0]!.address)).amount).to.equal(0n);
    await expect(pools.fund(1n, 0n, amount)).to.be.revertedWithCustomError(pools, "TransferAmountMismatch").withArgs(...mismatch(amount));
    const epoch = buildMerkleEpoch([{ account: alice.address as Address, amount }]);
    await expect(distributor.postRoot(1n, 1n, epoch.root, epoch.total, epoch.total, ZeroHash))
      .to.be.revertedWithCustomError(distributor, "TransferAmountMismatch")
      .withArgs(...mismatch(amount));
    await expect(attribution.payFees([{ modelId: 1n, amount, inferenceBatchHash: ethers.id("batch") }]))
      .to.be.revertedWithCustomError(attribution, "TransferAmountMismatch")
      .withArgs(...mismatch(amount));
    for (const contract of [staking, pools, distributor, attribution]) expect(await fot.balanceOf(await contract.getAddress())).to.equal(0n);
  });
});
