import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress, ZeroHash } from "ethers";
import type { Address } from "viem";

import { qloraSpec, attributionFixture as sharedAttributionFixture } from "./helpers/models.ts";
import { signPermit } from "./helpers/permit.ts";
import { buildMerkleEpoch } from "../sdk/merkle.ts";
import { pinNextBlockTime } from "./helpers/clock.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const OPEN = 10n ** 18n;
const DAY = 24 * 3_600;
const batch = (n: number) => ethers.id(`inference batch ${n}`);

/** Model 1 owned by `bob` (the developer); `carol` is an inference provider holding OPEN. */
const attributionFixture = () => sharedAttributionFixture(connection);

type Fixture = Awaited<ReturnType<typeof attributionFixture>>;

/** The deployment's roles: `admin` administers and attributes, `owner` (its second account) guards. */
const roles = (f: Fixture) => ({ admin: f.admin.address, attributor: f.admin.address, guardian: f.owner.address });

/** Pays `amount` for model 1 in the current epoch, then moves to the next epoch. Returns the paid epoch. */
async function paidEpoch(f: Fixture, amount = 1_000n * OPEN) {
  const epoch = await f.attribution.currentEpoch();
  await (await f.attribution.connect(f.carol).payFees([{ modelId: 1n, amount, inferenceBatchHash: batch(1) }])).wait();
  await networkHelpers.time.increase(DAY);
  return epoch;
}

/** Payouts of the Merkle part of a 1,000 OPEN pool under the default split (70% + 5%). */
function payouts(f: Fixture) {
  return buildMerkleEpoch([
    { account: f.alice.address as Address, amount: 300n * OPEN },
    { account: f.carol.address as Address, amount: 180n * OPEN },
    { account: f.outsider.address as Address, amount: 150n * OPEN },
    { account: f.owner.address as Address, amount: 120n * OPEN },
  ]);
}

