/**
 * The rational attacker of issue 13, played with real OPEN on the embedded network. Each class is
 * played twice from the same snapshot: by the rules (the attacker's accounts do only what an honest
 * participant would, usually nothing) and with the attack. Holdings are measured before and after
 * each play (wallet, registry credit, stakes; pools are claimed at the end of a play):
 *
 * - `attackerNetOpen`: what the attacker ends with in the attack minus what it ends with by the rules;
 * - `honestLossOpen`: how much less the honest participants end with in the attack than by the rules
 *   (0 when they end with as much or more, as when rejecting the attacker's junk earns them its bonds);
 * - `blocked`: the attacker gained nothing, the honest lost nothing, and the defence's own checks held
 *   (the revert that stops the attack, the outcome stake decided...), all read from the chain.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Interface } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import { concat, formatUnits, keccak256, type Address, type Hex } from "viem";

import { REVEAL_WINDOW, hashContent, randomSalt, submissionCommitment } from "../../sdk/actions/contributions.ts";
import { buildMerkleEpoch, epochLeafHash } from "../../sdk/merkle.ts";
import { datanetPolicy } from "../../sdk/policy.ts";
import { deployProtocol } from "../lib/deploy.ts";
import { OPEN } from "./harness.ts";
import type { AttackResult } from "./results.ts";

const HOUR = 3_600;
const BOND = 10n * OPEN;
const POOL = 1_000n * OPEN;
const Status = { Pending: 1n, Accepted: 2n, Rejected: 3n };


/** One datanet for judged contributions (1) and one whose 400-byte daily quota a few items fill (2). */
const mainPolicy = datanetPolicy({
  maxBytesPerContribution: 100n,
  maxContributionsPerContributorPerEpoch: 10,
  maxBytesPerContributorPerEpoch: 1_000n,
  maxBytesPerDatanetPerEpoch: 10_000n,
  minValidatorStake: 1_000n * OPEN,
  quorum: 1,
  acceptanceThresholdBps: 6_667,
  submissionBond: BOND,
  validationWindow: HOUR,
});
const smallPolicy = { ...mainPolicy, maxBytesPerContributorPerEpoch: 400n, maxBytesPerDatanetPerEpoch: 400n };

/**
 * The economy every class starts from: an honest contributor, an honest validator with 50,000 OPEN
 * staked on both datanets, a large validator with 1,000,000 OPEN to stake, a funder, and the
 * attacker's accounts: two minimum-stake (1,000 OPEN) validators and five throwaway contributors, one
 * of them holding 3,000,000 OPEN.
 */
async function economy(connection: NetworkConnection) {
  const { ethers } = connection;
  const [admin, owner, honest, validator, whale, funder, a1, a2, ...rest] = await ethers.getSigners();
  const throwaways = rest.slice(0, 5) as HardhatEthersSigner[];
  const deployment = await deployProtocol(connection);
  const c = deployment.contracts;
  const registry = await ethers.getContractAt("DatanetRegistry", c.datanetRegistry);
  const staking = await ethers.getContractAt("ValidatorStaking", c.validatorStaking);
  const attestations = await ethers.getContractAt("AttestationRegistry", c.attestationRegistry);
  const pools = await ethers.getContractAt("RewardPools", c.rewardPools);
  const token = await ethers.getContractAt("OpenToken", c.openToken);
  const distributor = await ethers.getContractAt("MerkleEpochDistributor", c.merkleEpochDistributor);
  await (await registry.connect(owner!).createDatanet(0, "ipfs://attacks/main", mainPolicy)).wait();
  await (await registry.connect(owner!).createDatanet(0, "ipfs://attacks/small", smallPolicy)).wait();
  const funded: [HardhatEthersSigner, bigint][] = [
    [honest!, 1_000n],
    [validator!, 100_000n],
    [whale!, 1_000_000n],
    [funder!, 10_000n],
    [a1!, 10_000n],
    [a2!, 10_000n],
    ...throwaways.map((t, i): [HardhatEthersSigner, bigint] => [t, i === 0 ? 3_000_000n : 1_000n]),
  ];
  for (const [account, amount] of funded) {
    await (await token.connect(admin!).transfer(account.address, amount * OPEN)).wait();
    for (const spender of [registry, staking, pools]) await (await token.connect(account).approve(await spender.getAddress(), 2n ** 255n)).wait();
  }
  await (await token.connect(admin!).approve(await distributor.getAddress(), 2n ** 255n)).wait();
  for (const datanetId of [1n, 2n]) await (await staking.connect(validator!).stake(datanetId, 50_000n * OPEN)).wait();
  for (const a of [a1!, a2!]) await (await staking.connect(a).stake(1n, 1_000n * OPEN)).wait();
  const { createdAt } = await registry.getDatanet(1n);
  const epochAt = (address: string) => ethers.getContractAt("MerkleEpoch", address);
  return {
    ...{ registry, staking, attestations, pools, token, distributor, epochAt, createdAt },
    ...{ admin: admin!, owner: owner!, honest: honest!, validator: validator!, whale: whale!, funder: funder! },
    attackers: [a1!, a2!],
    throwaways,
  };
}

