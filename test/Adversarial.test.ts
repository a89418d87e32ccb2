import { expect } from "chai";
import { network } from "hardhat";
import { Wallet } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import {
  DAY,
  OPEN,
  REVEAL_WINDOW,
  commit,
  commitmentOf,
  item,
  registryFixture,
  submitMany,
  submitOne,
  testPolicy,
} from "./helpers/registry.ts";
import { contributorPoints, reputationScore } from "../sdk/reputation.ts";
import { BOND, ENTRY_PATHS, MIN_STAKE, validatorFixture } from "./helpers/validators.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const validators = () => validatorFixture(connection);
const registryOnly = () => registryFixture(connection);

describe("Adversarial cases", function () {
  it("Sybil: validators without stake cannot move an outcome, however many, by any entry path", async function () {
    const f = await networkHelpers.loadFixture(validators);
    const hash = f.items[0]!.contentHash;
    const sybils = Array.from({ length: 12 }, () => Wallet.createRandom().connect(ethers.provider));
    for (const sybil of sybils) await (await f.admin.sendTransaction({ to: sybil.address, value: 10n ** 17n })).wait();
    for (const sybil of sybils) {
      for (const give of Object.values(ENTRY_PATHS)) {
        await expect(give(f, sybil as never, [{ contentHash: hash, accept: true, quality: 100, reasonCode: 0 }]))
          .to.be.revertedWithCustomError(f.attestations, "ValidatorNotActive")
          .withArgs(f.datanetId, sybil.address, 0n, 0n, MIN_STAKE);
      }
    }
    expect((await f.attestations.tallyOf(hash)).verdicts).to.equal(0n);
    expect((await f.registry.getContribution(hash)).status).to.equal(1n); // still Pending
  });

  it("unbounded-loop griefing: a submission costs the same after hundreds of others, from many contributors", async function () {
    const f = await networkHelpers.loadFixture(registryOnly);
    const roomy = testPolicy({ maxContributionsPerContributorPerEpoch: 1_000, maxBytesPerContributorPerEpoch: 10n ** 6n, maxBytesPerDatanetPerEpoch: 10n ** 9n });
    await (await f.registry.connect(f.owner).updatePolicy(1n, roomy)).wait();
    await networkHelpers.time.increase(2 * 24 * 3_600); // a policy change applies two epochs later
    const gasOf = async () => Number((await (await submitOne(f.registry, f.alice, 1n, item(10n))).wait())!.gasUsed);
    await gasOf(); // Alice's quota slot exists from here on, as for any returning contributor
    const early = await gasOf();
    const crowd = Array.from({ length: 40 }, () => Wallet.createRandom().connect(ethers.provider));
    for (const c of crowd) await (await f.admin.sendTransaction({ to: c.address, value: 10n ** 17n })).wait();
    for (const [i, c] of crowd.entries()) {
      for (let k = 0; k < 5; k++) await (await submitOne(f.registry, c as never, 1n, item(10n, `crowd ${i}/${k}`))).wait();
    }
    const late = await gasOf();
    expect(Math.abs(late - early) / early, `${early} then ${late}`).to.be.lessThan(0.01);
  });
});

/**
 * The rational attacker of issue 13, with real numbers. One datanet (quorum 1, two-thirds threshold,
 * 1,000-OPEN minimum stake, a 10-OPEN bond per contribution, a one-hour window), an honest validator
 * with 50,000 OPEN, an attacker running two minimum-stake validators and five throwaway contributors,
 * and an honest contributor. Everybody staked before any contribution was revealed.
 */
