import { expect } from "chai";
import { network } from "hardhat";
import { Signature, ZeroAddress } from "ethers";

import { VERDICT_TYPES } from "../sdk/actions/validators.ts";
import { contributorPoints, reputationScore } from "../sdk/reputation.ts";
import { commit, item } from "./helpers/registry.ts";
import {
  ENTRY_PATHS,
  MIN_STAKE,
  OPEN,
  signVerdict,
  validatorFixture,
  type EntryPath,
  type VerdictInput,
} from "./helpers/validators.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const fixture = () => validatorFixture(connection);

const Status = { Pending: 1n, Accepted: 2n, Rejected: 3n, Withdrawn: 4n };
/** A policy change applies two epochs (of one day here) after it is made. */
const TERMS_DELAY = 2 * 24 * 3_600;
const WEIGHT = (openAmount: bigint) => (openAmount * OPEN) / 10n ** 12n;
/** The points of a first acceptance at quality 70, by the SDK's independent port of the formula. */
const FIRST_AT_70 = contributorPoints(70, reputationScore(1n, 0n, 70n));
const verdict = (contentHash: string, accept: boolean, quality = 80, reasonCode = 7): VerdictInput => ({
  contentHash,
  accept,
  quality,
  reasonCode,
});

const Skip = { AlreadyAttested: 0n, NotPending: 1n };

/**
 * A verdict the chain has moved past: a direct verdict reverts with the named error; in a batch
 * (own or signed) it is skipped with `VerdictSkipped`, so the rest of a relayer's batch still counts.
 */
async function expectMovedPast(
  f: Awaited<ReturnType<typeof fixture>>,
  path: EntryPath,
  tx: Promise<unknown>,
  error: "ContributionNotPending" | "AlreadyAttested",
  args: unknown[],
  validator: string,
) {
  if (path === "direct") {
    await expect(tx).to.be.revertedWithCustomError(f.attestations, error).withArgs(...args);
  } else {
    await expect(tx)
      .to.emit(f.attestations, "VerdictSkipped")
      .withArgs(args[0], validator, error === "AlreadyAttested" ? Skip.AlreadyAttested : Skip.NotPending)
      .and.not.to.emit(f.attestations, "VerdictRecorded");
  }
}