type Economy = Awaited<ReturnType<typeof economy>>;
type Account = { address: string };

/** How a class is played: who is whom, and one play by the rules or with the attack. */
interface AttackClass {
  attack: string;
  attacker: (e: Economy) => Account[];
  honest: (e: Economy) => Account[];
  /** Plays the class; with `attack` returns the defence's checks (each must hold). */
  play: (e: Economy, tools: Tools, attack: boolean) => Promise<Record<string, boolean>>;
}

/** Everything an account holds in OPEN: wallet, registry credit, and stakes on both datanets. */
async function holdings(e: Economy, accounts: Account[]) {
  let total = 0n;
  for (const { address } of accounts) {
    total += (await e.token.balanceOf(address)) + (await e.registry.creditOf(address));
    for (const datanetId of [1n, 2n]) total += (await e.staking.stakeOf(datanetId, address)).amount;
  }
  return total;
}

/** A contract whose custom errors a revert may carry. */
type Decoder = { interface: Pick<Interface, "parseError"> };

/** The custom error a failed transaction reverted with, or `undefined` when it succeeded. */
async function revertOf(tx: Promise<{ wait(): Promise<unknown> }>, contracts: Decoder[]): Promise<string | undefined> {
  try {
    await (await tx).wait();
    return undefined;
  } catch (error) {
    const data = (error as { data?: string }).data;
    for (const contract of contracts) {
      const parsed = data === undefined ? null : contract.interface.parseError(data);
      if (parsed) return parsed.name;
    }
    throw error;
  }
}