async function economyFixture() {
  const { deployProtocol } = await import("../scripts/lib/deploy.ts");
  const signers = await ethers.getSigners();
  const [admin, owner, honest, validator, whale, a1, a2, ...rest] = signers;
  const throwaways = rest.slice(0, 5);
  const deployment = await deployProtocol(connection);
  const c = deployment.contracts;
  const registry = await ethers.getContractAt("DatanetRegistry", c.datanetRegistry);
  const staking = await ethers.getContractAt("ValidatorStaking", c.validatorStaking);
  const attestations = await ethers.getContractAt("AttestationRegistry", c.attestationRegistry);
  const pools = await ethers.getContractAt("RewardPools", c.rewardPools);
  const token = await ethers.getContractAt("OpenToken", c.openToken);
  const policy = testPolicy({
    minValidatorStake: 1_000n * OPEN,
    quorum: 1,
    acceptanceThresholdBps: 6_667,
    submissionBond: BOND,
    maxContributionsPerContributorPerEpoch: 10,
    maxBytesPerContributorPerEpoch: 1_000n,
    maxBytesPerDatanetPerEpoch: 10_000n,
  });
  await (await registry.connect(owner!).createDatanet(0, "ipfs://economy", policy)).wait();
  await (await registry.connect(owner!).createDatanet(0, "ipfs://elsewhere", policy)).wait();
  for (const account of [honest!, validator!, whale!, a1!, a2!, ...throwaways]) {
    await (await token.connect(admin!).transfer(account.address, (account === whale ? 2_000_000n : 100_000n) * OPEN)).wait();
    await (await token.connect(account).approve(await registry.getAddress(), 2n ** 255n)).wait();
    await (await token.connect(account).approve(await staking.getAddress(), 2n ** 255n)).wait();
  }
  await (await staking.connect(validator!).stake(1n, 50_000n * OPEN)).wait();
  await (await staking.connect(a1!).stake(1n, 1_000n * OPEN)).wait();
  await (await staking.connect(a2!).stake(1n, 1_000n * OPEN)).wait();
  await (await staking.connect(validator!).stake(2n, 50_000n * OPEN)).wait();
  await (await token.connect(admin!).approve(await pools.getAddress(), 2n ** 255n)).wait();
  return { registry, staking, attestations, pools, token, policy, admin: admin!, owner: owner!, honest: honest!, validator: validator!, whale: whale!, attackers: [a1!, a2!], throwaways };
}

type Economy = Awaited<ReturnType<typeof economyFixture>>;
const judge = (contentHash: string, accept: boolean) => ({ contentHash, accept, quality: accept ? 90 : 0, reasonCode: accept ? 0 : 4 });

/** Everything an account set holds in OPEN: wallet, stakes on both datanets, and registry credit. */
async function holdings(e: Economy, accounts: { address: string }[]) {
  let total = 0n;
  for (const a of accounts) {
    total += await e.token.balanceOf(a.address);
    total += await e.registry.creditOf(a.address);
    for (const datanet of [1n, 2n, 3n]) total += (await e.staking.stakeOf(datanet, a.address)).amount;
  }
  return total;
}

async function submitted(e: Economy, signer: HardhatEthersSigner, text: string, datanetId = 1n) {
  const it = item(10n, text);
  await (await submitOne(e.registry, signer, datanetId, it)).wait();
  return it.contentHash;
}

async function closeAfterWindow(e: Economy, hashes: string[]) {
  const { votingEndsAt } = await e.registry.getContribution(hashes[hashes.length - 1]!);
  await networkHelpers.time.increaseTo(votingEndsAt);
  await (await e.attestations.finalizeBatch(hashes)).wait();
}

