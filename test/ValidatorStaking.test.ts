import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress } from "ethers";

import { signPermit } from "./helpers/permit.ts";
import { MIN_STAKE, OPEN, validatorFixture, WEEK } from "./helpers/validators.ts";
import { pinNextBlockTime } from "./helpers/clock.ts";

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

  it("checkpoints bonded stake per second, so verdicts weigh the stake bonded before a reveal", async function () {
    const { staking, admin, validators, datanetId } = await networkHelpers.loadFixture(fixture);
    const [v1, v2] = validators;
    const t0 = BigInt(await networkHelpers.time.latest());
    await (await staking.connect(v1!).stake(datanetId, 500n * OPEN)).wait(); // t0 + 1
    await (await staking.connect(v2!).requestUnbond(datanetId)).wait(); // t0 + 2: no longer bonded
    await (await staking.connect(admin).slash(datanetId, v1!.address, 150n * OPEN, ethers.id("i"))).wait(); // t0 + 3
    const history = [
      [t0, 1_000n, 1_000n, 8_000n],
      [t0 + 1n, 1_500n, 1_000n, 8_500n],
      [t0 + 2n, 1_500n, 0n, 7_500n],
      [t0 + 3n, 1_350n, 0n, 7_350n],
    ];
    for (const [at, one, two, total] of history) {
      expect(await staking.stakeAt(datanetId, v1!.address, at!), `v1 at ${at}`).to.equal(one! * OPEN);
      expect(await staking.stakeAt(datanetId, v2!.address, at!), `v2 at ${at}`).to.equal(two! * OPEN);
      expect(await staking.totalStakeAt(datanetId, at!), `total at ${at}`).to.equal(total! * OPEN);
    }
    // Slashing a validator that is unbonding changes nothing bonded.
    await (await staking.connect(admin).slash(datanetId, v2!.address, 100n * OPEN, ethers.id("j"))).wait();
    expect(await staking.totalStakeAt(datanetId, t0 + 4n)).to.equal(7_350n * OPEN);
    expect(await staking.votingPower(datanetId, v1!.address, t0)).to.deep.equal([1_000n * OPEN, 1_350n * OPEN, 1n]);
    expect(await staking.votingPower(datanetId, v2!.address, t0 + 1n)).to.deep.equal([1_000n * OPEN, 0n, 2n]);
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
    const requestedAt = await pinNextBlockTime(networkHelpers.time);
    const unlocksAt = requestedAt + WEEK;
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

  it("lets only SLASHER_ROLE slash, at most 10% per incident and once per incident, always to the treasury", async function () {
    const { staking, token, admin, owner, validators, datanetId } = await networkHelpers.loadFixture(fixture);
    const v = validators[4]!; // 3,000 OPEN
    const incident = ethers.id("dispute #1: approved content failing the hash check");
    await expect(staking.connect(owner).slash(datanetId, v.address, OPEN, incident))
      .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
      .withArgs(owner.address, await staking.SLASHER_ROLE());
    await expect(staking.connect(admin).slash(datanetId, v.address, 0n, incident)).to.be.revertedWithCustomError(staking, "ZeroAmount");
    await expect(staking.connect(admin).slash(datanetId, v.address, OPEN, ethers.ZeroHash)).to.be.revertedWithCustomError(
      staking,
      "ZeroIncidentId",
    );
    // The attack the cap answers: one key taking a whole stake. 10% of 3,000 OPEN is the most.
    await expect(staking.connect(admin).slash(datanetId, v.address, 3_000n * OPEN, incident))
      .to.be.revertedWithCustomError(staking, "SlashAboveIncidentCap")
      .withArgs(datanetId, v.address, 3_000n * OPEN, 300n * OPEN);
    await expect(staking.connect(admin).slash(datanetId, v.address, 300n * OPEN + 1n, incident))
      .to.be.revertedWithCustomError(staking, "SlashAboveIncidentCap")
      .withArgs(datanetId, v.address, 300n * OPEN + 1n, 300n * OPEN);
    await expect(staking.connect(admin).slash(datanetId, owner.address, OPEN, incident))
      .to.be.revertedWithCustomError(staking, "NoStake")
      .withArgs(datanetId, owner.address);

    const treasury = await staking.treasury();
    expect(treasury).to.equal(admin.address); // the deployment's treasury; fixed, no setter
    const tx = staking.connect(admin).slash(datanetId, v.address, 300n * OPEN, incident);
    await expect(tx)
      .to.emit(staking, "Slashed")
      .withArgs(datanetId, v.address, admin.address, 300n * OPEN, 2_700n * OPEN, incident, treasury);
    await expect(tx).to.changeTokenBalances(ethers, token, [admin, staking], [300n * OPEN, -300n * OPEN]);
    expect(await staking.isIncidentSlashed(datanetId, v.address, incident)).to.equal(true);
    // The same incident cannot be used again, even for a smaller amount.
    await expect(staking.connect(admin).slash(datanetId, v.address, OPEN, incident))
      .to.be.revertedWithCustomError(staking, "IncidentAlreadySlashed")
      .withArgs(datanetId, v.address, incident);
    expect(await staking.signatureGeneration(datanetId, v.address)).to.equal(1n);
    expect(await staking.totalStaked()).to.equal(7_700n * OPEN);
    // A second incident is capped by the stake left: 10% of 2,700 OPEN.
    await expect(staking.connect(admin).slash(datanetId, v.address, 271n * OPEN, ethers.id("dispute #2")))
      .to.be.revertedWithCustomError(staking, "SlashAboveIncidentCap")
      .withArgs(datanetId, v.address, 271n * OPEN, 270n * OPEN);
  });

  it("slashes an unbonding stake too, which stays unbonding", async function () {
    const { staking, admin, validators, datanetId } = await networkHelpers.loadFixture(fixture);
    const v = validators[0]!;
    await (await staking.connect(v).requestUnbond(datanetId)).wait();
    const before = await staking.stakeOf(datanetId, v.address);
    await (await staking.connect(admin).slash(datanetId, v.address, 100n * OPEN, ethers.id("late dispute"))).wait();
    const info = await staking.stakeOf(datanetId, v.address);
    expect([info.amount, info.unbondingEndsAt]).to.deep.equal([900n * OPEN, before.unbondingEndsAt]);
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

  it("pauses staking, unbonding and withdrawals for a bounded time only, by PAUSER_ROLE", async function () {
    const { staking, admin, owner, validators, datanetId } = await networkHelpers.loadFixture(fixture);
    const v = validators[0]!;
    await expect(staking.connect(owner).pause(3_600))
      .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
      .withArgs(owner.address, await staking.PAUSER_ROLE());
    const max = await staking.MAX_PAUSE_DURATION();
    for (const duration of [0n, max + 1n]) {
      await expect(staking.connect(admin).pause(duration))
        .to.be.revertedWithCustomError(staking, "InvalidPauseDuration")
        .withArgs(duration, max);
    }
    const pausedAt = await pinNextBlockTime(networkHelpers.time);
    const until = BigInt(pausedAt) + max;
    await expect(staking.connect(admin).pause(max)).to.emit(staking, "PauseSet").withArgs(admin.address, until);
    for (const call of [
      () => staking.connect(v).stake(datanetId, OPEN),
      () => staking.connect(v).requestUnbond(datanetId),
      () => staking.connect(v).withdraw(datanetId),
    ]) {
      await expect(call()).to.be.revertedWithCustomError(staking, "ContractPaused").withArgs(until);
    }
    // The pause ends by itself: nobody can hold the stakes longer than MAX_PAUSE_DURATION per decision.
    await networkHelpers.time.increaseTo(until);
    await expect(staking.connect(v).stake(datanetId, OPEN)).to.emit(staking, "Staked");
    await (await staking.connect(admin).pause(60)).wait();
    await expect(staking.connect(owner).unpause()).to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount");
    await expect(staking.connect(admin).unpause()).to.emit(staking, "PauseSet").withArgs(admin.address, 0);
    await expect(staking.connect(v).requestUnbond(datanetId)).to.emit(staking, "UnbondRequested");
  });

  it("checks its constructor arguments", async function () {
    const { token, registry, admin } = await networkHelpers.loadFixture(fixture);
    const factory = await ethers.getContractFactory("ValidatorStaking");
    const [t, r, a] = [await token.getAddress(), await registry.getAddress(), admin.address];
    for (const args of [
      [ZeroAddress, r, a, a, WEEK, 0],
      [t, ZeroAddress, a, a, WEEK, 0],
      [t, r, a, ZeroAddress, WEEK, 0],
    ] as const) {
      await expect(factory.deploy(...args)).to.be.revertedWithCustomError(factory, "ZeroAddress");
    }
    await expect(factory.deploy(t, r, ZeroAddress, a, WEEK, 0))
      .to.be.revertedWithCustomError(factory, "AccessControlInvalidDefaultAdmin")
      .withArgs(ZeroAddress);
    for (const period of [3_599, 365 * 24 * 3_600 + 1]) {
      await expect(factory.deploy(t, r, a, a, period, 0))
        .to.be.revertedWithCustomError(factory, "InvalidUnbondingPeriod")
        .withArgs(period);
    }
    for (const period of [3_600, 365 * 24 * 3_600]) {
      const deployed = await factory.deploy(t, r, a, a, period, 0);
      expect(await deployed.unbondingPeriod()).to.equal(BigInt(period));
    }
  });
});
