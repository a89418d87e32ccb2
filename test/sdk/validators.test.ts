import { expect } from "chai";
import { network } from "hardhat";
import { getAddress, type Hex } from "viem";

import {
  createClient,
  InvalidInputError,
  reputationScore,
  SkipReason,
  wilsonLowerBound,
  type SignedVerdict,
} from "../../sdk/index.ts";
import { expectProtocolError } from "../helpers/errors.ts";
import { item, submitMany } from "../helpers/registry.ts";
import { MIN_STAKE, OPEN, validatorFixture } from "../helpers/validators.ts";

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
  };
}

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

  it("attests directly and in batches, and reports the finalization it caused", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const [v1, v2, v3] = f.sdkValidators;
    const [a, b] = [f.items[0]!.contentHash, f.items[1]!.contentHash];
    expect((await (await v1!.validators.attestBatch([accept(a), accept(b)])).wait()).finalized).to.deep.equal([]);
    await (await v2!.validators.attest(reject(a))).wait();
    const { finalized } = await (await v3!.validators.attest(accept(a, 50))).wait();
    expect(finalized).to.deep.equal([{ contentHash: a, accepted: true, quality: 60 }]);
    await expectProtocolError(v1!.validators.attest(accept(a)), "ContributionNotPending", false);
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
    /** Every validator signs a verdict on every contribution: 5 × 6 = 30 signed verdicts. */
    async function signAll(f: Awaited<ReturnType<typeof sdkFixture>>) {
      const signed: SignedVerdict[] = [];
      for (const it of f.items) {
        for (const [i, v] of f.sdkValidators.entries()) {
          signed.push(await v.validators.signVerdict(i === 1 ? reject(it.contentHash) : accept(it.contentHash, 70 + i)));
        }
      }
      return signed;
    }

    it("submits only the verdicts each contribution still needs, in one transaction", async function () {
      const f = await networkHelpers.loadFixture(sdkFixture);
      const aggregator = f.relayer.validators.aggregator();
      for (const s of await signAll(f)) await aggregator.add(s);
      expect(aggregator.size).to.equal(30);
      const result = await aggregator.flush();
      expect(result.transactions).to.have.length(1);
      expect(result.transactions[0]!.verdicts).to.equal(18);
      expect(result.skipped).to.have.length(12);
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

  it("lists what a validator can still judge", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const [v1, v2, v3] = f.sdkValidators;
    const me = f.validators[0]!.address as Hex;
    await (await v1!.validators.attest(accept(f.items[0]!.contentHash))).wait();
    await (await v2!.validators.attestBatch([accept(f.items[1]!.contentHash), accept(f.items[2]!.contentHash)])).wait();
    await (await v3!.validators.attestBatch([accept(f.items[1]!.contentHash), accept(f.items[2]!.contentHash)])).wait();
    await (await f.registry.connect(f.contributor).withdraw(f.items[3]!.contentHash)).wait();
    const own = item(5n);
    await (await submitMany(f.registry, f.validators[0]!, f.datanetId, [own])).wait();
    const pending = await v1!.validators.pending({ validator: me });
    // items[0] judged, items[1..2] still pending (2 of 3 verdicts) but v1 can judge them, items[3] withdrawn, own excluded.
    expect(pending.map((c) => c.contentHash)).to.deep.equal(
      [f.items[1]!, f.items[2]!, f.items[4]!, f.items[5]!].map((i) => i.contentHash),
    );
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
    for (const it of f.items.slice(0, 3)) await decide(it.contentHash, true);
    for (const [i, it] of spam.entries()) await decide(it.contentHash, i === 0);

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