function toolsFor(connection: NetworkConnection, e: Economy) {
  const time = connection.networkHelpers.time;
  /** Moves the clock to `timestamp` unless it is already there. */
  const advanceTo = async (timestamp: bigint) => {
    if (BigInt(await time.latest()) < timestamp) await time.increaseTo(timestamp);
  };
  const verdict = (contentHash: string, accept: boolean) => ({ contentHash, accept, quality: accept ? 90 : 0, reasonCode: accept ? 0 : 4 });
  let counter = 0;
  const item = (sizeBytes: bigint, text = `attack bench item ${counter++}`) => ({
    contentHash: hashContent(text).contentHash,
    sizeBytes,
    uri: `ipfs://attacks/${counter}`,
  });
  type Item = ReturnType<typeof item>;

  /** Commits to `items` (reserving their bytes, paying their bonds) and returns the salt. */
  function commitTx(signer: HardhatEthersSigner, datanetId: bigint, items: Item[], salt: Hex) {
    const commitment = submissionCommitment({ contributor: signer.address as Hex, datanetId, contentHashes: items.map((i) => i.contentHash), salt });
    const reserved = items.reduce((sum, i) => sum + i.sizeBytes, 0n);
    return { commitment, tx: e.registry.connect(signer).commitSubmission(datanetId, commitment, items.length, reserved) };
  }
  async function commit(signer: HardhatEthersSigner, datanetId: bigint, items: Item[]) {
    const salt = randomSalt();
    const { commitment, tx } = commitTx(signer, datanetId, items, salt);
    await (await tx).wait();
    return { salt, commitment };
  }
  const reveal = (signer: HardhatEthersSigner, datanetId: bigint, items: Item[], salt: Hex) =>
    items.length === 1
      ? e.registry.connect(signer).submit(datanetId, items[0]!.contentHash, items[0]!.sizeBytes, items[0]!.uri, salt)
      : e.registry.connect(signer).submitBatch(datanetId, items, salt);
  /** Commits and reveals `items`; returns their hashes. */
  async function submit(signer: HardhatEthersSigner, datanetId: bigint, items: Item[]) {
    const { salt } = await commit(signer, datanetId, items);
    await (await reveal(signer, datanetId, items, salt)).wait();
    return items.map((i) => i.contentHash);
  }
  const attest = async (validator: HardhatEthersSigner, hash: string, accept: boolean) =>
    (await e.attestations.connect(validator).attest(verdict(hash, accept))).wait();
  const openVoting = () => time.increase(REVEAL_WINDOW);
  const status = async (hash: string) => (await e.registry.getContribution(hash)).status;

  /**
   * Ends the play: closes what is still pending after its window, settles every verdict, moves past
   * the epoch and claims its pool for everyone (a claim with nothing to pay is refused, and skipped).
   */
  async function settleAndClaim(hashes: string[], validators: HardhatEthersSigner[], claimants: Account[], datanetId = 1n) {
    const ids = [];
    for (const hash of hashes) {
      const record = await e.registry.getContribution(hash);
      ids.push(record.id);
      if (record.status === Status.Pending) {
        await advanceTo(record.votingEndsAt);
        await (await e.attestations.finalize(hash)).wait();
      }
    }
    for (const v of validators) {
      const judged = [];
      for (const id of ids) if ((await e.attestations.verdictOf(id, v.address)).attested) judged.push(id);
      if (judged.length > 0) await (await e.attestations.settle(v.address, judged)).wait();
    }
    const epochs = new Set<bigint>();
    for (const id of ids) epochs.add((await e.attestations.tallyOf(id)).epoch);
    const lastEpoch = [...epochs].reduce((a, b) => (a > b ? a : b), 0n);
    const { policy } = await e.registry.getDatanet(datanetId);
    await advanceTo(e.createdAt + (lastEpoch + 1n) * policy.epochLength);
    for (const account of claimants) {
      const signer = account as HardhatEthersSigner;
      const refused = await revertOf(e.pools.connect(signer).claim(datanetId, [...epochs]), [e.pools]);
      if (refused !== undefined && refused !== "NothingToClaim") throw new Error(`claim by ${account.address}: ${refused}`);
    }
  }

  /** Funds the current epoch of datanet 1 (or `epoch`) with 1,000 OPEN from the funder. */
  const fund = async (epoch?: bigint, datanetId = 1n) =>
    (await e.pools.connect(e.funder).fund(datanetId, epoch ?? (await e.registry.currentEpoch(datanetId)), POOL)).wait();

  return { time, item, commitTx, commit, reveal, submit, attest, openVoting, status, settleAndClaim, fund, revertOf };
}

type Tools = ReturnType<typeof toolsFor>;

/** The defence's checks of a play: none when it was played by the rules. */
const onlyInAttack = (attack: boolean, checks: Record<string, boolean>) => (attack ? checks : {});

/** Bit `depth` of an address, from the most significant: the side of the Merkle trie it sits on. */
const bit = (account: string, depth: number) => Number((BigInt(account) >> BigInt(159 - depth)) & 1n);
/** An honest recipient on the other side of the trie's root from the class 9 attacker. */
const otherSide = (e: Economy) => {
  const found = [e.honest, e.validator, e.whale, e.funder].find((a) => bit(a.address, 0) !== bit(e.throwaways[0]!.address, 0));
  if (found === undefined) throw new Error("class 9 needs an honest account on the other side of the trie from the attacker");
  return found;
};