describe("Adversarial cases: the rational attacker of the security redesign", function () {
  it("class 1: stake decides, not the first movers; stake bonded after the reveal does not count", async function () {
    const e = await networkHelpers.loadFixture(economyFixture);
    const [a1, a2] = e.attackers;
    await (await e.staking.connect(e.whale).stake(1n, 1_000_000n * OPEN)).wait();
    const good = await submitted(e, e.honest, "an honest, useful text");
    // Someone who sees the reveal stakes 2,000,000 OPEN to outvote everyone: it does not count here.
    const late = e.throwaways[0]!;
    await (await e.token.connect(e.admin).transfer(late.address, 2_000_000n * OPEN)).wait();
    await (await e.staking.connect(late).stake(1n, 2_000_000n * OPEN)).wait();
    await networkHelpers.time.increase(REVEAL_WINDOW);
    await expect(e.attestations.connect(late).attest(judge(good, false)))
      .to.be.revertedWithCustomError(e.attestations, "ValidatorNotActive")
      .withArgs(1n, late.address, 0n, 2_000_000n * OPEN, 1_000n * OPEN);
    // The two 1,000-OPEN first movers reject; with 1,052,000 OPEN eligible that decides nothing.
    await (await e.attestations.connect(a1!).attest(judge(good, false))).wait();
    await (await e.attestations.connect(a2!).attest(judge(good, false))).wait();
    expect((await e.registry.getContribution(good)).status).to.equal(1n);
    // The 1,000,000-OPEN verdict counts, and alone holds two-thirds of all eligible stake: accepted.
    await expect(e.attestations.connect(e.whale).attest(judge(good, true)))
      .to.emit(e.attestations, "ValidationClosed")
      .withArgs(good, 1n, 1n, e.honest.address, 2n, 90, 1_000_000_000n, 2_000_000n, 1_052_000_000n, 3, 0, contributorPoints(90, reputationScore(1n, 0n, 90n)), 0n);
    expect(await e.registry.creditOf(e.honest.address)).to.equal(BOND);
  });

  it("class 2: farming validator rewards with one's own junk loses OPEN, and honest validators keep the whole validators' share", async function () {
    const e = await networkHelpers.loadFixture(economyFixture);
    const attacker = [...e.attackers, ...e.throwaways];
    const before = await holdings(e, attacker);
    await (await e.pools.connect(e.admin).fund(1n, 0n, 1_000n * OPEN)).wait();
    const good = await submitted(e, e.honest, "useful work");
    const junk: string[] = [];
    for (const [i, t] of e.throwaways.entries()) junk.push(await submitted(e, t, `junk ${i}`));
    await networkHelpers.time.increase(REVEAL_WINDOW);
    await (await e.attestations.connect(e.validator).attest(judge(good, true))).wait(); // closes: 50,000 of 52,000
    // The attacker's own validators reject all its junk; the honest validator does not even look.
    for (const hash of junk) {
      for (const a of e.attackers) await (await e.attestations.connect(a).attest(judge(hash, false))).wait();
    }
    await closeAfterWindow(e, junk);
    for (const hash of junk) expect((await e.registry.getContribution(hash)).status).to.equal(3n);
    const junkIds = [2n, 3n, 4n, 5n, 6n];
    for (const a of e.attackers) await (await e.attestations.settle(a.address, junkIds)).wait();
    await (await e.attestations.settle(e.validator.address, [1n])).wait();
    await networkHelpers.time.increase(DAY);
    for (const a of e.attackers) {
      await expect(e.pools.connect(a).claim(1n, [0n])).to.be.revertedWithCustomError(e.pools, "NothingToClaim");
    }
    await expect(e.pools.connect(e.validator).claim(1n, [0n])).to.changeTokenBalance(ethers, e.token, e.validator, 200n * OPEN);
    await expect(e.pools.connect(e.honest).claim(1n, [0n])).to.changeTokenBalance(ethers, e.token, e.honest, 800n * OPEN);
    // Five bonds of 10 OPEN forfeited; its validators recovered 80%: the attacker is 10 OPEN poorer.
    expect((await holdings(e, attacker)) - before).to.equal(-10n * OPEN);
  });

  it("class 3: a dodger cannot withdraw once verdicts are open, and withdrawing earlier costs its bond", async function () {
    const e = await networkHelpers.loadFixture(economyFixture);
    const dodger = e.throwaways[0]!;
    const before = await holdings(e, [dodger]);
    const early = await submitted(e, dodger, "junk withdrawn before anyone could judge it");
    await (await e.registry.connect(dodger).withdraw(early)).wait();
    const seen = await submitted(e, dodger, "junk a validator rejects first");
    await networkHelpers.time.increase(REVEAL_WINDOW);
    await (await e.attestations.connect(e.attackers[0]!).attest(judge(seen, false))).wait();
    const { votingOpensAt } = await e.registry.getContribution(seen);
    await expect(e.registry.connect(dodger).withdraw(seen))
      .to.be.revertedWithCustomError(e.registry, "WithdrawalClosed")
      .withArgs(seen, votingOpensAt);
    await closeAfterWindow(e, [seen]);
    const rep = await e.attestations.reputationOf(1n, dodger.address);
    expect([rep.accepted, rep.rejected]).to.deep.equal([0n, 1n]);
    expect((await holdings(e, [dodger])) - before).to.equal(-2n * BOND);
  });

  it("class 4: filling a datanet's quota costs the bonds at stake, revealed or not", async function () {
    const e = await networkHelpers.loadFixture(economyFixture);
    await (await e.registry.connect(e.owner).createDatanet(0, "ipfs://small", testPolicy({ submissionBond: BOND, quorum: 1 }))).wait();
    const [s1, s2] = e.throwaways;
    const spammers = [s1!, s2!];
    const before = await holdings(e, spammers);
    // 400 bytes a day: two Sybils fill it with four 100-byte items, one of them never revealed.
    const revealed = [item(100n), item(100n)];
    await (await submitMany(e.registry, s1!, 3n, revealed)).wait();
    const hidden = [item(100n), item(100n)];
    const salt = await commit(e.registry, s2!, 3n, hidden);
    await expect(submitOne(e.registry, e.honest, 3n, item(10n)))
      .to.be.revertedWithCustomError(e.registry, "DatanetBytesQuotaExceeded")
      .withArgs(3n, 0n, 400n, 10n, 400n);
    await networkHelpers.time.increase(REVEAL_WINDOW + 1);
    await (await e.registry.lapseCommitment(s2!.address, commitmentOf(s2!, 3n, hidden, salt))).wait();
    await (await e.token.connect(e.admin).transfer(e.validator.address, 50_000n * OPEN)).wait();
    await (await e.staking.connect(e.validator).stake(3n, 50_000n * OPEN)).wait();
    // Staked after the spam was revealed: no weight on it. The spam nobody can judge expires, bond back.
    await closeAfterWindow(e, revealed.map((i) => i.contentHash));
    expect((await holdings(e, spammers)) - before).to.equal(-2n * BOND);
    // Judged, the spam forfeits everything: the next epoch, the honest validator rejects it.
    await networkHelpers.time.increase(DAY);
    const again = [item(100n), item(100n)];
    await (await submitMany(e.registry, s1!, 3n, again)).wait();
    await networkHelpers.time.increase(REVEAL_WINDOW);
    for (const it of again) await (await e.attestations.connect(e.validator).attest(judge(it.contentHash, false))).wait();
    await closeAfterWindow(e, again.map((i) => i.contentHash));
    expect((await holdings(e, spammers)) - before).to.equal(-4n * BOND);
  });

  it("class 6: a rejection no longer erases content everywhere: it comes back, with a new bond, elsewhere", async function () {
    const e = await networkHelpers.loadFixture(economyFixture);
    const text = "an honest text two cheap validators dislike";
    const first = await submitted(e, e.honest, text);
    await networkHelpers.time.increase(REVEAL_WINDOW);
    for (const a of e.attackers) await (await e.attestations.connect(a).attest(judge(first, false))).wait();
    await closeAfterWindow(e, [first]);
    expect((await e.registry.getContribution(first)).status).to.equal(3n);
    const again = await submitted(e, e.honest, text, 2n);
    expect(again).to.equal(first);
    await networkHelpers.time.increase(REVEAL_WINDOW);
    await (await e.attestations.connect(e.validator).attest(judge(again, true))).wait();
    const record = await e.registry.getContribution(again);
    expect([record.id, record.datanetId, record.status]).to.deep.equal([2n, 2n, 2n]);
  });
});
