import { expect } from "chai";
import { network } from "hardhat";
import { getAddress, zeroAddress, type Hex } from "viem";

import {
  ContributionStatus,
  createClient,
  InvalidInputError,
  reputationScore,
  SkipReason,
  WEIGHT_UNIT,
  wilsonLowerBound,
  type SignedVerdict,
} from "../../sdk/index.ts";
import { expectProtocolError } from "../helpers/errors.ts";
import { item, REVEAL_WINDOW, submitMany } from "../helpers/registry.ts";
import { BOND, MIN_STAKE, OPEN, pastWindow, validatorFixture } from "../helpers/validators.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;

async function sdkFixture() {
  const f = await validatorFixture(connection);
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const byAddress = (address: string) => wallets.find((w) => getAddress(w.account.address) === getAddress(address))!;
  const sdk = (address: string) => createClient({ publicClient, walletClient: byAddress(address), deployment: f.deployment });
  return {
    ...f,
    publicClient,
    sdkValidators: f.validators.map((v) => sdk(v.address)),
    relayer: sdk(f.outsider.address),
    lazySdk: sdk(f.lazy.address),
    contributorSdk: sdk(f.contributor.address),
  };
}

type Fixture = Awaited<ReturnType<typeof sdkFixture>>;
/** A verdict's weight: its validator's stake in units of `WEIGHT_UNIT`. */
const weight = (thousands: bigint) => (thousands * 1_000n * OPEN) / WEIGHT_UNIT;

const accept = (contentHash: Hex, quality = 80) => ({ contentHash, accept: true, quality, reasonCode: 0 });
const reject = (contentHash: Hex) => ({ contentHash, accept: false, quality: 0, reasonCode: 2 });