describe("ProofOfAttribution", function () {
  describe("fee split", function () {
    it("defaults to 70 / 20 / 5 with the protocol's 5% and a 25% per-recipient cap", async function () {
      const { attribution } = await networkHelpers.loadFixture(attributionFixture);
      const split = await attribution.feeSplitOf(1n);
      expect([split.contributorsBps, split.developerBps, split.validatorsBps, split.maxRecipientBps]).to.deep.equal([7_000n, 2_000n, 500n, 2_500n]);
      expect(await attribution.protocolBps()).to.equal(500n);
    });

    it("lets only the model's owner set it, within bounds, each with its own error", async function () {
      const { attribution, bob, carol } = await networkHelpers.loadFixture(attributionFixture);
      const good = { contributorsBps: 6_000, developerBps: 3_000, validatorsBps: 500, maxRecipientBps: 1_000 };
      await expect(attribution.connect(carol).setFeeSplit(1n, good)).to.be.revertedWithCustomError(attribution, "NotModelOwner").withArgs(1n, carol.address);
      await expect(attribution.connect(bob).setFeeSplit(5n, good)).to.be.revertedWithCustomError(attribution, "UnknownModel").withArgs(5n);
      const cases: [Partial<typeof good>, string, unknown[]][] = [
        [{ contributorsBps: 4_999, developerBps: 4_000, validatorsBps: 501 }, "ContributorShareTooLow", [4_999]],
        [{ contributorsBps: 5_000, developerBps: 4_001, validatorsBps: 499 }, "DeveloperShareTooHigh", [4_001]],
        [{ contributorsBps: 5_000, developerBps: 2_499, validatorsBps: 2_001 }, "ValidatorShareTooHigh", [2_001]],
        [{ contributorsBps: 6_000, developerBps: 3_000, validatorsBps: 501 }, "SplitNotWhole", [10_001]],
        [{ maxRecipientBps: 99 }, "InvalidRecipientCap", [99]],
        [{ maxRecipientBps: 10_001 }, "InvalidRecipientCap", [10_001]],
      ];
      for (const [bad, error, args] of cases) {
        await expect(attribution.connect(bob).setFeeSplit(1n, { ...good, ...bad }), error)
          .to.be.revertedWithCustomError(attribution, error)
          .withArgs(...args);
      }
      await expect(attribution.connect(bob).setFeeSplit(1n, good)).to.emit(attribution, "FeeSplitSet");
      expect((await attribution.feeSplitOf(1n)).developerBps).to.equal(3_000n);
    });
  });

  describe("fees", function () {
    it("takes single and batched payments tagged with their inference batch, moving the token once", async function () {
      const { attribution, token, carol, bob, factory } = await networkHelpers.loadFixture(attributionFixture);
      await (await factory.connect(bob).registerModel(1n, "second", qloraSpec())).wait();
      const epoch = await attribution.currentEpoch();
      await expect(attribution.connect(carol).payFees([{ modelId: 1n, amount: 10n * OPEN, inferenceBatchHash: batch(1) }]))
        .to.emit(attribution, "InferenceFeesPaid")
        .withArgs(1n, epoch, carol.address, 10n * OPEN, batch(1), 10n * OPEN);
      const payments = [
        { modelId: 1n, amount: 5n * OPEN, inferenceBatchHash: batch(2) },
        { modelId: 2n, amount: 7n * OPEN, inferenceBatchHash: batch(3) },
        { modelId: 1n, amount: 1n * OPEN, inferenceBatchHash: batch(4) },
      ];
      const tx = attribution.connect(carol).payFees(payments);
      await expect(tx).to.emit(attribution, "InferenceFeesPaid").withArgs(1n, epoch, carol.address, 1n * OPEN, batch(4), 16n * OPEN);
      await expect(tx).to.changeTokenBalances(ethers, token, [carol, attribution], [-13n * OPEN, 13n * OPEN]);
      const receipt = await (await tx).wait();
      const transfers = receipt!.logs.filter((l) => l.address === token.target && token.interface.parseLog(l)?.name === "Transfer");
      expect(transfers.length).to.equal(1);
      expect((await attribution.feePool(1n, epoch)).fees).to.equal(16n * OPEN);
      expect((await attribution.feePool(2n, epoch)).fees).to.equal(7n * OPEN);
    });

    it("refuses empty batches, tiny fees, untagged payments and unknown models, changing nothing", async function () {
      const { attribution, carol } = await networkHelpers.loadFixture(attributionFixture);
      await expect(attribution.connect(carol).payFees([])).to.be.revertedWithCustomError(attribution, "NoPayments");
      await expect(attribution.connect(carol).payFees([{ modelId: 1n, amount: 9_999n, inferenceBatchHash: batch(1) }]))
        .to.be.revertedWithCustomError(attribution, "FeeTooSmall")
        .withArgs(9_999n, 10_000n);
      await expect(attribution.connect(carol).payFees([{ modelId: 1n, amount: OPEN, inferenceBatchHash: ZeroHash }])).to.be.revertedWithCustomError(
        attribution,
        "EmptyInferenceBatch",
      );
      await expect(
        attribution.connect(carol).payFees([
          { modelId: 1n, amount: OPEN, inferenceBatchHash: batch(1) },
          { modelId: 9n, amount: OPEN, inferenceBatchHash: batch(2) },
        ]),
      )
        .to.be.revertedWithCustomError(attribution, "UnknownModel")
        .withArgs(9n);
      expect((await attribution.feePool(1n, await attribution.currentEpoch())).fees).to.equal(0n);
    });

    it("refuses a pool beyond 2^128 − 1 wei", async function () {
      const f = await networkHelpers.loadFixture(attributionFixture);
      const { admin, deployment } = f;
      const big = await ethers.deployContract("ReentrantToken", [], admin);
      const attribution = await ethers.deployContract(
        "ProofOfAttribution",
        [await big.getAddress(), deployment.contracts.modelFactory, deployment.contracts.merkleEpochDistributor, admin.address, roles(f), 500, DAY, DAY, 0],
        admin,
      );
      await (await big.approve(await attribution.getAddress(), 2n ** 128n)).wait();
      const max = 2n ** 128n - 1n;
      await expect(
        attribution.payFees([
          { modelId: 1n, amount: max - 5_000n, inferenceBatchHash: batch(1) },
          { modelId: 1n, amount: 10_000n, inferenceBatchHash: batch(2) },
        ]),
      )
        .to.be.revertedWithCustomError(attribution, "PoolTooLarge")
        .withArgs(max + 5_000n);
    });

    it("takes a batch with an ERC-2612 permit for its sum", async function () {
      const { attribution, token, carol } = await networkHelpers.loadFixture(attributionFixture);
      await (await token.connect(carol).approve(await attribution.getAddress(), 0n)).wait();
      const payments = [
        { modelId: 1n, amount: 2n * OPEN, inferenceBatchHash: batch(1) },
        { modelId: 1n, amount: 3n * OPEN, inferenceBatchHash: batch(2) },
      ];
      const { deadline, v, r, s } = await signPermit(carol, token, await attribution.getAddress(), 5n * OPEN);
      await expect(attribution.connect(carol).payFeesWithPermit(payments, deadline, v, r, s)).to.changeTokenBalance(
        ethers,
        token,
        carol,
        -5n * OPEN,
      );
    });

    it("fixes an epoch's split at its first payment: a later change applies from the next epoch", async function () {
      const f = await networkHelpers.loadFixture(attributionFixture);
      const first = await f.attribution.currentEpoch();
      await (await f.attribution.connect(f.carol).payFees([{ modelId: 1n, amount: OPEN, inferenceBatchHash: batch(1) }])).wait();
      await (await f.attribution.connect(f.bob).setFeeSplit(1n, { contributorsBps: 5_000, developerBps: 4_000, validatorsBps: 500, maxRecipientBps: 10_000 })).wait();
      await (await f.attribution.connect(f.carol).payFees([{ modelId: 1n, amount: OPEN, inferenceBatchHash: batch(2) }])).wait();
      expect((await f.attribution.feePool(1n, first)).split.developerBps).to.equal(2_000n);
      await networkHelpers.time.increase(DAY);
      await expect(f.attribution.connect(f.carol).payFees([{ modelId: 1n, amount: OPEN, inferenceBatchHash: batch(3) }])).to.emit(
        f.attribution,
        "FeePoolOpened",
      );
      expect((await f.attribution.feePool(1n, first + 1n)).split.developerBps).to.equal(4_000n);
      const parts = await f.attribution.splitAmounts(1n, first);
      expect([parts.contributors, parts.developer, parts.validators, parts.protocol]).to.deep.equal([
        14n * OPEN / 10n,
        4n * OPEN / 10n,
        OPEN / 10n,
        OPEN / 10n,
      ]);
    });
  });

  describe("proposals, challenges and release", function () {
    it("lets only an attributor propose for an ended epoch with fees, within the data's share", async function () {
      const f = await networkHelpers.loadFixture(attributionFixture);
      const { attribution, outsider } = f;
      const built = payouts(f);
      const current = await attribution.currentEpoch();
      await expect(attribution.connect(outsider).proposeAttribution(1n, 0n, built.root, built.total, ZeroHash))
        .to.be.revertedWithCustomError(attribution, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await attribution.ATTRIBUTOR_ROLE());
      await expect(attribution.proposeAttribution(1n, current, built.root, built.total, ZeroHash))
        .to.be.revertedWithCustomError(attribution, "AttributionEpochNotEnded")
        .withArgs(current, current);
      const epoch = await paidEpoch(f);
      await expect(attribution.proposeAttribution(2n, epoch, built.root, built.total, ZeroHash))
        .to.be.revertedWithCustomError(attribution, "NoFees")
        .withArgs(2n, epoch);
      await expect(attribution.proposeAttribution(1n, epoch, ZeroHash, built.total, ZeroHash)).to.be.revertedWithCustomError(attribution, "EmptyAttribution");
      await expect(attribution.proposeAttribution(1n, epoch, built.root, 0n, ZeroHash)).to.be.revertedWithCustomError(attribution, "EmptyAttribution");
      await expect(attribution.proposeAttribution(1n, epoch, built.root, 750n * OPEN + 1n, ZeroHash))
        .to.be.revertedWithCustomError(attribution, "MerkleTotalExceedsShare")
        .withArgs(750n * OPEN + 1n, 750n * OPEN);
      const proposedAt = await pinNextBlockTime(networkHelpers.time);
      const challengeEndsAt = proposedAt + 2 * DAY;
      await expect(attribution.proposeAttribution(1n, epoch, built.root, built.total, ethers.id("records")))
        .to.emit(attribution, "AttributionProposed")
        .withArgs(1n, epoch, (await ethers.getSigners())[0]!.address, built.root, built.total, ethers.id("records"), challengeEndsAt);
      await expect(attribution.proposeAttribution(1n, epoch, built.root, built.total, ZeroHash))
        .to.be.revertedWithCustomError(attribution, "AttributionNotOpen")
        .withArgs(1n, epoch, 1);
    });

    it("lets a guardian reject within the window only, after which a new proposal may follow", async function () {
      const f = await networkHelpers.loadFixture(attributionFixture);
      const { attribution, outsider } = f;
      const built = payouts(f);
      const epoch = await paidEpoch(f);
      const guardian = attribution.connect(f.owner);
      await expect(guardian.rejectAttribution(1n, epoch, ethers.id("wrong"))).to.be.revertedWithCustomError(attribution, "NoProposal").withArgs(1n, epoch);
      await (await attribution.proposeAttribution(1n, epoch, built.root, built.total, ZeroHash)).wait();
      // The attributor cannot approve its own proposal by rejecting rivals: it is not the guardian.
      for (const who of [outsider, f.admin]) {
        await expect(attribution.connect(who).rejectAttribution(1n, epoch, ethers.id("wrong")))
          .to.be.revertedWithCustomError(attribution, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, await attribution.GUARDIAN_ROLE());
      }
      await expect(guardian.rejectAttribution(1n, epoch, ethers.id("wrong")))
        .to.emit(attribution, "AttributionRejected")
        .withArgs(1n, epoch, f.owner.address, ethers.id("wrong"));
      await expect(attribution.releaseAttribution(1n, epoch)).to.be.revertedWithCustomError(attribution, "NoProposal");
      await (await attribution.proposeAttribution(1n, epoch, built.root, built.total, ZeroHash)).wait();
      const { challengeEndsAt } = await attribution.feePool(1n, epoch);
      await networkHelpers.time.increaseTo(challengeEndsAt);
      await expect(guardian.rejectAttribution(1n, epoch, ethers.id("late")))
        .to.be.revertedWithCustomError(attribution, "ChallengeWindowOver")
        .withArgs(1n, epoch, challengeEndsAt);
    });

    it("refuses a release re-entered from the token's transfer, and releases once", async function () {
      const f = await networkHelpers.loadFixture(attributionFixture);
      const { admin, deployment } = f;
      const reentrant = await ethers.deployContract("ReentrantToken", [], admin);
      const distributor = await ethers.deployContract("MerkleEpochDistributor", [await reentrant.getAddress(), admin.address, 365 * DAY], admin);
      const attribution = await ethers.deployContract(
        "ProofOfAttribution",
        [await reentrant.getAddress(), deployment.contracts.modelFactory, await distributor.getAddress(), admin.address, roles(f), 500, DAY, DAY, 0],
        admin,
      );
      await (await reentrant.approve(await attribution.getAddress(), 1_000n * OPEN)).wait();
      const epoch = await attribution.currentEpoch();
      await (await attribution.payFees([{ modelId: 1n, amount: 1_000n * OPEN, inferenceBatchHash: batch(1) }])).wait();
      await networkHelpers.time.increase(DAY);
      const built = payouts(f);
      await (await attribution.proposeAttribution(1n, epoch, built.root, built.total, ethers.id("records"))).wait();
      await networkHelpers.time.increase(DAY);
      // The distributor's pull of the Merkle total out of the attribution contract calls back into it.
      await (await reentrant.arm(await attribution.getAddress(), attribution.interface.encodeFunctionData("releaseAttribution", [1n, epoch]))).wait();
      await expect(attribution.releaseAttribution(1n, epoch)).to.emit(attribution, "AttributionReleased");
      expect(await reentrant.attempted()).to.equal(true);
      expect(await reentrant.innerSucceeded()).to.equal(false);
      expect(await reentrant.innerRevertData()).to.equal(attribution.interface.encodeErrorResult("ReentrancyGuardReentrantCall", []));
      expect((await attribution.feePool(1n, epoch)).status).to.equal(3n);
    });

    it("releases after the window: the root's contract funded, the developer credited, the rest to the treasury, all equal to the fees", async function () {
      const f = await networkHelpers.loadFixture(attributionFixture);
      const { attribution, distributor, token, admin, bob, alice } = f;
      const built = payouts(f); // 750 OPEN would be the whole data share; the root pays 750 exactly
      const epoch = await paidEpoch(f);
      await (await attribution.proposeAttribution(1n, epoch, built.root, built.total, ethers.id("records"))).wait();
      const { challengeEndsAt } = await attribution.feePool(1n, epoch);
      await expect(attribution.releaseAttribution(1n, epoch))
        .to.be.revertedWithCustomError(attribution, "ChallengeWindowOpen")
        .withArgs(1n, epoch, challengeEndsAt);
      await networkHelpers.time.increaseTo(challengeEndsAt);
      const poolId = await attribution.poolIdOf(1n);
      expect(poolId).to.equal(BigInt(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [await attribution.getAddress(), 1n]))));
      const epochContract = await attribution.releaseAttribution.staticCall(1n, epoch);
      const tx = attribution.releaseAttribution(1n, epoch);
      // The cap is 25% of the 750 OPEN data share.
      await expect(tx)
        .to.emit(attribution, "AttributionReleased")
        .withArgs(1n, epoch, epochContract, built.total, 1875n * OPEN / 10n, bob.address, 200n * OPEN, 50n * OPEN);
      await expect(tx).to.changeTokenBalances(ethers, token, [attribution, epochContract, admin], [-800n * OPEN, 750n * OPEN, 50n * OPEN]);
      // The distributor names the contract that posted and paid, not the account that sent the transaction.
      const receipt = await (await tx).wait();
      const posted = receipt!.logs.map((log) => distributor.interface.parseLog(log)).find((event) => event?.name === "RootPosted");
      expect(posted!.args.poster).to.equal(await attribution.getAddress());
      expect(await distributor.epochContract(await attribution.getAddress(), poolId, epoch)).to.equal(epochContract);
      expect(await attribution.earningsOf(bob.address)).to.equal(200n * OPEN);
      expect((await attribution.feePool(1n, epoch)).status).to.equal(3n);
      await expect(attribution.releaseAttribution(1n, epoch)).to.be.revertedWithCustomError(attribution, "NoProposal");
      await expect(attribution.proposeAttribution(1n, epoch, built.root, built.total, ZeroHash))
        .to.be.revertedWithCustomError(attribution, "AttributionNotOpen")
        .withArgs(1n, epoch, 3);

      // Claims: Alice's 300 OPEN is above the 187.5 OPEN cap; the others are paid.
      const merkleEpoch = await ethers.getContractAt("MerkleEpoch", epochContract);
      const claimOf = (account: string) => built.claim(built.leaves.find((l) => l.account === account)!.index);
      const c = claimOf(f.carol.address);
      await expect(merkleEpoch.claim(c.index, c.account, c.amount, c.proof)).to.changeTokenBalance(ethers, token, f.carol, c.amount);
      const a = claimOf(alice.address);
      await expect(merkleEpoch.claim(a.index, a.account, a.amount, a.proof))
        .to.be.revertedWithCustomError(merkleEpoch, "LeafAboveCap")
        .withArgs(a.index, a.amount, 1875n * OPEN / 10n);

      await expect(attribution.connect(bob).withdrawEarnings()).to.changeTokenBalance(ethers, token, bob, 200n * OPEN);
      await expect(attribution.connect(bob).withdrawEarnings()).to.be.revertedWithCustomError(attribution, "NothingToWithdraw").withArgs(bob.address);
      expect(await token.balanceOf(await attribution.getAddress())).to.equal(0n);
    });

    it("sends what a root leaves of the data's share to the treasury", async function () {
      const f = await networkHelpers.loadFixture(attributionFixture);
      const built = buildMerkleEpoch([{ account: f.alice.address as Address, amount: 100n * OPEN }]);
      const epoch = await paidEpoch(f);
      await (await f.attribution.proposeAttribution(1n, epoch, built.root, built.total, ZeroHash)).wait();
      await networkHelpers.time.increase(2 * DAY);
      const tx = f.attribution.releaseAttribution(1n, epoch);
      // 50 protocol + (750 − 100) unassigned; the cap is capped at the root's total.
      await expect(tx).to.emit(f.attribution, "AttributionReleased").withArgs(1n, epoch, (a: string) => a !== ZeroAddress, 100n * OPEN, 100n * OPEN, f.bob.address, 200n * OPEN, 700n * OPEN);
      await expect(tx).to.changeTokenBalance(ethers, f.token, f.admin, 700n * OPEN);
    });
  });

  describe("fees nobody attributes, and pauses", function () {
    it("sends an epoch's fees to the treasury once its attribution deadline has passed without a release", async function () {
      const f = await networkHelpers.loadFixture(attributionFixture);
      const { attribution, token, admin, outsider } = f;
      const epoch = await paidEpoch(f);
      const lastEpoch = epoch + (await attribution.ATTRIBUTION_DEADLINE_EPOCHS());
      await expect(attribution.connect(outsider).sweepUnattributed(1n, epoch))
        .to.be.revertedWithCustomError(attribution, "AttributionDeadlineNotReached")
        .withArgs(1n, epoch, lastEpoch);
      await expect(attribution.sweepUnattributed(1n, epoch + 1n)).to.be.revertedWithCustomError(attribution, "NoFees");
      // A rejected proposal does not hold the fees forever either.
      const built = payouts(f);
      await (await attribution.proposeAttribution(1n, epoch, built.root, built.total, ZeroHash)).wait();
      await (await attribution.connect(f.owner).rejectAttribution(1n, epoch, ethers.id("wrong"))).wait();
      const genesis = await attribution.genesis();
      // The last second of the last epoch in which it could still be released:
      await networkHelpers.time.setNextBlockTimestamp(genesis + (lastEpoch + 1n) * BigInt(DAY) - 1n);
      await expect(attribution.connect(outsider).sweepUnattributed(1n, epoch)).to.be.revertedWithCustomError(
        attribution,
        "AttributionDeadlineNotReached",
      );
      await networkHelpers.time.increaseTo(genesis + (lastEpoch + 1n) * BigInt(DAY)); // the first second after
      const tx = attribution.connect(outsider).sweepUnattributed(1n, epoch); // anyone may
      await expect(tx).to.emit(attribution, "UnattributedFeesSwept").withArgs(1n, epoch, 1_000n * OPEN, admin.address);
      await expect(tx).to.changeTokenBalances(ethers, token, [attribution, admin], [-1_000n * OPEN, 1_000n * OPEN]);
      expect((await attribution.feePool(1n, epoch)).status).to.equal(4n);
      for (const call of [
        () => attribution.sweepUnattributed(1n, epoch),
        () => attribution.proposeAttribution(1n, epoch, built.root, built.total, ZeroHash),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(attribution, "AttributionNotOpen").withArgs(1n, epoch, 4);
      }
    });

    it("cannot sweep fees whose attribution is waiting or released", async function () {
      const f = await networkHelpers.loadFixture(attributionFixture);
      const { attribution } = f;
      const epoch = await paidEpoch(f);
      const built = payouts(f);
      await (await attribution.proposeAttribution(1n, epoch, built.root, built.total, ZeroHash)).wait();
      await networkHelpers.time.increase(40 * DAY);
      await expect(attribution.sweepUnattributed(1n, epoch)).to.be.revertedWithCustomError(attribution, "AttributionNotOpen").withArgs(1n, epoch, 1);
      await (await attribution.releaseAttribution(1n, epoch)).wait();
      await expect(attribution.sweepUnattributed(1n, epoch)).to.be.revertedWithCustomError(attribution, "AttributionNotOpen").withArgs(1n, epoch, 3);
    });

    it("pauses payments, proposals, releases, withdrawals and sweeps for a bounded time", async function () {
      const f = await networkHelpers.loadFixture(attributionFixture);
      const { attribution, admin } = f;
      const epoch = await paidEpoch(f);
      const built = payouts(f);
      await (await attribution.proposeAttribution(1n, epoch, built.root, built.total, ZeroHash)).wait();
      await (await attribution.connect(admin).pause(3_600)).wait();
      const until = await attribution.pausedUntil();
      for (const call of [
        () => attribution.connect(f.carol).payFees([{ modelId: 1n, amount: OPEN, inferenceBatchHash: batch(2) }]),
        () => attribution.proposeAttribution(1n, epoch + 1n, built.root, built.total, ZeroHash),
        () => attribution.releaseAttribution(1n, epoch),
        () => attribution.connect(f.bob).withdrawEarnings(),
        () => attribution.sweepUnattributed(1n, epoch),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(attribution, "ContractPaused").withArgs(until);
      }
      await networkHelpers.time.increaseTo(until);
      await networkHelpers.time.increase(2 * DAY); // the challenge window
      await expect(attribution.releaseAttribution(1n, epoch)).to.emit(attribution, "AttributionReleased");
    });
  });

  it("checks its constructor arguments, and never lets one account be attributor and guardian", async function () {
    const f = await networkHelpers.loadFixture(attributionFixture);
    const { admin, deployment } = f;
    const factory = await ethers.getContractFactory("ProofOfAttribution");
    const { openToken, modelFactory, merkleEpochDistributor } = deployment.contracts;
    const a = admin.address;
    const good = [openToken, modelFactory, merkleEpochDistributor, a, roles(f), 500, DAY, DAY, 0] as const;
    for (let i = 0; i < 4; i++) {
      const args = [...good] as unknown[];
      args[i] = ZeroAddress;
      await expect(factory.deploy(...(args as Parameters<typeof factory.deploy>))).to.be.revertedWithCustomError(factory, "ZeroAddress");
    }
    for (const field of ["attributor", "guardian"] as const) {
      const args = [...good] as unknown[];
      args[4] = { ...roles(f), [field]: ZeroAddress };
      await expect(factory.deploy(...(args as Parameters<typeof factory.deploy>))).to.be.revertedWithCustomError(factory, "ZeroAddress");
    }
    const same = [...good] as unknown[];
    same[4] = { ...roles(f), guardian: a };
    await expect(factory.deploy(...(same as Parameters<typeof factory.deploy>)))
      .to.be.revertedWithCustomError(factory, "RoleConflict")
      .withArgs(ethers.id("GUARDIAN_ROLE"), a);
    // Nor can the admin hand both roles to one account later, in either order.
    const { attribution } = f;
    await expect(attribution.connect(admin).grantRole(await attribution.GUARDIAN_ROLE(), a))
      .to.be.revertedWithCustomError(attribution, "RoleConflict")
      .withArgs(await attribution.GUARDIAN_ROLE(), a);
    await expect(attribution.connect(admin).grantRole(await attribution.ATTRIBUTOR_ROLE(), f.owner.address))
      .to.be.revertedWithCustomError(attribution, "RoleConflict")
      .withArgs(await attribution.ATTRIBUTOR_ROLE(), f.owner.address);
    for (const [index, value] of [[5, 1_001], [6, 3_599], [6, 366 * DAY + 1], [7, 3_599], [7, 30 * DAY + 1]] as const) {
      const args = [...good] as unknown[];
      args[index] = value;
      await expect(factory.deploy(...(args as Parameters<typeof factory.deploy>))).to.be.revertedWithCustomError(factory, "InvalidConfiguration");
    }
    // Each bound itself is allowed.
    for (const [index, value] of [[5, 1_000], [6, 3_600], [6, 366 * DAY], [7, 3_600], [7, 30 * DAY]] as const) {
      const args = [...good] as unknown[];
      args[index] = value;
      await (await factory.deploy(...(args as Parameters<typeof factory.deploy>))).waitForDeployment();
    }
  });
});
