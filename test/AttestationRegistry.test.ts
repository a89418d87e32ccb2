import { expect } from "chai";
import { network } from "hardhat";
import { Signature, ZeroAddress } from "ethers";

import { contributorPoints, reputationScore } from "../sdk/reputation.ts";
import { REVEAL_WINDOW, item, submitMany } from "./helpers/registry.ts";
import {
  BOND,
  ENTRY_PATHS,
  MIN_STAKE,
  OPEN,
  pastWindow,
  SIGNED_VERDICT_TYPE,
  signVerdict,
  validatorFixture,
  type EntryPath,
  type VerdictInput,
} from "./helpers/validators.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const fixture = () => validatorFixture(connection);

const Status = { Pending: 1n, Accepted: 2n, Rejected: 3n, Withdrawn: 4n, Expired: 5n, Displaced: 6n };
/** A policy change applies two epochs (of one day here) after it is made. */
const TERMS_DELAY = 2 * 24 * 3_600;
/** Stake weight of an amount of OPEN: units of 1e15 wei. */
const WEIGHT = (openAmount: bigint) => (openAmount * OPEN) / 10n ** 15n;
/** 80% of a rejected contribution's bond goes to its rejecting validators. */
const VALIDATORS_SHARE = (BOND * 8_000n) / 10_000n;
const verdict = (contentHash: string, accept: boolean, quality = 80, reasonCode = 7): VerdictInput => ({
  contentHash,
  accept,
  quality,
  reasonCode,
});

const Skip = { AlreadyAttested: 0n, NotPending: 1n, VotingClosed: 2n, ValidatorNotActive: 3n, StaleSignature: 4n };
type F = Awaited<ReturnType<typeof fixture>>;

/** New contributions by the fixture's contributor, revealed now; their verdicts open after the reveal window. */
async function fresh(f: F, count = 1, open = true) {
  const items = Array.from({ length: count }, () => item(10n));
  await (await submitMany(f.registry, f.contributor, f.datanetId, items)).wait();
  if (open) await networkHelpers.time.increase(REVEAL_WINDOW);
  return items.map((i) => i.contentHash);
}

/**
 * A verdict the chain has moved past: a direct verdict reverts with the named error; in a batch
 * (own or signed) it is skipped with `VerdictSkipped`, so the rest of a relayer's batch still counts.
 */
async function expectMovedPast(
  f: F,
  path: EntryPath,
  tx: Promise<unknown>,
  error: "ContributionNotPending" | "AlreadyAttested" | "VotingClosed" | "ValidatorNotActive",
  args: unknown[],
  validator: string,
  contentHash = args[0],
) {
  if (path === "direct") {
    await expect(tx).to.be.revertedWithCustomError(f.attestations, error).withArgs(...args);
  } else {
    await expect(tx)
      .to.emit(f.attestations, "VerdictSkipped")
      .withArgs(contentHash, validator, Skip[error === "ContributionNotPending" ? "NotPending" : error])
      .and.not.to.emit(f.attestations, "VerdictRecorded");
  }
}