describe("SDK validators", function () {
  it("stakes with a permit in one transaction, or with an approval first", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const address = f.lazy.address as Hex;
    await (await f.token.connect(f.lazy).approve(f.deployment.contracts.validatorStaking, 0n)).wait();
    const before = await f.publicClient.getTransactionCount({ address });
    const { newStake } = await (await f.lazySdk.validators.stake({ datanetId: f.datanetId, amount: MIN_STAKE })).wait();
    expect(newStake).to.equal(MIN_STAKE);
    expect(await f.publicClient.getTransactionCount({ address })).to.equal(before + 1);
    const second = await (await f.lazySdk.validators.stake({ datanetId: f.datanetId, amount: OPEN, permit: false })).wait();
    expect(second.newStake).to.equal(MIN_STAKE + OPEN);
    expect(await f.publicClient.getTransactionCount({ address })).to.equal(before + 3);
    expect((await f.lazySdk.validators.getStake({ datanetId: f.datanetId, validator: address })).amount).to.equal(MIN_STAKE + OPEN);
  });

  it("unbonds and withdraws, with named errors for the early steps", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const v = f.sdkValidators[0]!;
    await expectProtocolError(v.validators.withdraw({ datanetId: f.datanetId }), "NotUnbonding", false);
    const { unlocksAt } = await (await v.validators.requestUnbond({ datanetId: f.datanetId })).wait();
    await expectProtocolError(v.validators.withdraw({ datanetId: f.datanetId }), "UnbondingNotFinished", false);
    await networkHelpers.time.increaseTo(unlocksAt);
    const { amount } = await (await v.validators.withdraw({ datanetId: f.datanetId })).wait();
    expect(amount).to.equal(1_000n * OPEN);
  });

  it("attests directly and in batches, and reports the early close it caused", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const [v1, v2, v3, , v5] = f.sdkValidators;
    const [a, b] = [f.items[0]!.contentHash, f.items[1]!.contentHash];
    expect((await (await v1!.validators.attestBatch([accept(a), accept(b)])).wait()).finalized).to.deep.equal([]);
    await (await v2!.validators.attest(reject(a))).wait();
    // Quorum (3) is reached, but 3,000 of 8,000 eligible accepting can still be outvoted: it stays open.
    expect((await (await v3!.validators.attest(accept(a, 50))).wait()).finalized).to.deep.equal([]);
    // 6,000 of 8,000 accepting reaches two thirds of all eligible stake whatever the rest does.
    const { finalized } = await (await v5!.validators.attest(accept(a, 90))).wait();
    expect(finalized).to.deep.equal([
      // Quality is the stake-weighted mean of the accepting verdicts: (80×1 + 50×2 + 90×3) / 6.
      { contentHash: a, contributionId: 1n, outcome: ContributionStatus.Accepted, accepted: true, quality: 75, epoch: 0, validatorsShare: 0n },
    ]);
    const tally = await f.relayer.validators.tally({ contributionId: 1n });
    expect(tally).to.include({ acceptWeight: weight(6n), rejectWeight: weight(1n), eligibleWeight: weight(8n), verdicts: 4n, outcome: ContributionStatus.Accepted });
    expect(await f.relayer.validators.verdict({ contributionId: 1n, validator: f.validators[1]!.address as Hex })).to.deep.equal({
      attested: true, accepted: false, settled: false,
    });
    await expectProtocolError(v1!.validators.attest(accept(a)), "ContributionNotPending", false);
  });

  it("refuses verdicts before voting opens, after it closes, and from stake bonded after the reveal", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const v1 = f.sdkValidators[0]!;
    const fresh = item(10n);
    await (await f.contributorSdk.contributions.submit({ datanetId: f.datanetId, ...fresh })).wait();
    const stored = await f.relayer.contributions.get(fresh.contentHash);
    const early = await expectProtocolError(v1.validators.attest(accept(fresh.contentHash)), "VotingNotOpen", false);
    expect(early.args).to.deep.equal({ contentHash: fresh.contentHash, opensAt: BigInt(stored.votingOpensAt) });

    // Stake bonded after a reveal does not count on that contribution.
    await (await f.lazySdk.validators.stake({ datanetId: f.datanetId, amount: MIN_STAKE })).wait();
    const late = await expectProtocolError(f.lazySdk.validators.attest(accept(f.items[0]!.contentHash)), "ValidatorNotActive", false);
    expect(late.args).to.deep.equal({
      datanetId: f.datanetId, validator: getAddress(f.lazy.address), stakeAtSnapshot: 0n, activeStake: MIN_STAKE, minStake: MIN_STAKE,
    });
    expect(late.shortMessage).to.include("before the contribution was revealed");

    await pastWindow(connection, f, f.items[0]!.contentHash);
    const closed = await expectProtocolError(v1.validators.attest(accept(f.items[0]!.contentHash)), "VotingClosed", false);
    expect(closed.args).to.deep.equal({
      contentHash: f.items[0]!.contentHash,
      endedAt: BigInt((await f.relayer.contributions.get(f.items[0]!.contentHash)).votingEndsAt),
    });
    // In a batch the same verdict is skipped, not fatal.
    const { skipped } = await (await v1.validators.attestBatch([accept(f.items[0]!.contentHash)])).wait();
    expect(skipped).to.deep.equal([{ contentHash: f.items[0]!.contentHash, validator: getAddress(f.validators[0]!.address), reason: SkipReason.VotingClosed }]);
  });

  it("finalizes after the window: too few verdicts expire and refund the bond; an open window refuses", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const [v1, v2, v3] = f.sdkValidators;
    const [a, b, c] = f.items.map((i) => i.contentHash);
    // a: one verdict (below quorum); b: three verdicts, 3,000 accepting of 4,000, not decided early.
    await (await v1!.validators.attestBatch([accept(a!), accept(b!)])).wait();
    await (await v2!.validators.attest(reject(b!))).wait();
    await (await v3!.validators.attest(accept(b!, 60))).wait();
    const open = await expectProtocolError(f.relayer.validators.finalize({ contentHashes: [a!, b!] }), "VotingStillOpen", false);
    expect(open.args).to.include({ contentHash: a });

    const credit = await f.relayer.contributions.credit({ account: f.contributor.address as Hex });
    await pastWindow(connection, f, a!);
    // c: nobody judged it, so it expires too. After the window, 3,000 of the 4,000 that voted accept b.
    const { finalized, skipped } = await (await f.relayer.validators.finalize({ contentHashes: [a!, b!, c!] })).wait();
    expect(finalized.map((x) => [x.contentHash, x.outcome, x.quality])).to.deep.equal([
      [a, ContributionStatus.Expired, 0],
      // (80 × 1 + 60 × 2) / 3, rounded down as the contract does.
      [b, ContributionStatus.Accepted, 66],
      [c, ContributionStatus.Expired, 0],
    ]);
    expect(skipped).to.deep.equal([]);
    // Accepted and expired contributions have their bonds refunded as credit.
    expect(await f.relayer.contributions.credit({ account: f.contributor.address as Hex })).to.equal(credit + 3n * BOND);
    const again = await (await f.relayer.validators.finalize({ contentHashes: [a!, b!] })).wait();
    expect(again.finalized).to.deep.equal([]);
    expect(again.skipped).to.deep.equal([
      { contentHash: a, validator: zeroAddress, reason: SkipReason.NotPending },
      { contentHash: b, validator: zeroAddress, reason: SkipReason.NotPending },
    ]);
    expect((await f.relayer.contributions.get(a!)).status).to.equal(ContributionStatus.Expired);
  });

  it("settles verdicts: points for accepting accepted work, forfeit shares for rejecting rejected work", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const [v1, v2, v3, v4, v5] = f.sdkValidators;
    const [good, junk] = [f.items[0]!.contentHash, f.items[1]!.contentHash];
    // good: 1,000 + 2,000 + 3,000 accept; junk: 1,000 + 1,000 + 3,000 reject (early reject), 1,000 accepts.
    await (await v1!.validators.attestBatch([accept(good), accept(junk)])).wait();
    await (await v3!.validators.attest(accept(good))).wait();
    await (await v2!.validators.attest(reject(junk))).wait();
    await (await v4!.validators.attest(reject(junk))).wait();
    const closing = await (await v5!.validators.attestBatch([accept(good), reject(junk)])).wait();
    expect(closing.finalized.map((x) => [x.outcome, x.validatorsShare])).to.deep.equal([
      [ContributionStatus.Accepted, 0n],
      [ContributionStatus.Rejected, (BOND * 8n) / 10n],
    ]);

    const v5Address = f.validators[4]!.address as Hex;
    expect(await f.relayer.validators.unsettled({ validator: v5Address })).to.deep.equal([1n, 2n]);
    // Anyone may settle for a validator; what it earns is the validator's.
    const settled = await (await f.relayer.validators.settle({ validator: v5Address, contributionIds: [1n, 2n] })).wait();
    const share = ((BOND * 8n) / 10n) * weight(3n) / weight(5n);
    expect(settled).to.deep.include({ points: weight(3n), credit: share });
    expect(settled.settled.map((s) => [s.contributionId, s.agreed, s.points, s.credit])).to.deep.equal([
      [1n, true, weight(3n), 0n],
      [2n, true, 0n, share],
    ]);
    expect(await f.relayer.validators.unsettled({ validator: v5Address })).to.deep.equal([]);
    // v1 accepted the junk: it settles with nothing for it.
    const v1Settled = await (await v1!.validators.settle({ contributionIds: [1n, 2n] })).wait();
    expect(v1Settled).to.deep.include({ points: weight(1n), credit: 0n });
    expect(v1Settled.settled[1]).to.include({ agreed: false });
    // Settled twice, nothing more is paid.
    expect(await (await v5!.validators.settle({ contributionIds: [1n, 2n] })).wait()).to.deep.include({ points: 0n, credit: 0n, settled: [] });

    const balance = await f.token.balanceOf(v5Address);
    expect(await (await v5!.contributions.withdrawCredit()).wait()).to.include({ amount: share });
    expect(await f.token.balanceOf(v5Address)).to.equal(balance + share);

    const notClosed = await expectProtocolError(v1!.validators.settle({ contributionIds: [3n] }), "NotAttested", false);
    expect(notClosed.args).to.deep.equal({ contributionId: 3n, validator: getAddress(f.validators[0]!.address) });
    await (await v1!.validators.attest(accept(f.items[2]!.contentHash))).wait();
    await expectProtocolError(v1!.validators.settle({ contributionIds: [3n] }), "NotClosed", false);
  });

  it("decodes an error raised by another contract during the call", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const unknown = item().contentHash;
    const error = await expectProtocolError(f.sdkValidators[0]!.validators.attest(accept(unknown)), "ContributionUnknown", false);
    expect(error.args).to.deep.equal({ contentHash: unknown });
  });

  it("signs verdicts that anyone can submit", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const signed = await f.sdkValidators[0]!.validators.signVerdict(accept(f.items[0]!.contentHash));
    expect(signed.validator).to.equal(getAddress(f.validators[0]!.address));
    await (await f.relayer.validators.submitSigned([signed])).wait();
    expect(await f.attestations.hasAttested(f.items[0]!.contentHash, f.validators[0]!.address)).to.equal(true);
    // Sent again (say, copied by someone who saw it), it is skipped, not fatal, and reported as such.
    const again = await (await f.relayer.validators.submitSigned([signed])).wait();
    expect(again.skipped).to.deep.equal([
      { contentHash: f.items[0]!.contentHash, validator: getAddress(f.validators[0]!.address), reason: SkipReason.AlreadyAttested },
    ]);
    expect(again.finalized).to.deep.equal([]);
  });

  it("refuses malformed verdicts before sending", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const v = f.sdkValidators[0]!;
    const hash = f.items[0]!.contentHash;
    const cases: [string, () => Promise<unknown>][] = [
      ["verdict.quality", () => v.validators.attest({ ...accept(hash), quality: 101 })],
      ["verdict.quality", () => v.validators.attest({ ...accept(hash), quality: 2.5 })],
      ["verdict.reasonCode", () => v.validators.attest({ ...accept(hash), reasonCode: 70_000 })],
      ["verdict.contentHash", () => v.validators.attest({ ...accept(hash), contentHash: "0x12" })],
      ["verdicts", () => v.validators.attestBatch([])],
      ["signed", () => v.validators.submitSigned([])],
      ["amount", () => v.validators.stake({ datanetId: f.datanetId, amount: 0n })],
      ["contentHashes", () => v.validators.finalize({ contentHashes: [] })],
      ["contentHashes[1]", () => v.validators.finalize({ contentHashes: [hash, "0x12"] })],
      ["contributionIds", () => v.validators.settle({ contributionIds: [] })],
      ["contributionIds[0]", () => v.validators.settle({ contributionIds: [0n] })],
      ["validator", () => v.validators.settle({ validator: "0xnope", contributionIds: [1n] })],
      ["contributionId", () => v.validators.tally({ contributionId: 0n })],
      ["validator", () => v.validators.unsettled({ validator: "0x12" })],
    ];
    for (const [field, call] of cases) {
      try {
        await call();
        expect.fail(`expected InvalidInputError for ${field}`);
      } catch (error) {
        expect(error, String(error)).to.be.instanceOf(InvalidInputError);
        expect((error as InvalidInputError).field).to.equal(field);
      }
    }
  });

  describe("aggregator", function () {
    /**
     * Every validator signs a verdict on every contribution, the largest stakes first (3,000, 2,000,
     * 1,000 accepting, then 1,000 rejecting and 1,000 accepting): 5 × 6 = 30 signed verdicts, of which
     * the first three close each contribution early.
     */
    async function signAll(f: Fixture) {
      const signed: SignedVerdict[] = [];
      for (const it of f.items) {
        for (const i of [4, 2, 0, 1, 3]) {
          signed.push(await f.sdkValidators[i]!.validators.signVerdict(i === 1 ? reject(it.contentHash) : accept(it.contentHash, 70 + i)));
        }
      }
      return signed;
    }

    it("relays in one transaction and drops the verdicts an early close would waste", async function () {
      const f = await networkHelpers.loadFixture(sdkFixture);
      const aggregator = f.relayer.validators.aggregator();
      for (const s of await signAll(f)) await aggregator.add(s);
      expect(aggregator.size).to.equal(30);
      const result = await aggregator.flush();
      expect(result.transactions).to.have.length(1);
      expect(result.transactions[0]!.verdicts).to.equal(18);
      expect(result.skipped.map((x) => x.code)).to.deep.equal(Array(12).fill("closed-early"));
      expect(result.waiting).to.deep.equal([]);
      expect(result.finalized.map((x) => x.contentHash)).to.deep.equal(f.items.map((i) => i.contentHash));
      expect(result.finalized.every((x) => x.accepted)).to.equal(true);
      expect(aggregator.size).to.equal(0);
    });

    it("splits batches so that none exceeds the gas cap", async function () {
      const f = await networkHelpers.loadFixture(sdkFixture);
      const cap = 800_000n;
      const aggregator = f.relayer.validators.aggregator({ gasCap: cap });
      for (const s of await signAll(f)) await aggregator.add(s);
      const result = await aggregator.flush();
      expect(result.transactions.length).to.be.greaterThan(1);
      expect(result.transactions.reduce((n, t) => n + t.verdicts, 0)).to.equal(18);
      for (const t of result.transactions) expect(t.gasUsed <= cap, `${t.gasUsed} <= ${cap}`).to.equal(true);
    });

    it("holds verdicts until voting opens, and drops those past the window or from ineligible stake", async function () {
      const f = await networkHelpers.loadFixture(sdkFixture);
      const aggregator = f.relayer.validators.aggregator();
      const [v1, v2] = f.sdkValidators;
      const fresh = item(10n);
      await (await f.contributorSdk.contributions.submit({ datanetId: f.datanetId, ...fresh })).wait();
      const { votingOpensAt } = await f.relayer.contributions.get(fresh.contentHash);
      const now = (await f.publicClient.getBlock()).timestamp;
      const early = await v1!.validators.signVerdict(accept(fresh.contentHash), { deadline: now + 10_000n });
      // Staked after every reveal so far: its verdicts would revert the whole batch.
      await (await f.lazySdk.validators.stake({ datanetId: f.datanetId, amount: MIN_STAKE })).wait();
      const unstaked = await f.lazySdk.validators.signVerdict(accept(f.items[0]!.contentHash));
      await aggregator.add(early);
      await aggregator.add(unstaked);
      const first = await aggregator.flush();
      expect(first.transactions).to.deep.equal([]);
      expect(first.waiting).to.deep.equal([{ signed: early, opensAt: votingOpensAt }]);
      expect(first.skipped.map((x) => [x.signed, x.code])).to.deep.equal([[unstaked, "not-eligible"]]);
      expect(aggregator.size).to.equal(1, "the early verdict stays queued");

      await networkHelpers.time.increaseTo(votingOpensAt);
      const second = await aggregator.flush();
      expect(second.transactions.map((t) => t.verdicts)).to.deep.equal([1]);
      expect(await f.attestations.hasAttested(fresh.contentHash, f.validators[0]!.address)).to.equal(true);

      const late = await v2!.validators.signVerdict(accept(fresh.contentHash), { deadline: now + 100_000n });
      await aggregator.add(late);
      await pastWindow(connection, f, fresh.contentHash);
      const third = await aggregator.flush();
      expect(third.transactions).to.deep.equal([]);
      expect(third.skipped.map((x) => x.code)).to.deep.equal(["window-closed"]);
      expect(aggregator.size).to.equal(0);
    });

    it("refuses forged, expired and repeated verdicts when they are added", async function () {
      const f = await networkHelpers.loadFixture(sdkFixture);
      const aggregator = f.relayer.validators.aggregator();
      const [v1, v2] = f.sdkValidators;
      const hash = f.items[0]!.contentHash;
      const good = await v1!.validators.signVerdict(accept(hash));
      await expectProtocolError(aggregator.add({ ...good, validator: v2!.walletClient!.account.address }), "InvalidSignature", true);
      const now = (await f.publicClient.getBlock()).timestamp;
      const expiring = await v2!.validators.signVerdict(accept(hash), { deadline: now + 5n });
      await networkHelpers.time.increase(10);
      await expectProtocolError(aggregator.add(expiring), "SignatureExpired", true);
      await aggregator.add(good);
      try {
        await aggregator.add(good);
        expect.fail("expected InvalidInputError");
      } catch (error) {
        expect(error).to.be.instanceOf(InvalidInputError);
      }
    });
  });

  it("lists what a validator can judge now", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const [v1, v2, v3, v4, v5] = f.sdkValidators;
    const me = f.validators[0]!.address as Hex;
    await (await v1!.validators.attest(accept(f.items[0]!.contentHash))).wait();
    await (await v2!.validators.attestBatch([accept(f.items[1]!.contentHash), accept(f.items[2]!.contentHash)])).wait();
    // items[3] closes early: 6,000 of 8,000 accept.
    for (const v of [v5!, v3!, v4!]) await (await v.validators.attest(accept(f.items[3]!.contentHash))).wait();
    const own = item(5n);
    await (await v1!.contributions.submit({ datanetId: f.datanetId, ...own })).wait();
    const late = item(5n);
    await (await f.contributorSdk.contributions.submit({ datanetId: f.datanetId, ...late })).wait();
    await networkHelpers.time.increase(REVEAL_WINDOW);
    const fresh = item(5n);
    await (await f.contributorSdk.contributions.submit({ datanetId: f.datanetId, ...fresh })).wait();
    const pending = await v1!.validators.pending({ validator: me });
    // items[0] judged, items[3] closed, own excluded, fresh not open yet.
    expect(pending.map((c) => c.contentHash)).to.deep.equal(
      [f.items[1]!, f.items[2]!, f.items[4]!, f.items[5]!, late].map((i) => i.contentHash),
    );
    expect(await f.lazySdk.validators.pending({ validator: f.lazy.address as Hex })).to.deep.equal([]);
    // Stake bonded now counts only on contributions revealed later.
    await (await f.lazySdk.validators.stake({ datanetId: f.datanetId, amount: MIN_STAKE })).wait();
    expect(await f.lazySdk.validators.pending({ validator: f.lazy.address as Hex })).to.deep.equal([]);
  });

  it("builds the leaderboard from events, each score equal to the chain's", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const careful = f.contributor;
    const spammer = f.outsider;
    const spam = Array.from({ length: 6 }, () => item(3n));
    await (await submitMany(f.registry, spammer, f.datanetId, spam)).wait();
    const decide = async (hash: Hex, ok: boolean) => {
      for (const v of f.sdkValidators.slice(0, 3)) await (await v.validators.attest(ok ? accept(hash, 85) : reject(hash))).wait();
    };
    await networkHelpers.time.increase(REVEAL_WINDOW);
    for (const it of f.items.slice(0, 3)) await decide(it.contentHash, true);
    for (const [i, it] of spam.entries()) await decide(it.contentHash, i === 0);
    // 4,000 of 8,000 accepting cannot close early; after the window the verdict stake decides.
    await pastWindow(connection, f, spam[0]!.contentHash);
    await (await f.relayer.validators.finalize({ contentHashes: [...f.items.slice(0, 3), spam[0]!].map((i) => i.contentHash) })).wait();

    const board = await f.relayer.reputation.leaderboard({ datanetId: f.datanetId });
    expect(board.map((row) => row.contributor)).to.deep.equal([getAddress(careful.address), getAddress(spammer.address)]);
    const [top, bottom] = board;
    expect([top!.submitted, top!.accepted, top!.rejected, top!.meanQuality]).to.deep.equal([6, 3, 0, 85]);
    expect([bottom!.submitted, bottom!.accepted, bottom!.rejected]).to.deep.equal([6, 1, 5]);
    for (const row of board) {
      expect(row.verified, row.contributor).to.equal(true);
      expect(row.score).to.equal(row.onChainScore);
    }
    expect(top!.score > bottom!.score).to.equal(true);
  });

  it("computes the reputation formula exactly as the contract does", function () {
    const close = (value: bigint, expected: bigint) => expect(Number(value - expected)).to.be.within(-1e14, 1e14);
    close(wilsonLowerBound(1n, 1n), 206_544_000_000_000_000n);
    close(wilsonLowerBound(50n, 50n), 928_651_000_000_000_000n);
    close(wilsonLowerBound(8n, 10n), 490_160_000_000_000_000n);
    expect(reputationScore(10n, 0n, 800n) > reputationScore(30n, 70n, 2_400n)).to.equal(true);
    expect(reputationScore(1n, 0n, 80n) < reputationScore(50n, 0n, 4_000n)).to.equal(true);
    expect(reputationScore(0n, 3n, 0n)).to.equal(0n);
  });
});