describe("AttestationRegistry", function () {
  // One behaviour suite, run for each entry point: direct, batch, and signed through an aggregator.
  for (const path of Object.keys(ENTRY_PATHS) as EntryPath[]) {
    const give = ENTRY_PATHS[path];

    describe(`verdicts through ${path}`, function () {
      it("records a verdict with the validator's stake weight", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const [v1] = f.validators;
        const hash = f.items[0]!.contentHash;
        const submitter = path === "signed" ? f.outsider.address : v1!.address;
        await expect(give(f, v1!, [verdict(hash, true, 80, 7)]))
          .to.emit(f.attestations, "VerdictRecorded")
          .withArgs(hash, v1!.address, f.datanetId, true, 80, 7, WEIGHT(1_000n), submitter);
        const tally = await f.attestations.tallyOf(hash);
        expect([tally.acceptWeight, tally.rejectWeight, tally.acceptQualityWeight, tally.verdicts]).to.deep.equal([
          WEIGHT(1_000n),
          0n,
          WEIGHT(1_000n) * 80n,
          1n,
        ]);
        expect(await f.attestations.hasAttested(hash, v1!.address)).to.equal(true);
        expect(await f.attestations.hasAttested(hash, f.validators[1]!.address)).to.equal(false);
        expect((await f.registry.getContribution(hash)).status).to.equal(Status.Pending);
      });

      it("finalizes at quorum: outcome by stake, quality the weighted mean of acceptances", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const [v1, v2, v3] = f.validators;
        const hash = f.items[0]!.contentHash;
        await give(f, v1!, [verdict(hash, true, 90)]);
        await give(f, v2!, [verdict(hash, false, 10)]);
        // 3,000 of 4,000 staked OPEN accept: 75% >= 66.67%. Quality (1,000·90 + 2,000·60) / 3,000 = 70.
        await expect(give(f, v3!, [verdict(hash, true, 60)]))
          .to.emit(f.attestations, "QuorumReached")
          .withArgs(hash, f.datanetId, f.contributor.address, true, 70, WEIGHT(3_000n), WEIGHT(1_000n), 3, 0, FIRST_AT_70)
          .and.to.emit(f.registry, "ContributionFinalized")
          .withArgs(1n, f.datanetId, f.contributor.address, Status.Accepted, 1n);
        expect((await f.registry.getContribution(hash)).status).to.equal(Status.Accepted);
        for (const datanet of [f.datanetId, 0n]) {
          const rep = await f.attestations.reputationOf(datanet, f.contributor.address);
          expect([rep.accepted, rep.rejected, rep.qualitySum]).to.deep.equal([1n, 0n, 70n]);
          expect(rep.score).to.be.greaterThan(0n);
        }
        const agreement = async (i: number) => {
          const a = await f.attestations.agreementOf(f.datanetId, f.validators[i]!.address);
          return [a.agreed, a.disagreed];
        };
        expect([await agreement(0), await agreement(1), await agreement(2)]).to.deep.equal([
          [1n, 0n],
          [0n, 1n],
          [1n, 0n],
        ]);
        await expectMovedPast(f, path, give(f, f.validators[3]!, [verdict(hash, true)]), "ContributionNotPending", [hash, Status.Accepted], f.validators[3]!.address);
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
        const salt = await commit(f.registry, v1!, f.datanetId, [own]);
        await (await f.registry.connect(v1!).submit(f.datanetId, own.contentHash, own.sizeBytes, own.uri, salt)).wait();
        await expect(give(f, v1!, [verdict(own.contentHash, true)]))
          .to.be.revertedWithCustomError(f.attestations, "SelfAttestation")
          .withArgs(own.contentHash, v1!.address);
      });

      it("refuses withdrawn and unknown contributions", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const withdrawn = f.items[5]!.contentHash;
        await (await f.registry.connect(f.contributor).withdraw(withdrawn)).wait();
        await expectMovedPast(f, path, give(f, f.validators[0]!, [verdict(withdrawn, false)]), "ContributionNotPending", [withdrawn, Status.Withdrawn], f.validators[0]!.address);
        const unknown = ethers.id("never submitted");
        await expect(give(f, f.validators[0]!, [verdict(unknown, false)]))
          .to.be.revertedWithCustomError(f.registry, "ContributionUnknown")
          .withArgs(unknown);
      });

      it("refuses validators without enough bonded stake", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const hash = f.items[0]!.contentHash;
        await expect(give(f, f.lazy, [verdict(hash, true)]))
          .to.be.revertedWithCustomError(f.attestations, "ValidatorNotActive")
          .withArgs(f.datanetId, f.lazy.address, 0n, MIN_STAKE);
        await (await f.staking.connect(f.lazy).stake(f.datanetId, MIN_STAKE - 1n)).wait();
        await expect(give(f, f.lazy, [verdict(hash, true)]))
          .to.be.revertedWithCustomError(f.attestations, "ValidatorNotActive")
          .withArgs(f.datanetId, f.lazy.address, MIN_STAKE - 1n, MIN_STAKE);
        const [v1] = f.validators;
        await (await f.staking.connect(v1!).requestUnbond(f.datanetId)).wait();
        await expect(give(f, v1!, [verdict(hash, true)]))
          .to.be.revertedWithCustomError(f.attestations, "ValidatorNotActive")
          .withArgs(f.datanetId, v1!.address, 0n, MIN_STAKE);
      });

      it("needs one whole weight unit of stake, even where the datanet's minimum is lower", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const unit = await f.attestations.WEIGHT_UNIT();
        await (await f.registry.connect(f.owner).updatePolicy(f.datanetId, { ...f.policy, minValidatorStake: 1n })).wait();
        await networkHelpers.time.increase(TERMS_DELAY);
        const hash = f.items[0]!.contentHash;
        await (await f.staking.connect(f.lazy).stake(f.datanetId, unit - 1n)).wait();
        await expect(give(f, f.lazy, [verdict(hash, true)]))
          .to.be.revertedWithCustomError(f.attestations, "ValidatorNotActive")
          .withArgs(f.datanetId, f.lazy.address, unit - 1n, 1n);
        await (await f.staking.connect(f.lazy).stake(f.datanetId, 1n)).wait();
        const submitter = path === "signed" ? f.outsider.address : f.lazy.address;
        await expect(give(f, f.lazy, [verdict(hash, true, 80, 7)]))
          .to.emit(f.attestations, "VerdictRecorded")
          .withArgs(hash, f.lazy.address, f.datanetId, true, 80, 7, 1n, submitter);
      });

      it("takes one verdict per validator per contribution", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const [v1] = f.validators;
        const hash = f.items[1]!.contentHash;
        await give(f, v1!, [verdict(hash, true)]);
        await expectMovedPast(f, path, give(f, v1!, [verdict(hash, false)]), "AlreadyAttested", [hash, v1!.address], v1!.address);
        expect((await f.attestations.tallyOf(hash)).verdicts).to.equal(1n);
      });
    });
  }

  describe("batches", function () {
    it("judges many contributions in one transaction, and refuses an empty batch", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1] = f.validators;
      const verdicts = f.items.slice(0, 4).map((it, i) => verdict(it.contentHash, i % 2 === 0, 50 + i));
      const receipt = await (await f.attestations.connect(v1!).attestBatch(verdicts)).wait();
      const events = receipt!.logs.map((l) => f.attestations.interface.parseLog(l)).filter((e) => e?.name === "VerdictRecorded");
      expect(events.map((e) => e!.args.contentHash)).to.deep.equal(verdicts.map((v) => v.contentHash));
      await expect(f.attestations.connect(v1!).attestBatch([])).to.be.revertedWithCustomError(f.attestations, "EmptyBatch");
      await expect(f.attestations.connect(v1!).attestSigned([])).to.be.revertedWithCustomError(f.attestations, "EmptyBatch");
    });

    it("aggregates signed verdicts of several validators into one finalizing transaction", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, v2, v3] = f.validators;
      const hash = f.items[2]!.contentHash;
      const signed = [
        await signVerdict(f, v1!, verdict(hash, false, 0, 3)),
        await signVerdict(f, v2!, verdict(hash, false, 0, 3)),
        await signVerdict(f, v3!, verdict(hash, true, 40)),
      ];
      await expect(f.attestations.connect(f.outsider).attestSigned(signed))
        .to.emit(f.attestations, "QuorumReached")
        .withArgs(hash, f.datanetId, f.contributor.address, false, 0, WEIGHT(2_000n), WEIGHT(2_000n), 3, 0, 0);
      expect((await f.attestations.reputationOf(f.datanetId, f.contributor.address)).rejected).to.equal(1n);
    });
  });

  describe("signed verdicts cannot be replayed or forged", function () {
    it("counts once: submitted again it is skipped, and the tally does not move", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const s = await signVerdict(f, f.validators[0]!, verdict(f.items[0]!.contentHash, true));
      await (await f.attestations.attestSigned([s])).wait();
      const before = await f.attestations.tallyOf(s.verdict.contentHash);
      await expect(f.attestations.attestSigned([s]))
        .to.emit(f.attestations, "VerdictSkipped")
        .withArgs(s.verdict.contentHash, s.validator, Skip.AlreadyAttested);
      expect(await f.attestations.tallyOf(s.verdict.contentHash)).to.deep.equal(before);
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
      expect((await f.attestations.tallyOf(f.items[0]!.contentHash)).verdicts).to.equal(2n);
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

    type F = Awaited<ReturnType<typeof fixture>>;
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
        const s = await signVerdict(f, validator, verdict(f.items[0]!.contentHash, true), { deadline });
        await act(f);
        await expect(f.attestations.attestSigned([s]))
          .to.be.revertedWithCustomError(f.attestations, "StaleSignatureGeneration")
          .withArgs(validator.address, 0, 1);
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
      expect(await f.attestations.verdictDigest(s.verdict, s.generation, s.deadline)).to.equal(
        ethers.TypedDataEncoder.hash(
          { name: "OpenLedger Attestations", version: "1", chainId: 31337n, verifyingContract: await f.attestations.getAddress() },
          { Verdict: [...VERDICT_TYPES.Verdict] },
          { ...s.verdict, generation: s.generation, deadline: s.deadline },
        ),
      );
    });
  });

  describe("reward points", function () {
    it("records points per epoch and keeps earlier epochs readable after the epoch moves on", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, v2, v3] = f.validators;
      const decide = async (hash: string, accept: boolean, quality = 80) => {
        await (await f.attestations.connect(v1!).attest(verdict(hash, accept, quality))).wait();
        await (await f.attestations.connect(v2!).attest(verdict(hash, !accept, quality))).wait();
        await (await f.attestations.connect(v3!).attest(verdict(hash, accept, quality))).wait();
      };
      await decide(f.items[0]!.contentHash, true, 90);
      await decide(f.items[1]!.contentHash, false);
      await networkHelpers.time.increase(24 * 3_600);
      await decide(f.items[2]!.contentHash, true, 60);

      // Epoch 0: one acceptance (quality 90, first record) and one rejection; v1 and v3 agreed twice.
      const epoch0 = contributorPoints(90, reputationScore(1n, 0n, 90n));
      expect(await f.attestations.pointsOf(f.datanetId, 0n, f.contributor.address)).to.deep.equal([epoch0, 0n]);
      expect(await f.attestations.pointsOf(f.datanetId, 0n, v1!.address)).to.deep.equal([0n, 2n]);
      expect(await f.attestations.pointsOf(f.datanetId, 0n, v2!.address)).to.deep.equal([0n, 0n]);
      expect(await f.attestations.epochTotals(f.datanetId, 0n)).to.deep.equal([epoch0, 4n]);
      // Epoch 1: the score now counts 2 accepted of 3.
      const epoch1 = contributorPoints(60, reputationScore(2n, 1n, 150n));
      expect(await f.attestations.pointsOf(f.datanetId, 1n, f.contributor.address)).to.deep.equal([epoch1, 0n]);
      expect(await f.attestations.pointsOf(f.datanetId, 1n, v3!.address)).to.deep.equal([0n, 1n]);
      expect(await f.attestations.epochTotals(f.datanetId, 1n)).to.deep.equal([epoch1, 2n]);
      expect(await f.attestations.pointsOf(f.datanetId, 2n, f.contributor.address)).to.deep.equal([0n, 0n]);
    });
  });

  describe("quorum edge cases", function () {
    it("rejects a tie of accepting and rejecting stake", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, v2, v3] = f.validators;
      const hash = f.items[0]!.contentHash;
      await (await f.attestations.connect(v1!).attest(verdict(hash, false))).wait();
      await (await f.attestations.connect(v2!).attest(verdict(hash, false))).wait();
      await expect(f.attestations.connect(v3!).attest(verdict(hash, true)))
        .to.emit(f.attestations, "QuorumReached")
        .withArgs(hash, f.datanetId, f.contributor.address, false, 0, WEIGHT(2_000n), WEIGHT(2_000n), 3, 0, 0);
    });

    it("accepts at exactly the threshold, and rejects one unit of stake below it", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, v2, v3] = f.validators;
      await (await f.registry.connect(f.owner).updatePolicy(f.datanetId, { ...f.policy, acceptanceThresholdBps: 7_500, minValidatorStake: OPEN })).wait();
      await networkHelpers.time.increase(TERMS_DELAY);
      const exact = f.items[0]!.contentHash;
      await (await f.attestations.connect(v1!).attest(verdict(exact, true, 100))).wait();
      await (await f.attestations.connect(v2!).attest(verdict(exact, false))).wait();
      await (await f.attestations.connect(v3!).attest(verdict(exact, true, 100))).wait();
      expect((await f.registry.getContribution(exact)).status).to.equal(Status.Accepted);

      // v3 loses one weight unit of stake: 2,999.999999 + 1,000 of 4,999.999999 is below 75%.
      await (await f.staking.connect(f.admin).slash(f.datanetId, v3!.address, 10n ** 12n, ethers.id("incident"))).wait();
      const below = f.items[1]!.contentHash;
      await (await f.attestations.connect(v1!).attest(verdict(below, true, 100))).wait();
      await (await f.attestations.connect(v2!).attest(verdict(below, false))).wait();
      await (await f.attestations.connect(v3!).attest(verdict(below, true, 100))).wait();
      expect((await f.registry.getContribution(below)).status).to.equal(Status.Rejected);
    });

    it("weighs each verdict by the stake at the time it was given", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [v1, v2, , v4] = f.validators;
      const hash = f.items[0]!.contentHash;
      await (await f.attestations.connect(v1!).attest(verdict(hash, true))).wait();
      // Counted again at today's stake, v1 would carry 5,000 of 7,000 and the contribution would pass.
      await (await f.staking.connect(v1!).stake(f.datanetId, 4_000n * OPEN)).wait();
      await (await f.attestations.connect(v2!).attest(verdict(hash, false))).wait();
      await (await f.attestations.connect(v4!).attest(verdict(hash, false))).wait();
      expect((await f.registry.getContribution(hash)).status).to.equal(Status.Rejected);
      expect((await f.attestations.tallyOf(hash)).acceptWeight).to.equal(WEIGHT(1_000n));
    });

    it("counts every voter's agreement when the quorum is larger than the inline voter slots", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await (await f.registry.connect(f.owner).updatePolicy(f.datanetId, { ...f.policy, quorum: 5 })).wait();
      await networkHelpers.time.increase(TERMS_DELAY);
      const hash = f.items[0]!.contentHash;
      const sides = [true, false, true, true, false];
      for (const [i, v] of f.validators.entries()) await (await f.attestations.connect(v).attest(verdict(hash, sides[i]!))).wait();
      // accept 1,000 + 2,000 + 1,000 of 8,000 = 50%: rejected.
      expect((await f.registry.getContribution(hash)).status).to.equal(Status.Rejected);
      for (const [i, v] of f.validators.entries()) {
        const a = await f.attestations.agreementOf(f.datanetId, v.address);
        expect([a.agreed, a.disagreed], `validator ${i}`).to.deep.equal(sides[i] ? [0n, 1n] : [1n, 0n]);
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