describe("AttestationRegistry", function () {
  // One behaviour suite, run for each entry point: direct, batch, and signed through an aggregator.
  for (const path of Object.keys(ENTRY_PATHS) as EntryPath[]) {
    const give = ENTRY_PATHS[path];

    describe(`verdicts through ${path}`, function () {
      it("records a verdict with the validator's stake weight at the snapshot", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const [v1] = f.validators;
        const hash = f.items[0]!.contentHash;
        const submitter = path === "signed" ? f.outsider.address : v1!.address;
        await expect(give(f, v1!, [verdict(hash, true, 80, 7)]))
          .to.emit(f.attestations, "VerdictRecorded")
          .withArgs(hash, v1!.address, f.datanetId, 1n, true, 80, 7, WEIGHT(1_000n), submitter);
        const { revealedAt } = await f.registry.getContribution(hash);
        const tally = await f.attestations.tallyOf(1n);
        expect([tally.acceptWeight, tally.rejectWeight, tally.acceptQualityWeight, tally.verdicts]).to.deep.equal([
          WEIGHT(1_000n),
          0n,
          WEIGHT(1_000n) * 80n,
          1n,
        ]);
        expect([tally.eligibleWeight, tally.outcome, tally.datanetId, tally.snapshotAt]).to.deep.equal([
          WEIGHT(8_000n),
          Status.Pending,
          f.datanetId,
          revealedAt - 1n,
        ]);
        expect(await f.attestations.hasAttested(hash, v1!.address)).to.equal(true);
        expect(await f.attestations.hasAttested(hash, f.validators[1]!.address)).to.equal(false);
        expect(await f.attestations.verdictOf(1n, v1!.address)).to.deep.equal([true, true, false]);
        expect((await f.registry.getContribution(hash)).status).to.equal(Status.Pending);
      });

      it("lets stake decide, not the first movers: three small verdicts do not close it, the large one does", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const [v1, v2, v3, v4, v5] = f.validators;
        const hash = f.items[0]!.contentHash;
        // Quorum 3 is met by three 1,000-OPEN acceptances, but 3,000 of 8,000 eligible cannot settle a
        // two-thirds threshold: the contribution stays open for the rest of the stake.
        for (const v of [v1!, v2!, v4!]) await give(f, v, [verdict(hash, true)]);
        expect((await f.registry.getContribution(hash)).status).to.equal(Status.Pending);
        // The 3,000-OPEN rejection leaves at most 5,000 of 8,000 to accept: below two-thirds, so it closes.
        await expect(give(f, v5!, [verdict(hash, false, 0, 3)]))
          .to.emit(f.attestations, "ValidationClosed")
          .withArgs(hash, 1n, f.datanetId, f.contributor.address, Status.Rejected, 0, WEIGHT(3_000n), WEIGHT(3_000n), WEIGHT(8_000n), 4, 0, 0, VALIDATORS_SHARE)
          .and.to.emit(f.registry, "ContributionFinalized")
          .withArgs(1n, f.datanetId, f.contributor.address, Status.Rejected, 0n, BOND);
        expect((await f.attestations.reputationOf(f.datanetId, f.contributor.address)).rejected).to.equal(1n);
        await expectMovedPast(f, path, give(f, v3!, [verdict(hash, true)]), "ContributionNotPending", [hash, Status.Rejected], v3!.address);
      });

      it("closes accepted as soon as the accepting stake reaches the threshold of all eligible stake", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const [v1, , v3, , v5] = f.validators;
        const hash = f.items[0]!.contentHash;
        await give(f, v5!, [verdict(hash, true, 90)]);
        await give(f, v3!, [verdict(hash, true, 60)]);
        // 6,000 of 8,000 eligible accept: two-thirds whatever the other 2,000 do. Quality
        // (3,000·90 + 2,000·60 + 1,000·60) / 6,000 = 75.
        await expect(give(f, v1!, [verdict(hash, true, 60)]))
          .to.emit(f.attestations, "ValidationClosed")
          .withArgs(hash, 1n, f.datanetId, f.contributor.address, Status.Accepted, 75, WEIGHT(6_000n), 0n, WEIGHT(8_000n), 3, 0, contributorPoints(75, reputationScore(1n, 0n, 75n)), 0n)
          .and.to.emit(f.registry, "ContributionFinalized")
          .withArgs(1n, f.datanetId, f.contributor.address, Status.Accepted, 1n, BOND);
        for (const datanet of [f.datanetId, 0n]) {
          const rep = await f.attestations.reputationOf(datanet, f.contributor.address);
          expect([rep.accepted, rep.rejected, rep.qualitySum]).to.deep.equal([1n, 0n, 75n]);
        }
        expect(await f.registry.creditOf(f.contributor.address)).to.equal(BOND);
        const tally = await f.attestations.tallyOf(1n);
        expect([tally.outcome, tally.epoch, tally.acceptQualityWeight]).to.deep.equal([Status.Accepted, 0n, 0n]);
      });

      it("rejects a quality above 100", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        await expect(give(f, f.validators[0]!, [verdict(f.items[0]!.contentHash, true, 101)]))
          .to.be.revertedWithCustomError(f.attestations, "InvalidQuality")
          .withArgs(101);
      });

      it("refuses a verdict on the validator's own contribution", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const [v1] = f.validators;
        const own = item(5n);
        await (await f.token.connect(v1!).approve(await f.registry.getAddress(), BOND)).wait();
        await (await submitMany(f.registry, v1!, f.datanetId, [own])).wait();
        await networkHelpers.time.increase(REVEAL_WINDOW);
        await expect(give(f, v1!, [verdict(own.contentHash, true)]))
          .to.be.revertedWithCustomError(f.attestations, "SelfAttestation")
          .withArgs(own.contentHash, v1!.address);
      });

      it("opens verdicts only after the reveal window, and refuses withdrawn and unknown contributions", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const [hash, withdrawn] = await fresh(f, 2, false);
        const { votingOpensAt } = await f.registry.getContribution(hash!);
        await expect(give(f, f.validators[0]!, [verdict(hash!, true)]))
          .to.be.revertedWithCustomError(f.attestations, "VotingNotOpen")
          .withArgs(hash, votingOpensAt);
        await (await f.registry.connect(f.contributor).withdraw(withdrawn!)).wait();
        await networkHelpers.time.increaseTo(votingOpensAt);
        await expectMovedPast(f, path, give(f, f.validators[0]!, [verdict(withdrawn!, false)]), "ContributionNotPending", [withdrawn, Status.Withdrawn], f.validators[0]!.address);
        const unknown = ethers.id("never submitted");
        await expect(give(f, f.validators[0]!, [verdict(unknown, false)]))
          .to.be.revertedWithCustomError(f.registry, "ContributionUnknown")
          .withArgs(unknown);
      });

      it("closes verdicts at the end of the window", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const hash = f.items[0]!.contentHash;
        const { votingEndsAt } = await f.registry.getContribution(hash);
        await networkHelpers.time.increaseTo(votingEndsAt);
        await expectMovedPast(f, path, give(f, f.validators[0]!, [verdict(hash, true)]), "VotingClosed", [hash, votingEndsAt], f.validators[0]!.address);
      });

      it("weighs only stake bonded before the reveal, and only from validators still bonded", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const hash = f.items[0]!.contentHash;
        // In a batch, a verdict its validator can no longer back is skipped, not fatal to the rest.
        const refused = (v: { address: string }, args: unknown[], tx: Promise<unknown>) =>
          expectMovedPast(f, path, tx, "ValidatorNotActive", [f.datanetId, v.address, ...args], v.address, hash);
        await refused(f.lazy, [0n, 0n, MIN_STAKE], give(f, f.lazy, [verdict(hash, true)]));
        // Staking after seeing the content does not count on it.
        await (await f.staking.connect(f.lazy).stake(f.datanetId, 5_000n * OPEN)).wait();
        await refused(f.lazy, [0n, 5_000n * OPEN, MIN_STAKE], give(f, f.lazy, [verdict(hash, true)]));
        const [v1, v2] = f.validators;
        await (await f.staking.connect(v1!).requestUnbond(f.datanetId)).wait();
        await refused(v1!, [MIN_STAKE, 0n, MIN_STAKE], give(f, v1!, [verdict(hash, true)]));
        // Slashed below its snapshot stake, a validator would weigh more than it can lose: refused.
        await (await f.staking.connect(f.admin).slash(f.datanetId, v2!.address, OPEN, ethers.id("incident"))).wait();
        await refused(v2!, [MIN_STAKE, MIN_STAKE - OPEN, MIN_STAKE], give(f, v2!, [verdict(hash, true)]));
      });

      it("needs one whole weight unit of stake, even where the datanet's minimum is lower", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const unit = await f.attestations.WEIGHT_UNIT();
        await (await f.registry.connect(f.owner).updatePolicy(f.datanetId, { ...f.policy, minValidatorStake: 1n })).wait();
        await networkHelpers.time.increase(TERMS_DELAY);
        await (await f.staking.connect(f.lazy).stake(f.datanetId, unit - 1n)).wait();
        const [below] = await fresh(f, 1, false);
        await (await f.staking.connect(f.lazy).stake(f.datanetId, 1n)).wait();
        const [whole] = await fresh(f);
        // The 1-wei minimum is frozen into each contribution rounded up to one whole unit.
        expect((await f.registry.getContribution(below!)).minValidatorStake).to.equal(unit);
        await expectMovedPast(f, path, give(f, f.lazy, [verdict(below!, true)]), "ValidatorNotActive", [f.datanetId, f.lazy.address, unit - 1n, unit, unit], f.lazy.address, below);
        const submitter = path === "signed" ? f.outsider.address : f.lazy.address;
        const id = await f.registry.contributionIdOf(whole!);
        await expect(give(f, f.lazy, [verdict(whole!, true, 80, 7)]))
          .to.emit(f.attestations, "VerdictRecorded")
          .withArgs(whole, f.lazy.address, f.datanetId, id, true, 80, 7, 1n, submitter);
      });

      it("takes one verdict per validator per contribution", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const [v1] = f.validators;
        const hash = f.items[1]!.contentHash;
        await give(f, v1!, [verdict(hash, true)]);
        await expectMovedPast(f, path, give(f, v1!, [verdict(hash, false)]), "AlreadyAttested", [hash, v1!.address], v1!.address);
        expect((await f.attestations.tallyOf(2n)).verdicts).to.equal(1n);
      });
    });
  }

  describe("batches", function () {
    it("judges many contributions in one transaction, and refuses empty batches", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1] = f.validators;
      const verdicts = f.items.slice(0, 4).map((it, i) => verdict(it.contentHash, i % 2 === 0, 50 + i));
      const receipt = await (await f.attestations.connect(v1!).attestBatch(verdicts)).wait();
      const events = receipt!.logs.map((l) => f.attestations.interface.parseLog(l)).filter((e) => e?.name === "VerdictRecorded");
      expect(events.map((e) => e!.args.contentHash)).to.deep.equal(verdicts.map((v) => v.contentHash));
      await expect(f.attestations.connect(v1!).attestBatch([])).to.be.revertedWithCustomError(f.attestations, "EmptyBatch");
      await expect(f.attestations.connect(v1!).attestSigned([])).to.be.revertedWithCustomError(f.attestations, "EmptyBatch");
      await expect(f.attestations.finalizeBatch([])).to.be.revertedWithCustomError(f.attestations, "EmptyBatch");
      await expect(f.attestations.settle(v1!.address, [])).to.be.revertedWithCustomError(f.attestations, "EmptyBatch");
    });

    it("aggregates signed verdicts of several validators into one closing transaction", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, , v3, , v5] = f.validators;
      const hash = f.items[2]!.contentHash;
      const signed = [
        await signVerdict(f, v5!, verdict(hash, false, 0, 3)),
        await signVerdict(f, v3!, verdict(hash, false, 0, 3)),
        await signVerdict(f, v1!, verdict(hash, true, 40)),
      ];
      // 5,000 of 8,000 reject: at most 3,000 could still accept.
      await expect(f.attestations.connect(f.outsider).attestSigned(signed))
        .to.emit(f.attestations, "ValidationClosed")
        .withArgs(hash, 3n, f.datanetId, f.contributor.address, Status.Rejected, 0, WEIGHT(1_000n), WEIGHT(5_000n), WEIGHT(8_000n), 3, 0, 0, VALIDATORS_SHARE);
      expect((await f.attestations.reputationOf(f.datanetId, f.contributor.address)).rejected).to.equal(1n);
    });
  });

  describe("closing after the window", function () {
    it("expires a contribution fewer than quorum validators judged, refunding its bond", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const hash = f.items[0]!.contentHash;
      await (await f.attestations.connect(f.validators[0]!).attest(verdict(hash, false))).wait();
      const { votingEndsAt } = await f.registry.getContribution(hash);
      await expect(f.attestations.finalize(hash))
        .to.be.revertedWithCustomError(f.attestations, "VotingStillOpen")
        .withArgs(hash, votingEndsAt);
      await networkHelpers.time.increaseTo(votingEndsAt);
      await expect(f.attestations.connect(f.outsider).finalize(hash))
        .to.emit(f.attestations, "ValidationClosed")
        .withArgs(hash, 1n, f.datanetId, f.contributor.address, Status.Expired, 0, 0n, WEIGHT(1_000n), WEIGHT(8_000n), 1, 0, 0, 0n)
        .and.to.emit(f.registry, "ContributionFinalized")
        .withArgs(1n, f.datanetId, f.contributor.address, Status.Expired, 0n, BOND);
      expect(await f.registry.creditOf(f.contributor.address)).to.equal(BOND);
      const rep = await f.attestations.reputationOf(f.datanetId, f.contributor.address);
      expect([rep.accepted, rep.rejected]).to.deep.equal([0n, 0n]);
      await expect(f.attestations.finalize(hash))
        .to.be.revertedWithCustomError(f.attestations, "ContributionNotPending")
        .withArgs(hash, Status.Expired);
      // A batch skips what is already closed and closes the rest, including contributions nobody judged.
      await expect(f.attestations.finalizeBatch([hash, f.items[1]!.contentHash]))
        .to.emit(f.attestations, "VerdictSkipped")
        .withArgs(hash, ZeroAddress, Skip.NotPending)
        .and.to.emit(f.attestations, "ValidationClosed")
        .withArgs(f.items[1]!.contentHash, 2n, f.datanetId, f.contributor.address, Status.Expired, 0, 0n, 0n, 0n, 0, 0, 0, 0n);
    });

    it("decides by the stake-weighted majority of the verdicts cast, and rejects a tie", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, , v3, v4] = f.validators;
      const [passes, ties] = [f.items[0]!.contentHash, f.items[1]!.contentHash];
      // 3,000 accept against 1,000: 75% of the verdict stake, though far from two-thirds of all 8,000.
      for (const [v, accept] of [[v1!, true], [v3!, true], [v4!, false]] as const) {
        await (await f.attestations.connect(v).attest(verdict(passes, accept, 80))).wait();
      }
      // 2,000 accept against 2,000: a tie is not a majority.
      for (const [v, accept] of [[v1!, true], [v4!, true], [v3!, false]] as const) {
        await (await f.attestations.connect(v).attest(verdict(ties, accept))).wait();
      }
      await pastWindow(connection, f, passes);
      await expect(f.attestations.finalizeBatch([passes, ties]))
        .to.emit(f.attestations, "ValidationClosed")
        .withArgs(passes, 1n, f.datanetId, f.contributor.address, Status.Accepted, 80, WEIGHT(3_000n), WEIGHT(1_000n), WEIGHT(8_000n), 3, 0, contributorPoints(80, reputationScore(1n, 0n, 80n)), 0n)
        .and.to.emit(f.attestations, "ValidationClosed")
        .withArgs(ties, 2n, f.datanetId, f.contributor.address, Status.Rejected, 0, WEIGHT(2_000n), WEIGHT(2_000n), WEIGHT(8_000n), 3, 0, 0, VALIDATORS_SHARE);
    });

    it("accepts at exactly the threshold, and rejects one weight unit of stake below it", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, v2, v3] = f.validators;
      await (await f.registry.connect(f.owner).updatePolicy(f.datanetId, { ...f.policy, acceptanceThresholdBps: 7_500 })).wait();
      await networkHelpers.time.increase(TERMS_DELAY);
      const judge = async (hash: string) => {
        await (await f.attestations.connect(v1!).attest(verdict(hash, true, 100))).wait();
        await (await f.attestations.connect(v2!).attest(verdict(hash, false))).wait();
        await (await f.attestations.connect(v3!).attest(verdict(hash, true, 100))).wait();
      };
      const [exact] = await fresh(f);
      await judge(exact!);
      // v3 loses one weight unit before the next reveal: 2,999.999 + 1,000 of 3,999.999 is below 75%.
      await (await f.staking.connect(f.admin).slash(f.datanetId, v3!.address, 10n ** 15n, ethers.id("incident"))).wait();
      const [below] = await fresh(f);
      await judge(below!);
      await pastWindow(connection, f, below!);
      await (await f.attestations.finalizeBatch([exact!, below!])).wait();
      expect((await f.registry.getContribution(exact!)).status).to.equal(Status.Accepted);
      expect((await f.registry.getContribution(below!)).status).to.equal(Status.Rejected);
    });
  });

  describe("terms and replays", function () {
    it("judges a contribution by the terms frozen at its reveal: a later policy change decides nothing", async function () {
      // The attack: after a reveal, the owner schedules a 100% threshold and a larger quorum, so that its
      // own small rejection decides a contribution whose window outlasts the change.
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, , v3, , v5] = f.validators;
      await (await f.registry.connect(f.owner).updatePolicy(f.datanetId, { ...f.policy, validationWindow: 3 * 24 * 3_600 })).wait();
      await networkHelpers.time.increase(TERMS_DELAY);
      const [hash] = await fresh(f);
      await (await f.registry.connect(f.owner).updatePolicy(f.datanetId, { ...f.policy, acceptanceThresholdBps: 10_000, quorum: 5 })).wait();
      await networkHelpers.time.increase(TERMS_DELAY);
      expect((await f.registry.validationSettings(f.datanetId)).acceptanceThresholdBps).to.equal(10_000n);
      const frozen = await f.registry.getContribution(hash!);
      expect([frozen.quorum, frozen.acceptanceThresholdBps, frozen.minValidatorStake]).to.deep.equal([3n, 6_667n, MIN_STAKE]);
      for (const v of [v5!, v3!]) await (await f.attestations.connect(v).attest(verdict(hash!, true))).wait();
      await expect(f.attestations.connect(v1!).attest(verdict(hash!, true)))
        .to.emit(f.attestations, "ValidationClosed")
        .withArgs(hash, frozen.id, f.datanetId, f.contributor.address, Status.Accepted, 80, WEIGHT(6_000n), 0n, WEIGHT(8_000n), 3, 4, contributorPoints(80, reputationScore(1n, 0n, 80n)), 0n);
    });

    it("binds a signed verdict to its contribution: it cannot count on the same content submitted again", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, , v3, , v5] = f.validators;
      const hash = f.items[0]!.contentHash;
      const old = await signVerdict(f, v1!, verdict(hash, false, 0, 3), { deadline: BigInt(await networkHelpers.time.latest()) + 30n * 24n * 3_600n });
      for (const v of [v5!, v3!, v1!]) await (await f.attestations.connect(v).attest(verdict(hash, false, 0))).wait();
      expect((await f.registry.getContribution(hash)).status).to.equal(Status.Rejected);
      // Its contributor submits it again (its own, so within the grace after the window too).
      await (await submitMany(f.registry, f.contributor, f.datanetId, [f.items[0]!])).wait();
      await networkHelpers.time.increase(REVEAL_WINDOW);
      expect((await f.registry.getContribution(hash)).id).to.equal(7n);
      await expect(f.attestations.connect(f.outsider).attestSigned([old]))
        .to.be.revertedWithCustomError(f.attestations, "InvalidSignature")
        .withArgs(v1!.address);
    });

    it("stops verdicts while the protocol is paused", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await (await f.registry.connect(f.admin).setProtocolPaused(true)).wait();
      await expect(f.attestations.connect(f.validators[0]!).attest(verdict(f.items[0]!.contentHash, true)))
        .to.be.revertedWithCustomError(f.registry, "ProtocolPaused");
      await (await f.registry.connect(f.admin).setProtocolPaused(false)).wait();
      await expect(f.attestations.connect(f.validators[0]!).attest(verdict(f.items[0]!.contentHash, true))).to.emit(f.attestations, "VerdictRecorded");
    });
  });

  describe("settlement", function () {
    it("pays stake for accepting accepted work and a stake share of the forfeited bond for rejecting rejected work", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, v2, v3, , v5] = f.validators;
      const [good, junk] = [f.items[0]!.contentHash, f.items[1]!.contentHash];
      await (await f.attestations.connect(v2!).attest(verdict(good, false))).wait();
      for (const v of [v5!, v3!, v1!]) await (await f.attestations.connect(v).attest(verdict(good, true))).wait();
      await (await f.attestations.connect(v5!).attest(verdict(junk, false, 0))).wait();
      await (await f.attestations.connect(v3!).attest(verdict(junk, false, 0))).wait();
      await (await f.attestations.connect(v1!).attest(verdict(junk, true))).wait();
      expect((await f.registry.getContribution(junk)).status).to.equal(Status.Rejected);
      // The rejected bond: 20% to the treasury, 80% held for the 5,000 of rejecting stake.
      expect(await f.registry.creditOf(await f.registry.treasury())).to.equal(BOND - VALIDATORS_SHARE);
      expect(await f.attestations.forfeitOf(2n)).to.equal(VALIDATORS_SHARE);
      expect(await f.attestations.epochTotals(f.datanetId, 0n)).to.deep.equal([
        contributorPoints(80, reputationScore(1n, 0n, 80n)),
        WEIGHT(6_000n),
      ]);

      await expect(f.attestations.connect(f.outsider).settle(v5!.address, [1n, 2n]))
        .to.emit(f.attestations, "VerdictSettled")
        .withArgs(1n, v5!.address, f.datanetId, true, WEIGHT(3_000n), 0n, 0)
        .and.to.emit(f.attestations, "VerdictSettled")
        .withArgs(2n, v5!.address, f.datanetId, true, 0n, (VALIDATORS_SHARE * 3n) / 5n, 0);
      expect(await f.attestations.pointsOf(f.datanetId, 0n, v5!.address)).to.deep.equal([0n, WEIGHT(3_000n)]);
      expect(await f.registry.creditOf(v5!.address)).to.equal((VALIDATORS_SHARE * 3n) / 5n);
      expect(await f.attestations.settle.staticCall(v1!.address, [1n, 2n])).to.deep.equal([WEIGHT(1_000n), 0n]);
      await (await f.attestations.settle(v1!.address, [1n, 2n])).wait();
      await (await f.attestations.settle(v2!.address, [1n])).wait();
      await (await f.attestations.settle(v3!.address, [1n, 2n])).wait();
      const agreement = async (v: { address: string }) => {
        const a = await f.attestations.agreementOf(f.datanetId, v.address);
        return [a.agreed, a.disagreed];
      };
      expect([await agreement(v1!), await agreement(v2!), await agreement(v3!), await agreement(v5!)]).to.deep.equal([
        [1n, 1n],
        [0n, 1n],
        [2n, 0n],
        [2n, 0n],
      ]);
      // Settled points add up to the epoch's validator total; shares to at most what was forfeited.
      let settled = 0n;
      for (const v of [v1!, v2!, v3!, v5!]) settled += (await f.attestations.pointsOf(f.datanetId, 0n, v.address))[1];
      expect(settled).to.equal(WEIGHT(6_000n));
      expect(await f.registry.creditOf(v3!.address)).to.equal((VALIDATORS_SHARE * 2n) / 5n);
      expect(await f.registry.creditOf(await f.attestations.getAddress())).to.equal(0n);

      // Settling again pays nothing; verdicts never given or not closed cannot be settled.
      expect(await f.attestations.settle.staticCall(v5!.address, [1n, 2n])).to.deep.equal([0n, 0n]);
      await expect(f.attestations.settle(v2!.address, [2n]))
        .to.be.revertedWithCustomError(f.attestations, "NotAttested")
        .withArgs(2n, v2!.address);
      await (await f.attestations.connect(v1!).attest(verdict(f.items[2]!.contentHash, true))).wait();
      await expect(f.attestations.settle(v1!.address, [3n]))
        .to.be.revertedWithCustomError(f.attestations, "NotClosed")
        .withArgs(3n);

      const before = await f.token.balanceOf(v5!.address);
      await (await f.registry.connect(v5!).withdrawCredit()).wait();
      expect((await f.token.balanceOf(v5!.address)) - before).to.equal((VALIDATORS_SHARE * 3n) / 5n);
    });

    it("files points by the epoch a contribution closed in, whenever they are settled", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, , v3, , v5] = f.validators;
      const accept = async (hash: string, quality: number) => {
        for (const v of [v5!, v3!, v1!]) await (await f.attestations.connect(v).attest(verdict(hash, true, quality))).wait();
      };
      await accept(f.items[0]!.contentHash, 90);
      await networkHelpers.time.increase(24 * 3_600);
      const [later] = await fresh(f);
      await accept(later!, 60);
      // v1 settles the later contribution (epoch 1) first, then the earlier one (epoch 0).
      await (await f.attestations.settle(v1!.address, [7n])).wait();
      await (await f.attestations.settle(v1!.address, [1n])).wait();
      expect(await f.attestations.pointsOf(f.datanetId, 0n, v1!.address)).to.deep.equal([0n, WEIGHT(1_000n)]);
      expect(await f.attestations.pointsOf(f.datanetId, 1n, v1!.address)).to.deep.equal([0n, WEIGHT(1_000n)]);
      const epoch0 = contributorPoints(90, reputationScore(1n, 0n, 90n));
      const epoch1 = contributorPoints(60, reputationScore(2n, 0n, 150n));
      expect(await f.attestations.pointsOf(f.datanetId, 0n, f.contributor.address)).to.deep.equal([epoch0, 0n]);
      expect(await f.attestations.pointsOf(f.datanetId, 1n, f.contributor.address)).to.deep.equal([epoch1, 0n]);
      expect(await f.attestations.epochTotals(f.datanetId, 1n)).to.deep.equal([epoch1, WEIGHT(6_000n)]);
      expect(await f.attestations.pointsOf(f.datanetId, 2n, v1!.address)).to.deep.equal([0n, 0n]);
    });
  });

  describe("signed verdicts cannot be replayed or forged", function () {
    it("counts once: submitted again it is skipped, and the tally does not move", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const s = await signVerdict(f, f.validators[0]!, verdict(f.items[0]!.contentHash, true));
      await (await f.attestations.attestSigned([s])).wait();
      const before = await f.attestations.tallyOf(1n);
      await expect(f.attestations.attestSigned([s]))
        .to.emit(f.attestations, "VerdictSkipped")
        .withArgs(s.verdict.contentHash, s.validator, Skip.AlreadyAttested);
      expect(await f.attestations.tallyOf(1n)).to.deep.equal(before);
    });

    it("a copied verdict cannot sink a relayer's batch: the copy lands first, the batch still counts the rest", async function () {
      // The attack: someone watching the mempool copies one signed verdict out of a relayer's pending
      // batch and lands it first. Before, the whole batch reverted on AlreadyAttested.
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, v2] = f.validators;
      const batch = [
        await signVerdict(f, v1!, verdict(f.items[0]!.contentHash, true)),
        await signVerdict(f, v2!, verdict(f.items[0]!.contentHash, true)),
        await signVerdict(f, v1!, verdict(f.items[1]!.contentHash, false, 0, 2)),
      ];
      await (await f.attestations.connect(f.outsider).attestSigned([batch[1]!])).wait(); // the copier
      const tx = f.attestations.connect(f.contributor).attestSigned(batch); // the relayer
      await expect(tx)
        .to.emit(f.attestations, "VerdictSkipped")
        .withArgs(f.items[0]!.contentHash, v2!.address, Skip.AlreadyAttested);
      const receipt = await (await tx).wait();
      const recorded = receipt!.logs.map((l) => f.attestations.interface.parseLog(l)).filter((e) => e?.name === "VerdictRecorded");
      expect(recorded.map((e) => [e!.args.contentHash, e!.args.validator])).to.deep.equal([
        [f.items[0]!.contentHash, v1!.address],
        [f.items[1]!.contentHash, v1!.address],
      ]);
      expect((await f.attestations.tallyOf(1n)).verdicts).to.equal(2n);
    });

    it("expires at its deadline", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const deadline = BigInt(await networkHelpers.time.latest()) + 10n;
      const s = await signVerdict(f, f.validators[0]!, verdict(f.items[0]!.contentHash, true), { deadline });
      await networkHelpers.time.increaseTo(deadline + 1n);
      await expect(f.attestations.attestSigned([s]))
        .to.be.revertedWithCustomError(f.attestations, "SignatureExpired")
        .withArgs(s.validator, deadline);
    });

    const staleCases: [string, number, (f: F) => Promise<unknown>][] = [
      ["the validator cancelled its signatures", 0, async (f) => (await f.staking.connect(f.validators[0]!).invalidateSignatures(f.datanetId)).wait()],
      [
        "the validator unbonded, even after staking again",
        0,
        async (f) => {
          const v = f.validators[0]!;
          await (await f.staking.connect(v).requestUnbond(f.datanetId)).wait();
          await networkHelpers.time.increase(8 * 24 * 3_600);
          await (await f.staking.connect(v).withdraw(f.datanetId)).wait();
          await (await f.staking.connect(v).stake(f.datanetId, MIN_STAKE)).wait();
        },
      ],
      [
        "the validator was slashed, even while still above the minimum",
        4,
        async (f) => (await f.staking.connect(f.admin).slash(f.datanetId, f.validators[4]!.address, OPEN, ethers.id("incident"))).wait(),
      ],
    ];
    for (const [name, index, act] of staleCases) {
      it(`stops counting once ${name}`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const validator = f.validators[index]!;
        const deadline = BigInt(await networkHelpers.time.latest()) + 30n * 24n * 3_600n;
        await act(f);
        // Signed with the generation before the event, on a contribution revealed after it.
        const [hash] = await fresh(f);
        const s = await signVerdict(f, validator, verdict(hash!, true), { deadline, generation: 0n });
        // Skipped, not fatal: a signer voiding its signature cannot sink the relayer's batch.
        await expect(f.attestations.attestSigned([s]))
          .to.emit(f.attestations, "VerdictSkipped")
          .withArgs(hash, validator.address, Skip.StaleSignature)
          .and.not.to.emit(f.attestations, "VerdictRecorded");
      });
    }

    it("refuses a signature by anyone but the named validator", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, v2] = f.validators;
      const forged = { ...(await signVerdict(f, v2!, verdict(f.items[0]!.contentHash, true))), validator: v1!.address };
      await expect(f.attestations.attestSigned([forged]))
        .to.be.revertedWithCustomError(f.attestations, "InvalidSignature")
        .withArgs(v1!.address);
    });

    it("refuses a signature made for another chain or another deployment", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1] = f.validators;
      const v = verdict(f.items[0]!.contentHash, true);
      for (const domain of [{ chainId: 10n }, { verifyingContract: await f.registry.getAddress() }]) {
        const s = await signVerdict(f, v1!, v, { domain });
        await expect(f.attestations.attestSigned([s]))
          .to.be.revertedWithCustomError(f.attestations, "InvalidSignature")
          .withArgs(v1!.address);
      }
    });

    it("refuses a malleable (high-s) copy of a valid signature, and garbage", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1] = f.validators;
      const s = await signVerdict(f, v1!, verdict(f.items[0]!.contentHash, true));
      const sig = Signature.from(s.signature);
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const highS = ethers.concat([sig.r, ethers.toBeHex(n - BigInt(sig.s), 32), ethers.toBeHex(sig.v === 27 ? 28 : 27, 1)]);
      for (const signature of [highS, "0x1234"]) {
        await expect(f.attestations.attestSigned([{ ...s, signature }]))
          .to.be.revertedWithCustomError(f.attestations, "InvalidSignature")
          .withArgs(v1!.address);
      }
      expect(await f.attestations.verdictDigest(s.verdict, 1n, s.generation, s.deadline)).to.equal(
        ethers.TypedDataEncoder.hash(
          { name: "OpenLedger Attestations", version: "1", chainId: 31337n, verifyingContract: await f.attestations.getAddress() },
          { Verdict: [...SIGNED_VERDICT_TYPE] },
          { ...s.verdict, contributionId: 1n, generation: s.generation, deadline: s.deadline },
        ),
      );
    });
  });

  describe("tally words reserved at commit", function () {
    it("has each commitment reserve its items' tally words, so the first verdict costs what a later one does", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, v2] = f.validators;
      // Ids 7 and 8: their words were written by the commitment, and read as an empty tally until judged.
      const [first, second] = await fresh(f, 2);
      const empty = await f.attestations.tallyOf(7n);
      expect([empty.acceptWeight, empty.rejectWeight, empty.verdicts, empty.eligibleWeight, empty.outcome, empty.snapshotAt]).to.deep.equal([0n, 0n, 0n, 0n, 0n, 0n]);
      // v1's and v2's first verdicts both create their verdict-bitmap words; the tally word exists
      // already, so the first verdict on a contribution costs no more than the second (it used to be
      // ~20,000 gas more: a new storage slot).
      const gasOf = async (tx: Promise<{ wait: () => Promise<{ gasUsed: bigint } | null> }>) => (await (await tx).wait())!.gasUsed;
      const firstVerdict = await gasOf(f.attestations.connect(v1!).attest(verdict(first!, true)));
      const secondVerdict = await gasOf(f.attestations.connect(v2!).attest(verdict(first!, true)));
      expect(firstVerdict - secondVerdict < 3_000n, `first ${firstVerdict}, second ${secondVerdict}`).to.equal(true);
      // The eligible stake is read when it decides something; until then the view reads it for you.
      expect((await f.attestations.tallyOf(7n)).eligibleWeight).to.equal(WEIGHT(8_000n));
      expect((await f.attestations.tallyOf(8n)).eligibleWeight).to.equal(0n);
      expect(second).to.not.equal(first);
    });

    it("reserves only for its registry", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.attestations.connect(f.outsider).reserveTallies(1n))
        .to.be.revertedWithCustomError(f.attestations, "NotRegistry")
        .withArgs(f.outsider.address);
      expect(await f.attestations.registry()).to.equal(await f.registry.getAddress());
    });

    it("closes an expired contribution with the eligible stake of its snapshot, or none without verdicts", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1] = f.validators;
      const [judged, unjudged] = await fresh(f, 2);
      await (await f.attestations.connect(v1!).attest(verdict(judged!, true))).wait();
      await pastWindow(connection, f, unjudged!);
      for (const [hash, eligible, verdicts] of [[judged!, WEIGHT(8_000n), 1n], [unjudged!, 0n, 0n]] as const) {
        const { id } = await f.registry.getContribution(hash);
        const receipt = await (await f.attestations.finalize(hash)).wait();
        const closed = receipt!.logs.map((l) => f.attestations.interface.parseLog(l)).find((l) => l?.name === "ValidationClosed")!;
        expect([closed.args.outcome, closed.args.acceptWeight, closed.args.eligibleWeight, closed.args.verdicts]).to.deep.equal([
          Status.Expired,
          verdicts === 0n ? 0n : WEIGHT(1_000n),
          eligible,
          verdicts,
        ]);
        expect((await f.attestations.tallyOf(id)).eligibleWeight).to.equal(eligible);
      }
    });
  });

  it("checks its constructor arguments", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const factory = await ethers.getContractFactory("AttestationRegistry");
    for (const args of [
      [ZeroAddress, await f.staking.getAddress()],
      [await f.registry.getAddress(), ZeroAddress],
    ] as const) {
      await expect(factory.deploy(...args)).to.be.revertedWithCustomError(factory, "ZeroAddressArgument");
    }
  });
});
