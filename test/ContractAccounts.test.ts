import { expect } from "chai";
import { network } from "hardhat";

import { signPermit } from "./helpers/permit.ts";
import { MIN_STAKE, OPEN, validatorFixture } from "./helpers/validators.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

/** The validator fixture plus a contract account (a multisig, say) funded with OPEN and owned by `outsider`. */
async function accountFixture() {
  const f = await validatorFixture(connection);
  const account = await (await ethers.getContractFactory("SmartAccount", f.outsider)).deploy();
  await (await f.token.connect(f.admin).transfer(await account.getAddress(), 10_000n * OPEN)).wait();
  const as = (target: { getAddress(): Promise<string>; interface: { encodeFunctionData(name: string, args: unknown[]): string } }, name: string, args: unknown[]) =>
    target.getAddress().then((to) => account.execute(to, target.interface.encodeFunctionData(name, args)));
  await (await as(f.token, "approve", [await f.staking.getAddress(), 2n ** 255n])).wait();
  return { ...f, account, accountAddress: await account.getAddress(), as };
}

describe("Contract accounts act as themselves, not as the key that sent the transaction", function () {
  it("slashes as the governance contract holding SLASHER_ROLE: the event names the contract, not the key", async function () {
    const { staking, datanetId, validators, account, accountAddress, admin, outsider } = await networkHelpers.loadFixture(accountFixture);
    await (await staking.connect(admin).grantRole(await staking.SLASHER_ROLE(), accountAddress)).wait();
    const [v] = validators;
    const incident = ethers.id("incident by governance");
    // v1 holds 1,000 OPEN: a slash of 10% leaves 900; the key that sends it (outsider) is not the slasher.
    const tx = account.connect(outsider).execute(await staking.getAddress(), staking.interface.encodeFunctionData("slash", [datanetId, v!.address, 100n * OPEN, incident]));
    await expect(tx)
      .to.emit(staking, "Slashed")
      .withArgs(datanetId, v!.address, accountAddress, 100n * OPEN, 900n * OPEN, incident, await staking.treasury());
  });

  it("stakes, unbonds and withdraws as the contract account; every event and error names the account", async function () {
    const { staking, token, datanetId, account, accountAddress, as, outsider } = await networkHelpers.loadFixture(accountFixture);
    await expect(as(staking, "requestUnbond", [datanetId])).to.be.revertedWithCustomError(staking, "NoStake").withArgs(datanetId, accountAddress);
    await expect(as(staking, "stake", [datanetId, MIN_STAKE])).to.emit(staking, "Staked").withArgs(datanetId, accountAddress, MIN_STAKE, MIN_STAKE);
    expect((await staking.stakeOf(datanetId, outsider.address)).amount).to.equal(0n);
    await expect(as(staking, "withdraw", [datanetId])).to.be.revertedWithCustomError(staking, "NotUnbonding").withArgs(datanetId, accountAddress);

    await (await as(staking, "requestUnbond", [datanetId])).wait();
    const unlocksAt = (await staking.stakeOf(datanetId, accountAddress)).unbondingEndsAt;
    await expect(as(staking, "requestUnbond", [datanetId]))
      .to.be.revertedWithCustomError(staking, "StakeUnbonding")
      .withArgs(datanetId, accountAddress, unlocksAt);
    await expect(as(staking, "withdraw", [datanetId]))
      .to.be.revertedWithCustomError(staking, "UnbondingNotFinished")
      .withArgs(datanetId, accountAddress, unlocksAt);

    await networkHelpers.time.increaseTo(unlocksAt);
    await expect(as(staking, "withdraw", [datanetId])).to.emit(staking, "StakeWithdrawn").withArgs(datanetId, accountAddress, MIN_STAKE);
    expect(await token.balanceOf(accountAddress)).to.equal(10_000n * OPEN);
    await expect(account.connect((await ethers.getSigners())[0]!).execute(accountAddress, "0x"))
      .to.be.revertedWithCustomError(account, "NotAccountOwner");
  });

  it("applies a permit for the caller only, never for the key that sent the transaction", async function () {
    const { staking, token, datanetId, accountAddress, as, outsider } = await networkHelpers.loadFixture(accountFixture);
    // The account's owner signs a permit for its own OPEN; the account passes it along with its own stake.
    const { deadline, v, r, s } = await signPermit(outsider, token, await staking.getAddress(), MIN_STAKE);
    await expect(as(staking, "stakeWithPermit", [datanetId, MIN_STAKE, deadline, v, r, s]))
      .to.emit(staking, "Staked")
      .withArgs(datanetId, accountAddress, MIN_STAKE, MIN_STAKE);
    expect(await token.allowance(outsider.address, await staking.getAddress())).to.equal(0n);
    expect(await token.nonces(outsider.address)).to.equal(0n);
  });
});
