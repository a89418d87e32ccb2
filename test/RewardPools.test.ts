import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress } from "ethers";

import { randomSalt, submissionCommitment } from "../sdk/actions/contributions.ts";
import { item, submitOne } from "./helpers/registry.ts";
import { signPermit } from "./helpers/permit.ts";
import { OPEN, validatorFixture, type ValidatorFixture } from "./helpers/validators.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const DAY = 24 * 3_600;
const BPS = 10_000n;

const verdict = (contentHash: string, accept: boolean, quality = 80) => ({ contentHash, accept, quality, reasonCode: 0 });

/** Stake weight of an amount of OPEN (units of 1e15 wei). */
const WEIGHT = (openAmount: bigint) => (openAmount * OPEN) / 10n ** 15n;

/**
 * An outcome decided by stake once verdicts open: validator 2 (1,000 OPEN) always dissents, then
 * validators 5, 3 and 1 (3,000, 2,000, 1,000 OPEN) give the outcome until the contribution closes (an
 * acceptance needs all three: 6,000 of 8,000; a rejection closes after 5 and 3).
 */
async function decide(f: ValidatorFixture, contentHash: string, accept: boolean, quality = 80) {
  const [v1, v2, v3, , v5] = f.validators;
  const { votingOpensAt } = await f.registry.getContribution(contentHash);
  if (BigInt(await networkHelpers.time.latest()) < votingOpensAt) await networkHelpers.time.increaseTo(votingOpensAt);
  await (await f.attestations.connect(v2!).attest(verdict(contentHash, !accept, quality))).wait();
  for (const v of [v5!, v3!, v1!]) {
    if ((await f.registry.getContribution(contentHash)).status !== 1n) break;
    await (await f.attestations.connect(v).attest(verdict(contentHash, accept, quality))).wait();
  }
}

/** A new contribution by the fixture's contributor (its verdicts open after the reveal window). */
async function freshItem(f: ValidatorFixture) {
  const it = item(10n);
  await (await submitOne(f.registry, f.contributor, f.datanetId, it)).wait();
  return it.contentHash;
}

async function poolsFixture() {
  const f = await validatorFixture(connection);
  const pools = await ethers.getContractAt("RewardPools", f.deployment.contracts.rewardPools);
  await (await f.token.connect(f.admin).approve(await pools.getAddress(), 2n ** 255n)).wait();
  return { ...f, pools };
}

/** Epoch 0 funded with 1,000 OPEN; two acceptances and one rejection by `contributor`; now epoch 1. */
async function endedEpochFixture() {
  const f = await poolsFixture();
  await (await f.pools.connect(f.admin).fund(f.datanetId, 0n, 1_000n * OPEN)).wait();
  await decide(f, f.items[0]!.contentHash, true, 90);
  await decide(f, f.items[1]!.contentHash, true, 60);
  await decide(f, f.items[2]!.contentHash, false);
  await networkHelpers.time.increase(DAY);
  return f;
}

/** A second RewardPools over the same datanets, paying in the test token (re-entrant, 2^128 supply). */
async function poolsWithToken(f: ValidatorFixture) {
  const token = await ethers.deployContract("ReentrantToken", [], f.admin);
  const pools = await ethers.deployContract(
    "RewardPools",
    [await token.getAddress(), await f.registry.getAddress(), await f.attestations.getAddress(), f.admin.address, 52, f.admin.address, 0],
    f.admin,
  );
  return { token, pools };
}