export const ATTACK_CLASSES: AttackClass[] = [
  {
    attack: "1: first movers decide (two 1,000-OPEN validators against a 1,000,000-OPEN one; stake bonded after the reveal)",
    attacker: (e) => [...e.attackers, e.throwaways[0]!],
    honest: (e) => [e.honest, e.validator, e.whale, e.funder],
    async play(e, t, attack) {
      await (await e.staking.connect(e.whale).stake(1n, 1_000_000n * OPEN)).wait();
      await t.fund();
      const [good] = await t.submit(e.honest, 1n, [t.item(10n)]);
      const checks: Record<string, boolean> = {};
      const late = e.throwaways[0]!;
      if (attack) await (await e.staking.connect(late).stake(1n, 2_000_000n * OPEN)).wait();
      await t.openVoting();
      if (attack) {
        const refused = await t.revertOf(e.attestations.connect(late).attest({ contentHash: good!, accept: false, quality: 0, reasonCode: 4 }), [e.attestations]);
        checks["a stake bonded after the reveal has no weight"] = refused === "ValidatorNotActive";
        for (const a of e.attackers) await t.attest(a, good!, false);
        checks["two first movers decide nothing"] = (await t.status(good!)) === Status.Pending;
      }
      await t.attest(e.whale, good!, true);
      checks["the large stake's verdict decides"] = (await t.status(good!)) === Status.Accepted;
      await t.settleAndClaim([good!], [e.whale, ...e.attackers], [e.honest, e.whale, ...e.attackers]);
      return checks;
    },
  },
  {
    attack: "2: farming validator rewards by rejecting one's own junk (bonds from throwaway contributors, min-stake validators)",
    attacker: (e) => [...e.attackers, ...e.throwaways],
    honest: (e) => [e.honest, e.validator, e.funder],
    async play(e, t, attack) {
      await t.fund();
      const [good] = await t.submit(e.honest, 1n, [t.item(10n)]);
      const junk: string[] = [];
      if (attack) for (const thrower of e.throwaways) junk.push(...(await t.submit(thrower, 1n, [t.item(10n)])));
      await t.openVoting();
      await t.attest(e.validator, good!, true);
      for (const hash of junk) for (const a of e.attackers) await t.attest(a, hash, false);
      await t.settleAndClaim([good!, ...junk], [e.validator, ...e.attackers], [e.honest, e.validator, ...e.attackers, ...e.throwaways]);
      const rejected = await Promise.all(junk.map(async (h) => (await t.status(h)) === Status.Rejected));
      return onlyInAttack(attack, { "the junk is rejected and its bonds forfeited": rejected.every(Boolean) });
    },
  },
  {
    attack: "3: dodging a rejection by withdrawing once verdicts are open",
    attacker: (e) => [e.throwaways[0]!],
    honest: (e) => [e.honest, e.validator, e.funder],
    async play(e, t, attack) {
      const dodger = e.throwaways[0]!;
      await t.fund();
      const [good] = await t.submit(e.honest, 1n, [t.item(10n)]);
      const checks: Record<string, boolean> = {};
      let junk: string | undefined;
      if (attack) {
        // Withdrawn before verdicts open: nothing seen, bond lost. Then one left until a verdict shows.
        const [early] = await t.submit(dodger, 1n, [t.item(10n)]);
        await (await e.registry.connect(dodger).withdraw(early!)).wait();
        [junk] = await t.submit(dodger, 1n, [t.item(10n)]);
      }
      await t.openVoting();
      await t.attest(e.validator, good!, true);
      if (junk !== undefined) {
        const refused = await t.revertOf(e.registry.connect(dodger).withdraw(junk), [e.registry]);
        checks["withdrawing after verdicts open is refused"] = refused === "WithdrawalClosed";
        await t.attest(e.validator, junk, false);
      }
      await t.settleAndClaim(junk === undefined ? [good!] : [good!, junk], [e.validator], [e.honest, e.validator, dodger]);
      if (attack) checks["the rejection is on the dodger's record"] = (await e.attestations.reputationOf(1n, dodger.address)).rejected === 1n;
      return checks;
    },
  },
  {
    attack: "4: filling a datanet's byte quota with Sybil spam (two Sybils, one commitment never revealed)",
    attacker: (e) => e.throwaways.slice(1, 3),
    honest: (e) => [e.honest, e.validator],
    async play(e, t, attack) {
      const [s1, s2] = e.throwaways.slice(1, 3);
      const checks: Record<string, boolean> = {};
      const before = await holdings(e, [s1!, s2!]);
      const hashes: string[] = [];
      if (attack) {
        // 400 bytes a day: four 100-byte items fill it, two revealed and two only reserved.
        hashes.push(...(await t.submit(s1!, 2n, [t.item(100n), t.item(100n)])));
        const hidden = await t.commit(s2!, 2n, [t.item(100n), t.item(100n)]);
        const refused = await t.revertOf(t.commitTx(e.honest, 2n, [t.item(10n)], randomSalt()).tx, [e.registry]);
        checks["the honest commit is refused for quota, and pays nothing"] = refused === "DatanetBytesQuotaExceeded";
        await t.time.increase(REVEAL_WINDOW + 1);
        await (await e.registry.lapseCommitment(s2!.address, hidden.commitment)).wait();
        for (const hash of hashes) await t.attest(e.validator, hash, false);
      } else {
        hashes.push(...(await t.submit(e.honest, 2n, [t.item(10n)])));
        await t.openVoting();
        await t.attest(e.validator, hashes[0]!, true);
      }
      await t.settleAndClaim(hashes, [e.validator], [], 2n);
      if (attack) checks["the spam cost at least its four bonds"] = before - (await holdings(e, [s1!, s2!])) >= 4n * BOND;
      return checks;
    },
  },
  {
    attack: "5a: copying a hash from a pending reveal and revealing first",
    attacker: (e) => [e.throwaways[0]!],
    honest: (e) => [e.honest, e.validator, e.funder],
    async play(e, t, attack) {
      const thief = e.throwaways[0]!;
      await t.fund();
      const text = t.item(42n, "the victim's carefully written text");
      const { salt } = await t.commit(e.honest, 1n, [text]);
      // The victim's reveal waits in the mempool; the thief reads the hash, commits and reveals first.
      if (attack) await t.submit(thief, 1n, [text]);
      await (await t.reveal(e.honest, 1n, [text], salt)).wait();
      const record = await e.registry.getContribution(text.contentHash);
      await t.openVoting();
      await t.attest(e.validator, text.contentHash, true);
      await t.settleAndClaim([text.contentHash], [e.validator], [e.honest, e.validator, thief]);
      return onlyInAttack(attack, { "the older commitment gets the content": record.contributor === e.honest.address });
    },
  },
  {
    attack: "5b: filling the quota a pending reveal needs, to make it fail and expose its hash",
    attacker: (e) => e.throwaways.slice(1, 2),
    honest: (e) => [e.honest, e.validator],
    async play(e, t, attack) {
      const squeezer = e.throwaways[1]!;
      const text = t.item(100n);
      const { salt } = await t.commit(e.honest, 2n, [text]);
      const spam = attack ? await t.submit(squeezer, 2n, [t.item(100n), t.item(100n), t.item(100n)]) : [];
      const refused = await t.revertOf(t.reveal(e.honest, 2n, [text], salt), [e.registry]);
      await t.openVoting();
      await t.attest(e.validator, text.contentHash, true);
      for (const hash of spam) await t.attest(e.validator, hash, false);
      await t.settleAndClaim([text.contentHash, ...spam], [e.validator], [], 2n);
      return onlyInAttack(attack, { "the reserved reveal succeeds": refused === undefined });
    },
  },
  {
    attack: "7: owner rug of a funded epoch (quorum 1, 1-wei minimum stake, allowlist-only, all to contributors)",
    attacker: (e) => [e.owner, e.throwaways[0]!],
    honest: (e) => [e.honest, e.validator, e.funder],
    async play(e, t, attack) {
      const sybil = e.throwaways[0]!;
      await t.fund(1n);
      const checks: Record<string, boolean> = {};
      if (attack) {
        const rigged = { ...mainPolicy, quorum: 1, minValidatorStake: 1n, allowlistOnly: true, contributorRewardBps: 10_000 };
        await (await e.registry.connect(e.owner).updatePolicy(1n, rigged)).wait();
        await (await e.registry.connect(e.owner).setAllowlisted(1n, [sybil.address], true)).wait();
        await (await e.registry.connect(e.owner).setAllowlisted(1n, [e.honest.address], false)).wait();
      }
      await t.time.increaseTo(e.createdAt + BigInt(mainPolicy.epochLength)); // epoch 1, the funded one
      const terms = await e.registry.epochTerms(1n, 1n);
      const [good] = await t.submit(e.honest, 1n, [t.item(10n)]);
      const junk = attack ? await t.submit(sybil, 1n, [t.item(10n)]) : [];
      await t.openVoting();
      if (attack) {
        checks["the funded epoch keeps its terms"] =
          terms.quorum === BigInt(mainPolicy.quorum) && terms.minValidatorStake === mainPolicy.minValidatorStake && !terms.allowlistOnly && terms.contributorRewardBps === BigInt(mainPolicy.contributorRewardBps);
        const refused = await t.revertOf(e.attestations.connect(e.owner).attest({ contentHash: junk[0]!, accept: true, quality: 100, reasonCode: 0 }), [e.attestations]);
        checks["the owner's unstaked verdict is refused"] = refused === "ValidatorNotActive";
        await t.attest(e.validator, junk[0]!, false);
      }
      await t.attest(e.validator, good!, true);
      await t.settleAndClaim([good!, ...junk], [e.validator], [e.honest, e.validator, e.owner, sybil]);
      return checks;
    },
  },
  {
    attack: "8: a 1-wei deposit to freeze a future epoch's reward split",
    attacker: (e) => [e.throwaways[0]!],
    honest: (e) => [e.honest, e.validator, e.funder],
    async play(e, t, attack) {
      const stranger = e.throwaways[0]!;
      const checks: Record<string, boolean> = {};
      if (attack) {
        const refused = await t.revertOf(e.pools.connect(stranger).fund(1n, 2n, 1n), [e.pools]);
        checks["a deposit into an epoch whose terms are not fixed is refused"] = refused === "EpochTermsNotFixed";
      }
      // The owner moves contributors to 90% from epoch 2, as it may; a funder funds epoch 2 later.
      await (await e.registry.connect(e.owner).updatePolicy(1n, { ...mainPolicy, contributorRewardBps: 9_000 })).wait();
      await t.time.increaseTo(e.createdAt + 2n * BigInt(mainPolicy.epochLength));
      await t.fund(2n);
      const [good] = await t.submit(e.honest, 1n, [t.item(10n)]);
      await t.openVoting();
      await t.attest(e.validator, good!, true);
      await t.settleAndClaim([good!], [e.validator], [e.honest, e.validator]);
      if (attack) checks["the epoch pays the owner's split, fixed on time"] = (await e.pools.poolOf(1n, 2n)).contributorBps === 9_000n;
      return checks;
    },
  },
  {
    attack: "9: two leaves for one account in a Merkle epoch, each at the per-account cap",
    attacker: (e) => [e.throwaways[0]!],
    honest: (e) => [otherSide(e)],
    async play(e, _t, attack) {
      const cap = 100n * OPEN;
      const [A, B] = [e.throwaways[0]!.address as Address, otherSide(e).address as Address];
      const checks: Record<string, boolean> = {};
      const claims: { index: bigint; account: Address; proof: Hex[] }[] = [];
      let root: Hex;
      let total: bigint;
      if (attack) {
        // A hand-made trie: leaf 0 on A's path, leaf 1 (A's too) beside it, B's leaf 2 on the other side.
        const leaf = (index: bigint, account: Address) => epochLeafHash({ index, account, amount: cap });
        const node = (account: string, depth: number, onPath: Hex, other: Hex) =>
          keccak256(bit(account, depth) === 1 ? concat([other, onPath]) : concat([onPath, other]));
        const pathNode = node(A, 1, leaf(0n, A), leaf(1n, A));
        root = node(A, 0, pathNode, leaf(2n, B));
        total = 3n * cap;
        claims.push({ index: 0n, account: A, proof: [leaf(1n, A), leaf(2n, B)] }, { index: 1n, account: A, proof: [leaf(0n, A), leaf(2n, B)] }, { index: 2n, account: B, proof: [pathNode] });
      } else {
        const epoch = buildMerkleEpoch([{ account: A, amount: cap }, { account: B, amount: cap }]);
        ({ root, total } = epoch);
        for (const l of epoch.leaves) claims.push({ ...epoch.claim(l.index), account: l.account });
      }
      const epochId = attack ? 2n : 1n;
      await (await e.distributor.connect(e.admin).postRoot(9n, epochId, root, total, cap, `0x${"00".repeat(32)}`)).wait();
      const contract = await e.epochAt(await e.distributor.epochContract(e.admin.address, 9n, epochId));
      const refusals = [];
      for (const c of claims) refusals.push(await revertOf(contract.claim(c.index, c.account, cap, c.proof), [contract]));
      if (attack) checks["the second leaf of one account is refused"] = refusals[1] === "InvalidProof" && refusals[0] === undefined && refusals[2] === undefined;
      return checks;
    },
  },
];

