import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress } from "ethers";

import { signPermit } from "./helpers/permit.ts";
import { MIN_STAKE, OPEN, validatorFixture, WEEK } from "./helpers/validators.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const fixture = () => validatorFixture(connection);

describe("ValidatorStaking", function () {
  it("holds exactly the sum of stakes", async function () {
    const { staking, token } = await networkHelpers.loadFixture(fixture);
    expect(await staking.totalStaked()).to.equal(8_000n * OPEN);
    expect(await token.balanceOf(await staking.getAddress())).to.equal(8_000n * OPEN);
  });

  it("adds stake with an event carrying the new total, and reports attesting power", async function () {
    const { staking, validators, datanetId } = await networkHelpers.loadFixture(fixture);
    const [v1] = validators;
    await expect(staking.connect(v1!).stake(datanetId, 500n * OPEN))
      .to.emit(staking, "Staked")
      .withArgs(datanetId, v1!.address, 500n * OPEN, 1_500n * OPEN);
    expect((await staking.stakeOf(datanetId, v1!.address)).amount).to.equal(1_500n * OPEN);
    const [power, generation] = await staking.attestingPower(datanetId, v1!.address);
    expect([power, generation]).to.deep.equal([1_500n * OPEN, 0n]);
  });

  it("stakes with an ERC-2612 permit in one transaction", async function () {
    const { staking, token, admin, lazy, datanetId } = await networkHelpers.loadFixture(fixture);
    await (await token.connect(lazy).approve(await staking.getAddress(), 0n)).wait();
    const { deadline, v, r, s } = await signPermit(lazy, token, await staking.getAddress(), MIN_STAKE);
    await expect(staking.connect(lazy).stakeWithPermit(datanetId, MIN_STAKE, deadline, v, r, s)).to.emit(staking, "Staked");
    expect((await staking.stakeOf(datanetId, lazy.address)).amount).to.equal(MIN_STAKE);
    // Without a valid permit or allowance the stake fails on the transfer.
    await expect(staking.connect(admin).stakeWithPermit(datanetId, MIN_STAKE, deadline, v, r, s)).to.be.revertedWithCustomError(
      token,
      "ERC20InsufficientAllowance",
    );
  });

  it("refuses a zero amount, an unknown datanet, and an overflowing stake", async function () {
    const { staking, registry, validators, datanetId } = await networkHelpers.loadFixture(fixture);
    await expect(staking.connect(validators[0]!).stake(datanetId, 0n)).to.be.revertedWithCustomError(staking, "ZeroAmount");
    await expect(staking.connect(validators[0]!).stake(9n, OPEN))
      .to.be.revertedWithCustomError(registry, "DatanetUnknown")
      .withArgs(9n);
    await expect(staking.connect(validators[0]!).stake(datanetId, 2n ** 96n))
      .to.be.revertedWithCustomError(staking, "StakeOverflow")
      .withArgs(2n ** 96n + 1_000n * OPEN);
  });

  it("unbonds the whole stake: request, wait, withdraw", async function () {
    const { staking, token, validators, datanetId } = await networkHelpers.loadFixture(fixture);
    const v = validators[2]!;
    await expect(staking.connect(v).withdraw(datanetId))
      .to.be.revertedWithCustomError(staking, "NotUnbonding")
      .withArgs(datanetId, v.address);
    const unlocksAt = (await networkHelpers.time.latest()) + 1 + WEEK;
    await expect(staking.connect(v).requestUnbond(datanetId))
      .to.emit(staking, "UnbondRequested")
      .withArgs(datanetId, v.address, 2_000n * OPEN, unlocksAt)
      .and.to.emit(staking, "SignatureGenerationBumped")
      .withArgs(datanetId, v.address, 1);
    expect((await staking.attestingPower(datanetId, v.address))[0]).to.equal(0n);
    await expect(staking.connect(v).requestUnbond(datanetId))
      .to.be.revertedWithCustomError(staking, "StakeUnbonding")
      .withArgs(datanetId, v.address, unlocksAt);
    await expect(staking.connect(v).stake(datanetId, OPEN))
      .to.be.revertedWithCustomError(staking, "StakeUnbonding")
      .withArgs(datanetId, v.address, unlocksAt);
    await expect(staking.connect(v).withdraw(datanetId))
      .to.be.revertedWithCustomError(staking, "UnbondingNotFinished")
      .withArgs(datanetId, v.address, unlocksAt);
    await networkHelpers.time.increaseTo(unlocksAt);
    await expect(staking.connect(v).withdraw(datanetId)).to.changeTokenBalances(
      ethers,
      token,
      [v, staking],
      [2_000n * OPEN, -2_000n * OPEN],
    );
    expect(await staking.totalStaked()).to.equal(6_000n * OPEN);
    for (const call of [() => staking.connect(v).withdraw(datanetId), () => staking.connect(v).requestUnbond(datanetId)]) {
      await expect(call()).to.be.revertedWithCustomError(staking, "NoStake").withArgs(datanetId, v.address);
    }
  });

  it("lets only SLASHER_ROLE slash, up to the stake, paying the slash recipient and voiding signatures", async function () {
    const { staking, token, admin, owner, validators, datanetId } = await networkHelpers.loadFixture(fixture);
    const v = validators[4]!;
    const reason = ethers.id("copied verdicts");
    await expect(staking.connect(owner).slash(datanetId, v.address, OPEN, reason))
      .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
      .withArgs(owner.address, await staking.SLASHER_ROLE());
    await expect(staking.connect(admin).slash(datanetId, v.address, 0n, reason)).to.be.revertedWithCustomError(
      staking,
      "ZeroAmount",
    );
    await expect(staking.connect(admin).slash(datanetId, v.address, 3_001n * OPEN, reason))
      .to.be.revertedWithCustomError(staking, "SlashExceedsStake")
      .withArgs(datanetId, v.address, 3_001n * OPEN, 3_000n * OPEN);
    await expect(staking.connect(admin).slash(datanetId, owner.address, OPEN, reason))
      .to.be.revertedWithCustomError(staking, "NoStake")
      .withArgs(datanetId, owner.address);

    await (await staking.connect(admin).setSlashRecipient(owner.address)).wait();
    const tx = staking.connect(admin).slash(datanetId, v.address, 2_500n * OPEN, reason);
    await expect(tx)
      .to.emit(staking, "Slashed")
      .withArgs(datanetId, v.address, admin.address, 2_500n * OPEN, 500n * OPEN, reason, owner.address);
    await expect(tx).to.changeTokenBalances(ethers, token, [owner, staking], [2_500n * OPEN, -2_500n * OPEN]);
    expect(await staking.signatureGeneration(datanetId, v.address)).to.equal(1n);
    expect(await staking.totalStaked()).to.equal(5_500n * OPEN);
  });

  it("slashes an unbonding stake too, and a full slash clears it", async function () {
    const { staking, admin, validators, datanetId } = await networkHelpers.loadFixture(fixture);
    const v = validators[0]!;
    await (await staking.connect(v).requestUnbond(datanetId)).wait();
    await (await staking.connect(admin).slash(datanetId, v.address, 1_000n * OPEN, ethers.ZeroHash)).wait();
    const info = await staking.stakeOf(datanetId, v.address);
    expect([info.amount, info.unbondingEndsAt]).to.deep.equal([0n, 0n]);
    await expect(staking.connect(v).stake(datanetId, MIN_STAKE)).to.emit(staking, "Staked");
  });

  it("lets a validator void its outstanding signatures on a datanet", async function () {
    const { staking, validators, datanetId } = await networkHelpers.loadFixture(fixture);
    await expect(staking.connect(validators[1]!).invalidateSignatures(datanetId))
      .to.emit(staking, "SignatureGenerationBumped")
      .withArgs(datanetId, validators[1]!.address, 1);
    expect(await staking.signatureGeneration(datanetId, validators[1]!.address)).to.equal(1n);
    expect((await staking.attestingPower(datanetId, validators[1]!.address))[1]).to.equal(1n);
  });

  it("keeps the generation through withdrawal, so old signatures stay void after re-staking", async function () {
    const { staking, validators, datanetId } = await networkHelpers.loadFixture(fixture);
    const v = validators[0]!;
    await (await staking.connect(v).requestUnbond(datanetId)).wait();
    await networkHelpers.time.increase(WEEK);
    await (await staking.connect(v).withdraw(datanetId)).wait();
    await (await staking.connect(v).stake(datanetId, MIN_STAKE)).wait();
    const info = await staking.stakeOf(datanetId, v.address);
    expect([info.amount, info.unbondingEndsAt, info.generation]).to.deep.equal([MIN_STAKE, 0n, 1n]);
  });

  it("lets only the admin set a non-zero slash recipient", async function () {
    const { staking, admin, owner } = await networkHelpers.loadFixture(fixture);
    await expect(staking.connect(owner).setSlashRecipient(owner.address))
      .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
      .withArgs(owner.address, await staking.DEFAULT_ADMIN_ROLE());
    await expect(staking.connect(admin).setSlashRecipient(ZeroAddress)).to.be.revertedWithCustomError(staking, "ZeroAddress");
    await expect(staking.connect(admin).setSlashRecipient(owner.address))
      .to.emit(staking, "SlashRecipientUpdated")
      .withArgs(owner.address);
  });

  it("checks its constructor arguments", async function () {
    const { token, registry, admin } = await networkHelpers.loadFixture(fixture);
    const factory = await ethers.getContractFactory("ValidatorStaking");
    const [t, r, a] = [await token.getAddress(), await registry.getAddress(), admin.address];
    for (const args of [
      [ZeroAddress, r, a, a, WEEK],
      [t, ZeroAddress, a, a, WEEK],
      [t, r, ZeroAddress, a, WEEK],
      [t, r, a, ZeroAddress, WEEK],
    ] as const) {
      await expect(factory.deploy(...args)).to.be.revertedWithCustomError(factory, "ZeroAddress");
    }
    for (const period of [3_599, 365 * 24 * 3_600 + 1]) {
      await expect(factory.deploy(t, r, a, a, period))
        .to.be.revertedWithCustomError(factory, "InvalidUnbondingPeriod")
        .withArgs(period);
    }
    for (const period of [3_600, 365 * 24 * 3_600]) {
      const deployed = await factory.deploy(t, r, a, a, period);
      expect(await deployed.unbondingPeriod()).to.equal(BigInt(period));
    }
  });
});