describe("RewardPools", function () {
  describe("funding", function () {
    it("takes OPEN for the current or the next epoch only, whose terms are fixed, with their reward split", async function () {
      const { pools, registry, admin, owner, datanetId, policy } = await networkHelpers.loadFixture(poolsFixture);
      await expect(pools.connect(admin).fund(datanetId, 0n, 0n)).to.be.revertedWithCustomError(pools, "ZeroAmount");
      await expect(pools.connect(admin).fund(9n, 0n, OPEN)).to.be.revertedWithCustomError(registry, "DatanetUnknown").withArgs(9n);
      await expect(pools.connect(admin).fund(datanetId, 0n, 10n * OPEN))
        .to.emit(pools, "RewardsFunded")
        .withArgs(datanetId, 0n, admin.address, 10n * OPEN, 10n * OPEN);
      await (await pools.connect(admin).fund(datanetId, 1n, OPEN)).wait();
      // The attack of class 8: a 1-wei deposit into a far epoch used to freeze its split. Now only
      // epochs whose terms are fixed take money, so a deposit fixes nothing.
      await expect(pools.connect(admin).fund(datanetId, 2n, 1n))
        .to.be.revertedWithCustomError(pools, "EpochTermsNotFixed")
        .withArgs(datanetId, 2n, 1n);
      await (await registry.connect(owner).updatePolicy(datanetId, { ...policy, contributorRewardBps: 9_000 })).wait();
      await (await pools.connect(admin).fund(datanetId, 0n, 5n * OPEN)).wait();
      const pool = await pools.poolOf(datanetId, 0n);
      expect([pool.funded, pool.claimed, pool.contributorBps, pool.swept]).to.deep.equal([15n * OPEN, 0n, 8_000n, false]);
      expect((await pools.poolOf(datanetId, 1n)).contributorBps).to.equal(8_000n); // epoch 1's terms were fixed
      await networkHelpers.time.increase(DAY);
      await (await pools.connect(admin).fund(datanetId, 2n, OPEN)).wait(); // now fixed: the new split
      expect((await pools.poolOf(datanetId, 2n)).contributorBps).to.equal(9_000n);
      await expect(pools.connect(admin).fund(datanetId, 0n, OPEN))
        .to.be.revertedWithCustomError(pools, "EpochEnded")
        .withArgs(datanetId, 0n, 1n);
    });

    it("takes funding with an ERC-2612 permit in one transaction", async function () {
      const { pools, token, admin, datanetId } = await networkHelpers.loadFixture(poolsFixture);
      await (await token.connect(admin).approve(await pools.getAddress(), 0n)).wait();
      const { deadline, v, r, s } = await signPermit(admin, token, await pools.getAddress(), 7n * OPEN);
      await expect(pools.connect(admin).fundWithPermit(datanetId, 0n, 7n * OPEN, deadline, v, r, s)).to.emit(pools, "RewardsFunded");
    });
  });

  describe("claims", function () {
    it("pays contributors by points and validators by the stake they put behind accepted work, each epoch once", async function () {
      const f = await networkHelpers.loadFixture(endedEpochFixture);
      const [contributorPoints] = await f.attestations.pointsOf(f.datanetId, 0n, f.contributor.address);
      const [contributorTotal, validatorTotal] = await f.attestations.epochTotals(f.datanetId, 0n);
      expect(contributorPoints).to.equal(contributorTotal);
      const contributorPart = (1_000n * OPEN * 8_000n) / BPS;
      const validatorPart = 1_000n * OPEN - contributorPart;

      expect(await f.pools.claimable(f.datanetId, 0n, f.contributor.address)).to.deep.equal([contributorPart, 0n]);
      const tx = f.pools.connect(f.contributor).claim(f.datanetId, [0n]);
      await expect(tx).to.emit(f.pools, "RewardsClaimed").withArgs(f.datanetId, 0n, f.contributor.address, contributorPart, 0n);
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.contributor, f.pools], [contributorPart, -contributorPart]);

      // Two acceptances by 6,000 OPEN of accepting stake each (validators 5, 3 and 1); the rejection adds nothing.
      expect(validatorTotal).to.equal(WEIGHT(12_000n));
      const [v1, v2] = f.validators;
      // Points are the validator's once it settles its verdicts: before, a claim finds nothing (and
      // marks nothing claimed).
      await expect(f.pools.connect(v1!).claim(f.datanetId, [0n]))
        .to.be.revertedWithCustomError(f.pools, "NothingToClaim")
        .withArgs(f.datanetId, v1!.address);
      await (await f.attestations.settle(v1!.address, [1n, 2n])).wait();
      await expect(f.pools.connect(v1!).claim(f.datanetId, [0n])).to.changeTokenBalance(ethers, f.token, v1!, validatorPart / 6n);
      await (await f.attestations.settle(v2!.address, [1n, 2n, 3n])).wait();
      await expect(f.pools.connect(v2!).claim(f.datanetId, [0n]))
        .to.be.revertedWithCustomError(f.pools, "NothingToClaim")
        .withArgs(f.datanetId, v2!.address);
      await expect(f.pools.connect(f.contributor).claim(f.datanetId, [0n]))
        .to.be.revertedWithCustomError(f.pools, "NothingToClaim")
        .withArgs(f.datanetId, f.contributor.address);
      expect(await f.pools.hasClaimed(f.datanetId, 0n, f.contributor.address)).to.equal(true);
      expect(await f.pools.claimable(f.datanetId, 0n, f.contributor.address)).to.deep.equal([0n, 0n]);
    });

    it("splits a contributor part by points among contributors", async function () {
      const f = await networkHelpers.loadFixture(poolsFixture);
      const other = f.outsider;
      const theirs = item(10n);
      await (await submitOne(f.registry, other, f.datanetId, theirs)).wait();
      await (await f.pools.connect(f.admin).fund(f.datanetId, 0n, 999n)).wait();
      await decide(f, f.items[0]!.contentHash, true, 100);
      await decide(f, theirs.contentHash, true, 40);
      await networkHelpers.time.increase(DAY);
      const [mine] = await f.attestations.pointsOf(f.datanetId, 0n, f.contributor.address);
      const [their] = await f.attestations.pointsOf(f.datanetId, 0n, other.address);
      const part = (999n * 8_000n) / BPS;
      expect((await f.pools.claimable(f.datanetId, 0n, f.contributor.address))[0]).to.equal((part * mine) / (mine + their));
      expect((await f.pools.claimable(f.datanetId, 0n, other.address))[0]).to.equal((part * their) / (mine + their));
      expect(mine > their).to.equal(true);
    });

    it("refuses epochs that have not ended, an empty list, and epochs past their claim window", async function () {
      const f = await networkHelpers.loadFixture(endedEpochFixture);
      await expect(f.pools.connect(f.contributor).claim(f.datanetId, [1n]))
        .to.be.revertedWithCustomError(f.pools, "EpochNotEnded")
        .withArgs(f.datanetId, 1n, 1n);
      await expect(f.pools.connect(f.contributor).claim(f.datanetId, [])).to.be.revertedWithCustomError(f.pools, "NoEpochs");
      await networkHelpers.time.increase(52 * DAY);
      await expect(f.pools.connect(f.contributor).claim(f.datanetId, [0n]))
        .to.be.revertedWithCustomError(f.pools, "ClaimPeriodOver")
        .withArgs(f.datanetId, 0n, 52n);
      expect(await f.pools.claimable(f.datanetId, 0n, f.contributor.address)).to.deep.equal([0n, 0n]);
    });

    it("claims several epochs in one call, skipping ones already claimed", async function () {
      const f = await networkHelpers.loadFixture(poolsFixture);
      for (const epoch of [0n, 1n, 2n]) {
        await (await f.pools.connect(f.admin).fund(f.datanetId, epoch, 100n * OPEN)).wait();
        await decide(f, epoch === 0n ? f.items[0]!.contentHash : await freshItem(f), true);
        await networkHelpers.time.increase(DAY);
      }
      await (await f.pools.connect(f.contributor).claim(f.datanetId, [1n])).wait();
      const share = (100n * OPEN * 8_000n) / BPS;
      await expect(f.pools.connect(f.contributor).claim(f.datanetId, [0n, 1n, 2n])).to.changeTokenBalance(
        ethers,
        f.token,
        f.contributor,
        2n * share,
      );
    });
  });

  describe("expiry", function () {
    it("sweeps unclaimed shares and dust to the treasury once, after the claim window", async function () {
      const f = await networkHelpers.loadFixture(endedEpochFixture);
      await (await f.pools.connect(f.contributor).claim(f.datanetId, [0n])).wait();
      await expect(f.pools.sweep(f.datanetId, 0n))
        .to.be.revertedWithCustomError(f.pools, "ClaimPeriodNotOver")
        .withArgs(f.datanetId, 0n, 52n);
      await networkHelpers.time.increase(52 * DAY);
      const pool = await f.pools.poolOf(f.datanetId, 0n);
      const left = pool.funded - pool.claimed;
      expect(left).to.equal(1_000n * OPEN - (1_000n * OPEN * 8_000n) / BPS);
      const tx = f.pools.sweep(f.datanetId, 0n);
      await expect(tx).to.emit(f.pools, "RewardsSwept").withArgs(f.datanetId, 0n, left, f.admin.address);
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.pools, f.admin], [-left, left]);
      await expect(f.pools.sweep(f.datanetId, 0n))
        .to.be.revertedWithCustomError(f.pools, "PoolAlreadySwept")
        .withArgs(f.datanetId, 0n);
    });
  });

  it("refuses a claim re-entered from the token's transfer, and pays once", async function () {
    const f = await networkHelpers.loadFixture(poolsFixture);
    const { token, pools } = await poolsWithToken(f);
    // The token contract itself contributes, so that it is the claimant its own transfer re-enters for.
    const it = item(10n);
    const salt = randomSalt();
    const commitment = submissionCommitment({
      contributor: (await token.getAddress()) as `0x${string}`,
      datanetId: f.datanetId,
      contentHashes: [it.contentHash],
      salt,
    });
    // It pays the datanet's bond in OPEN like any contributor.
    await (await f.token.connect(f.admin).transfer(await token.getAddress(), 10n * OPEN)).wait();
    await (await token.execute(await f.token.getAddress(), f.token.interface.encodeFunctionData("approve", [await f.registry.getAddress(), 10n * OPEN]))).wait();
    await (await token.execute(await f.registry.getAddress(), f.registry.interface.encodeFunctionData("commitSubmission", [f.datanetId, commitment, 1, it.sizeBytes]))).wait();
    await (
      await token.execute(
        await f.registry.getAddress(),
        f.registry.interface.encodeFunctionData("submit", [f.datanetId, it.contentHash, it.sizeBytes, it.uri, salt]),
      )
    ).wait();
    await (await token.approve(await pools.getAddress(), 1_000n * OPEN)).wait();
    await (await pools.fund(f.datanetId, 0n, 1_000n * OPEN)).wait();
    await decide(f, it.contentHash, true);
    await networkHelpers.time.increase(DAY);

    const claim = pools.interface.encodeFunctionData("claim", [f.datanetId, [0n]]);
    await (await token.arm(await pools.getAddress(), claim)).wait();
    await (await token.execute(await pools.getAddress(), claim)).wait();
    expect(await token.attempted()).to.equal(true);
    expect(await token.innerSucceeded()).to.equal(false);
    expect(await token.innerRevertData()).to.equal(pools.interface.encodeErrorResult("ReentrancyGuardReentrantCall", []));
    const share = (1_000n * OPEN * 8_000n) / BPS;
    expect(await token.balanceOf(await token.getAddress())).to.equal(share);
    expect((await pools.poolOf(f.datanetId, 0n)).claimed).to.equal(share);
  });

  it("class 7: an owner cannot rig an epoch that someone funded, because its terms were fixed before the money came", async function () {
    // The attack: a third party funds the next epoch with 1,000 OPEN; the datanet owner then sets
    // quorum 1, a 1-wei minimum stake, allowlist-only with only its own Sybil listed, and the whole
    // pool to contributors, to accept its Sybil's junk and take the pool.
    const f = await networkHelpers.loadFixture(poolsFixture);
    const { pools, registry, admin: funder, owner, contributor, outsider: sybil, datanetId, policy } = f;
    await (await pools.connect(funder).fund(datanetId, 1n, 1_000n * OPEN)).wait();
    const rigged = { ...policy, quorum: 1, minValidatorStake: 1n, allowlistOnly: true, contributorRewardBps: 10_000 };
    await expect(registry.connect(owner).updatePolicy(datanetId, rigged))
      .to.emit(registry, "DatanetPolicyUpdated")
      .withArgs(datanetId, Object.values(rigged), 2);
    await (await registry.connect(owner).setAllowlisted(datanetId, [sybil.address], true)).wait();
    await (await registry.connect(owner).setAllowlisted(datanetId, [contributor.address], false)).wait();
    await networkHelpers.time.increase(DAY); // epoch 1, the funded one
    const terms = await registry.epochTerms(datanetId, 1n);
    expect([terms.quorum, terms.minValidatorStake, terms.allowlistOnly, terms.contributorRewardBps]).to.deep.equal([3n, policy.minValidatorStake, false, 8_000n]);
    // The honest contributor is not shut out, and the Sybil's junk still faces the funded quorum.
    const junk = item(10n, "junk by the owner's Sybil");
    await (await submitOne(registry, sybil, datanetId, junk)).wait();
    const honest = item(10n);
    await expect(submitOne(registry, contributor, datanetId, honest)).to.emit(registry, "ContributionSubmitted");
    await networkHelpers.time.increase(30 * 60);
    await expect(f.attestations.connect(owner).attest(verdict(junk.contentHash, true, 100)))
      .to.be.revertedWithCustomError(f.attestations, "ValidatorNotActive"); // no stake: the 1-wei minimum is not in force
    await decide(f, junk.contentHash, false);
    await decide(f, honest.contentHash, true, 90);
    await networkHelpers.time.increase(DAY);
    // The Sybil earned nothing; the honest contributor takes the contributors' 80% and the agreeing validators the rest.
    await expect(pools.connect(sybil).claim(datanetId, [1n])).to.be.revertedWithCustomError(pools, "NothingToClaim");
    await expect(pools.connect(contributor).claim(datanetId, [1n])).to.changeTokenBalance(ethers, f.token, contributor, 800n * OPEN);
    expect((await pools.poolOf(datanetId, 1n)).contributorBps).to.equal(8_000n);
  });

  it("pauses funding, claims and sweeps for a bounded time, by PAUSER_ROLE only", async function () {
    const f = await networkHelpers.loadFixture(endedEpochFixture);
    const { pools, admin, contributor, datanetId } = f;
    await expect(pools.connect(contributor).pause(60)).to.be.revertedWithCustomError(pools, "AccessControlUnauthorizedAccount");
    await (await pools.connect(admin).pause(3_600)).wait();
    const until = await pools.pausedUntil();
    for (const call of [
      () => pools.connect(admin).fund(datanetId, 1n, OPEN),
      () => pools.connect(contributor).claim(datanetId, [0n]),
      () => pools.sweep(datanetId, 0n),
    ]) {
      await expect(call()).to.be.revertedWithCustomError(pools, "ContractPaused").withArgs(until);
    }
    await networkHelpers.time.increaseTo(until);
    await expect(pools.connect(contributor).claim(datanetId, [0n])).to.emit(pools, "RewardsClaimed");
  });

  it("refuses a pool beyond 2^104 wei", async function () {
    const f = await networkHelpers.loadFixture(poolsFixture);
    const { token, pools } = await poolsWithToken(f);
    await (await token.approve(await pools.getAddress(), 2n ** 105n)).wait();
    await (await pools.fund(f.datanetId, 0n, 2n ** 104n - 1n)).wait();
    await expect(pools.fund(f.datanetId, 0n, 1n)).to.be.revertedWithCustomError(pools, "PoolTooLarge").withArgs(2n ** 104n);
  });

  it("checks its constructor arguments", async function () {
    const f = await networkHelpers.loadFixture(poolsFixture);
    const factory = await ethers.getContractFactory("RewardPools");
    const [t, r, a, x] = [await f.token.getAddress(), await f.registry.getAddress(), await f.attestations.getAddress(), f.admin.address];
    for (const args of [
      [ZeroAddress, r, a, x, 52, x, 0],
      [t, ZeroAddress, a, x, 52, x, 0],
      [t, r, ZeroAddress, x, 52, x, 0],
      [t, r, a, ZeroAddress, 52, x, 0],
    ] as const) {
      await expect(factory.deploy(...args)).to.be.revertedWithCustomError(factory, "ZeroAddress");
    }
    await expect(factory.deploy(t, r, a, x, 0, x, 0)).to.be.revertedWithCustomError(factory, "InvalidClaimWindow").withArgs(0);
  });
});