const open = (wei: bigint) => formatUnits(wei, 18);

/** Plays every class (by the rules, then with the attack) and returns the rows of `bench/attacks.json`. */
export async function playAttacks(connection: NetworkConnection, log: (line: string) => void = () => {}): Promise<AttackResult[]> {
  const fixture = async () => economy(connection);
  const rows: AttackResult[] = [];
  for (const cls of ATTACK_CLASSES) {
    const net: Record<"rules" | "attack", { attacker: bigint; honest: bigint }> = { rules: { attacker: 0n, honest: 0n }, attack: { attacker: 0n, honest: 0n } };
    let checks: Record<string, boolean> = {};
    for (const mode of ["rules", "attack"] as const) {
      const e = await connection.networkHelpers.loadFixture(fixture);
      const [attacker, honest] = [cls.attacker(e), cls.honest(e)];
      const before = { attacker: await holdings(e, attacker), honest: await holdings(e, honest) };
      checks = await cls.play(e, toolsFor(connection, e), mode === "attack");
      net[mode] = { attacker: (await holdings(e, attacker)) - before.attacker, honest: (await holdings(e, honest)) - before.honest };
    }
    const attackerNet = net.attack.attacker - net.rules.attacker;
    const honestShortfall = net.rules.honest - net.attack.honest;
    const honestLoss = honestShortfall > 0n ? honestShortfall : 0n;
    const failed = Object.entries(checks).filter(([, held]) => !held).map(([check]) => check);
    const blocked = attackerNet <= 0n && honestLoss === 0n && Object.keys(checks).length > 0 && failed.length === 0;
    rows.push({ attack: cls.attack, attackerNetOpen: open(attackerNet), honestLossOpen: open(honestLoss), blocked });
    log(`${blocked ? "blocked" : "NOT BLOCKED"}  ${cls.attack}: attacker ${open(attackerNet)} OPEN, honest loss ${open(honestLoss)} OPEN${failed.length ? ` (failed: ${failed.join("; ")})` : ""}`);
  }
  return rows;
}
