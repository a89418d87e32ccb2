import { getAddress, type Address, type Hex } from "viem";

import { rebuildModelLineage, type ModelLineage } from "../actions/models.ts";
import { AttributionStatus } from "../actions/attribution.ts";
import { ContributionStatus } from "../actions/contributions.ts";
import type { ProtocolClient } from "../client.ts";
import { rebuildRegistryState, type RegistryLog, type RegistryState } from "../history.ts";
import type { ProtocolEvent } from "../node/indexer.ts";

const key = (...parts: unknown[]) => parts.map(String).join(":");

export interface StakeRecord {
  datanetId: bigint;
  validator: Address;
  amount: bigint;
  unbondingEndsAt: number;
  generation: number;
}

/** A bonded-stake checkpoint: the amount from the end of second `at` on. */
export interface StakeCheckpoint {
  at: number;
  amount: bigint;
}

/** One validator's verdict on one contribution. */
export interface VerdictRecord {
  accept: boolean;
  weight: bigint;
  settled: boolean;
  /** What the rebuilt stake checkpoints say the verdict weighs (its stake at the snapshot, in weight units). */
  weightAtSnapshot: bigint;
  /** What its settlement credited from the forfeited bond. */
  credit: bigint;
}

/** A contribution's validation, by contribution id, as `tallyOf` reports it. */
export interface TallyRecord {
  contributionId: bigint;
  datanetId: bigint;
  acceptWeight: bigint;
  /** Sum of weight × quality over accepting verdicts while open; 0 once closed. */
  acceptQualityWeight: bigint;
  rejectWeight: bigint;
  /** All stake bonded on the datanet at the snapshot, in weight units (0 until the first verdict). */
  eligibleWeight: bigint;
  outcome: ContributionStatus;
  /** The closing epoch (0 while open). */
  epoch: number;
  /** Stake counts as bonded at the end of this second: the reveal's second − 1. */
  snapshotAt: number;
  /** The forfeited bond left to the rejecting validators. */
  forfeit: bigint;
  verdicts: Map<Address, VerdictRecord>;
}

/** Stake is weighed in units of 1e15 wei (the attestation contract's `WEIGHT_UNIT`). */
export const WEIGHT_UNIT = 10n ** 15n;

/** The amount in force at the end of second `at`: the latest checkpoint at or before it (0 before the first). */
export function checkpointAt(history: readonly StakeCheckpoint[] | undefined, at: number): bigint {
  return history?.findLast((c) => c.at <= at)?.amount ?? 0n;
}

export interface RewardPoolRecord {
  datanetId: bigint;
  epoch: bigint;
  funded: bigint;
  claimed: bigint;
  contributorBps: number;
  swept: boolean;
  claimants: Set<Address>;
}

export interface MerkleEpochRecord {
  address: Address;
  /** Epochs are keyed by (poster, poolId, epoch). */
  poster: Address;
  poolId: bigint;
  epoch: bigint;
  root: Hex;
  total: bigint;
  maxLeafAmount: bigint;
  expiresAt: number;
  claimed: bigint;
  claimedIndices: Set<bigint>;
  /** What each account was paid: at most the cap, since an account has one leaf. */
  paidTo: Map<Address, bigint>;
  swept: bigint;
}

export interface FeePoolRecord {
  modelId: bigint;
  epoch: bigint;
  fees: bigint;
  split: { contributorsBps: number; developerBps: number; validatorsBps: number; maxRecipientBps: number };
  status: AttributionStatus;
  challengeEndsAt: number;
  root: Hex;
  recordsHash: Hex;
  merkleTotal: bigint;
  released?: { developer: Address; developerAmount: bigint; protocolAmount: bigint; epochContract: Address };
}

/** Everything the protocol holds, rebuilt from events alone. Maps are keyed by `a:b:c` strings of the ids. */
export interface ProtocolState {
  registry: RegistryState;
  stakes: Map<string, StakeRecord>;
  /** Bonded-stake checkpoints by `datanetId:validator`, in time order. */
  stakeHistory: Map<string, StakeCheckpoint[]>;
  /** All bonded stake on a datanet, checkpointed, by datanet id. */
  totalStakeHistory: Map<bigint, StakeCheckpoint[]>;
  /** By contribution id: every contribution with a verdict or a closing. */
  tallies: Map<bigint, TallyRecord>;
  /** By `datanetId:contributor`, datanet 0 being the overall record. */
  reputation: Map<string, { datanetId: bigint; contributor: Address; accepted: number; rejected: number; qualitySum: bigint }>;
  agreement: Map<string, { datanetId: bigint; validator: Address; agreed: number; disagreed: number }>;
  /** By `datanetId:epoch:account`. */
  points: Map<string, { datanetId: bigint; epoch: bigint; account: Address; contributor: bigint; validator: bigint }>;
  epochTotals: Map<string, { datanetId: bigint; epoch: bigint; contributor: bigint; validator: bigint }>;
  rewardPools: Map<string, RewardPoolRecord>;
  merkleEpochs: Map<Address, MerkleEpochRecord>;
  baseModelCount: bigint;
  models: Map<bigint, ModelLineage>;
  feePools: Map<string, FeePoolRecord>;
  earnings: Map<Address, bigint>;
}

/**
 * Applies protocol events (in chain order) to an empty state: registry, stakes and their
 * checkpoints, tallies and verdicts, settlements, reputation, agreement, points, reward pools,
 * Merkle epochs, models and lineage, fee pools, attribution and developer earnings. No view is
 * called. Staking events must carry their block's timestamp (`indexProtocolEvents` adds it): stake
 * checkpoints are kept by time.
 */
export function rebuildProtocolState(client: ProtocolClient, events: readonly ProtocolEvent[]): ProtocolState {
  const c = client.deployment.contracts;
  const from = (address: Address) => (e: ProtocolEvent) => e.address === getAddress(address);
  const state: ProtocolState = {
    registry: rebuildRegistryState(events.filter(from(c.datanetRegistry)) as unknown as RegistryLog[]),
    stakes: new Map(),
    stakeHistory: new Map(),
    totalStakeHistory: new Map(),
    tallies: new Map(),
    reputation: new Map(),
    agreement: new Map(),
    points: new Map(),
    epochTotals: new Map(),
    rewardPools: new Map(),
    merkleEpochs: new Map(),
    baseModelCount: 0n,
    models: rebuildModelLineage(events.filter(from(c.modelFactory)) as never),
    feePools: new Map(),
    earnings: new Map(),
  };
  /** Per datanet, each reward split with the epoch it applies from (a policy change applies two epochs on). */
  const rewardBps = new Map<bigint, { fromEpoch: bigint; bps: number }[]>();
  const rewardBpsAt = (datanetId: bigint, epoch: bigint) =>
    (rewardBps.get(datanetId) ?? []).findLast((s) => s.fromEpoch <= epoch)?.bps ?? 0;
  const stake = (datanetId: bigint, validator: Address) => {
    const k = key(datanetId, getAddress(validator));
    let s = state.stakes.get(k);
    if (s === undefined) state.stakes.set(k, (s = { datanetId, validator: getAddress(validator), amount: 0n, unbondingEndsAt: 0, generation: 0 }));
    return s;
  };
  /** Records a change of a validator's bonded stake at the event's second, as `ValidatorStaking._checkpoint` does. */
  const checkpoint = (e: ProtocolEvent, datanetId: bigint, validator: Address, before: bigint, after: bigint) => {
    if (e.blockTimestamp === undefined) throw new Error(`${e.eventName} at block ${e.blockNumber} has no block timestamp: stake checkpoints need it`);
    const push = (history: StakeCheckpoint[], amount: bigint) => {
      // A second change in the same second replaces the checkpoint, as OpenZeppelin's Checkpoints do.
      if (history.at(-1)?.at === e.blockTimestamp) history.at(-1)!.amount = amount;
      else history.push({ at: e.blockTimestamp!, amount });
    };
    const k = key(datanetId, getAddress(validator));
    const own = state.stakeHistory.get(k) ?? [];
    state.stakeHistory.set(k, own);
    push(own, after);
    const total = state.totalStakeHistory.get(datanetId) ?? [];
    state.totalStakeHistory.set(datanetId, total);
    push(total, (total.at(-1)?.amount ?? 0n) + after - before);
  };
  const tally = (contributionId: bigint) => {
    let t = state.tallies.get(contributionId);
    if (t === undefined) {
      const c = state.registry.contributions.get(contributionId);
      if (c === undefined) throw new Error(`validation of contribution ${contributionId} before its ContributionSubmitted`);
      state.tallies.set(contributionId, (t = {
        contributionId,
        datanetId: c.datanetId,
        acceptWeight: 0n,
        acceptQualityWeight: 0n,
        rejectWeight: 0n,
        eligibleWeight: 0n,
        outcome: ContributionStatus.Pending,
        epoch: 0,
        snapshotAt: c.submittedAt - 1,
        forfeit: 0n,
        verdicts: new Map(),
      }));
    }
    return t;
  };
  const reputation = (datanetId: bigint, contributor: Address) => {
    const k = key(datanetId, getAddress(contributor));
    let r = state.reputation.get(k);
    if (r === undefined) state.reputation.set(k, (r = { datanetId, contributor: getAddress(contributor), accepted: 0, rejected: 0, qualitySum: 0n }));
    return r;
  };
  const points = (datanetId: bigint, epoch: bigint, account: Address) => {
    const k = key(datanetId, epoch, getAddress(account));
    let p = state.points.get(k);
    if (p === undefined) state.points.set(k, (p = { datanetId, epoch, account: getAddress(account), contributor: 0n, validator: 0n }));
    return p;
  };
  const totals = (datanetId: bigint, epoch: bigint) => {
    const k = key(datanetId, epoch);
    let t = state.epochTotals.get(k);
    if (t === undefined) state.epochTotals.set(k, (t = { datanetId, epoch, contributor: 0n, validator: 0n }));
    return t;
  };

  for (const e of events) {
    // Each case reads the fields of its own event, as the ABI declares them.
    const a = e.args as Record<string, any>;
    switch (e.eventName) {
      case "DatanetCreated":
      case "DatanetPolicyUpdated": {
        const schedule = rewardBps.get(a.datanetId) ?? [];
        const fromEpoch = e.eventName === "DatanetCreated" ? 0n : BigInt(a.effectiveEpoch);
        schedule.push({ fromEpoch, bps: (a.policy as { contributorRewardBps: number }).contributorRewardBps });
        rewardBps.set(a.datanetId, schedule);
        break;
      }
      case "Staked": {
        const s = stake(a.datanetId, a.validator);
        checkpoint(e, a.datanetId, a.validator, s.amount, a.newStake);
        s.amount = a.newStake;
        break;
      }
      case "UnbondRequested": {
        // The whole stake stops counting at once; it stays held (and slashable) until withdrawn.
        const s = stake(a.datanetId, a.validator);
        checkpoint(e, a.datanetId, a.validator, s.amount, 0n);
        s.unbondingEndsAt = a.unlocksAt;
        break;
      }
      case "StakeWithdrawn":
        Object.assign(stake(a.datanetId, a.validator), { amount: 0n, unbondingEndsAt: 0 });
        break;
      case "Slashed": {
        const s = stake(a.datanetId, a.validator);
        if (s.unbondingEndsAt === 0) checkpoint(e, a.datanetId, a.validator, s.amount, a.remaining);
        s.amount = a.remaining;
        break;
      }
      case "SignatureGenerationBumped":
        stake(a.datanetId, a.validator).generation = a.generation;
        break;
      case "VerdictRecorded": {
        const t = tally(a.contributionId);
        const validator = getAddress(a.validator);
        const weight = a.weight as bigint;
        // The first verdict fixes the stake the window is measured against.
        if (t.verdicts.size === 0) t.eligibleWeight = checkpointAt(state.totalStakeHistory.get(t.datanetId), t.snapshotAt) / WEIGHT_UNIT;
        if (a.accept) {
          t.acceptWeight += weight;
          t.acceptQualityWeight += weight * BigInt(a.quality);
        } else {
          t.rejectWeight += weight;
        }
        const weightAtSnapshot = checkpointAt(state.stakeHistory.get(key(t.datanetId, validator)), t.snapshotAt) / WEIGHT_UNIT;
        t.verdicts.set(validator, { accept: a.accept, weight, settled: false, weightAtSnapshot, credit: 0n });
        break;
      }
      case "ValidationClosed": {
        const t = tally(a.contributionId);
        Object.assign(t, { outcome: a.outcome as ContributionStatus, epoch: a.epoch, acceptQualityWeight: 0n, forfeit: a.validatorsShare, eligibleWeight: a.eligibleWeight });
        if (a.outcome === ContributionStatus.Expired) break;
        const accepted = a.outcome === ContributionStatus.Accepted;
        for (const datanetId of [a.datanetId as bigint, 0n]) {
          const r = reputation(datanetId, a.contributor);
          if (accepted) {
            r.accepted += 1;
            r.qualitySum += BigInt(a.quality);
          } else r.rejected += 1;
        }
        const epoch = BigInt(a.epoch);
        points(a.datanetId, epoch, a.contributor).contributor += a.contributorPoints as bigint;
        totals(a.datanetId, epoch).contributor += a.contributorPoints as bigint;
        // The validators' total counts the accepting stake at closing, settled or not.
        if (accepted) totals(a.datanetId, epoch).validator += a.acceptWeight as bigint;
        break;
      }
      case "VerdictSettled": {
        const t = tally(a.contributionId);
        const validator = getAddress(a.validator);
        const verdict = t.verdicts.get(validator);
        if (verdict === undefined) throw new Error(`settlement of ${validator} on contribution ${a.contributionId} without its VerdictRecorded`);
        verdict.settled = true;
        verdict.credit = a.credit;
        // An expired contribution counts in no agreement statistic.
        if (t.outcome === ContributionStatus.Expired) break;
        const k = key(a.datanetId, validator);
        let g = state.agreement.get(k);
        if (g === undefined) state.agreement.set(k, (g = { datanetId: a.datanetId, validator, agreed: 0, disagreed: 0 }));
        if (a.agreed) g.agreed += 1;
        else g.disagreed += 1;
        if (a.points !== 0n) points(a.datanetId, BigInt(a.epoch), validator).validator += a.points as bigint;
        break;
      }
      case "RewardsFunded": {
        const k = key(a.datanetId, a.epoch);
        const pool = state.rewardPools.get(k) ?? {
          datanetId: a.datanetId,
          epoch: a.epoch,
          funded: 0n,
          claimed: 0n,
          contributorBps: rewardBpsAt(a.datanetId, a.epoch),
          swept: false,
          claimants: new Set<Address>(),
        };
        pool.funded = a.fundedTotal;
        state.rewardPools.set(k, pool);
        break;
      }
      case "RewardsClaimed": {
        const pool = state.rewardPools.get(key(a.datanetId, a.epoch));
        if (pool !== undefined) {
          pool.claimed += (a.contributorShare as bigint) + (a.validatorShare as bigint);
          pool.claimants.add(getAddress(a.account));
        }
        break;
      }
      case "RewardsSwept": {
        const pool = state.rewardPools.get(key(a.datanetId, a.epoch));
        if (pool !== undefined) pool.swept = true;
        break;
      }
      case "RootPosted":
        state.merkleEpochs.set(getAddress(a.epochContract), {
          address: getAddress(a.epochContract),
          poster: getAddress(a.poster),
          poolId: a.poolId,
          epoch: a.epoch,
          root: a.root,
          total: a.total,
          maxLeafAmount: a.maxLeafAmount,
          expiresAt: a.expiresAt,
          claimed: 0n,
          claimedIndices: new Set(),
          paidTo: new Map(),
          swept: 0n,
        });
        break;
      case "Claimed": {
        const epoch = state.merkleEpochs.get(e.address);
        if (epoch !== undefined) {
          epoch.claimed += a.amount as bigint;
          epoch.claimedIndices.add(a.index);
          const account = getAddress(a.account);
          epoch.paidTo.set(account, (epoch.paidTo.get(account) ?? 0n) + (a.amount as bigint));
        }
        break;
      }
      case "Swept": {
        const epoch = state.merkleEpochs.get(e.address);
        if (epoch !== undefined) epoch.swept += a.amount as bigint;
        break;
      }
      case "BaseModelRegistered":
        state.baseModelCount += 1n;
        break;
      case "FeePoolOpened":
        state.feePools.set(key(a.modelId, a.epoch), {
          modelId: a.modelId,
          epoch: a.epoch,
          fees: 0n,
          split: a.split,
          status: AttributionStatus.None,
          challengeEndsAt: 0,
          root: `0x${"00".repeat(32)}`,
          recordsHash: `0x${"00".repeat(32)}`,
          merkleTotal: 0n,
        });
        break;
      case "InferenceFeesPaid": {
        const pool = state.feePools.get(key(a.modelId, a.epoch));
        if (pool !== undefined) pool.fees = a.poolFees;
        break;
      }
      case "AttributionProposed": {
        const pool = state.feePools.get(key(a.modelId, a.epoch));
        if (pool !== undefined) Object.assign(pool, { status: AttributionStatus.Proposed, root: a.root, merkleTotal: a.merkleTotal, recordsHash: a.recordsHash, challengeEndsAt: a.challengeEndsAt });
        break;
      }
      case "AttributionRejected": {
        const pool = state.feePools.get(key(a.modelId, a.epoch));
        if (pool !== undefined) pool.status = AttributionStatus.Rejected;
        break;
      }
      case "AttributionReleased": {
        const pool = state.feePools.get(key(a.modelId, a.epoch));
        if (pool !== undefined) {
          pool.status = AttributionStatus.Released;
          pool.released = { developer: getAddress(a.developer), developerAmount: a.developerAmount, protocolAmount: a.protocolAmount, epochContract: getAddress(a.epochContract) };
        }
        state.earnings.set(getAddress(a.developer), (state.earnings.get(getAddress(a.developer)) ?? 0n) + (a.developerAmount as bigint));
        break;
      }
      case "UnattributedFeesSwept": {
        const pool = state.feePools.get(key(a.modelId, a.epoch));
        if (pool !== undefined) pool.status = AttributionStatus.Unattributed;
        break;
      }
      case "EarningsWithdrawn":
        state.earnings.set(getAddress(a.account), (state.earnings.get(getAddress(a.account)) ?? 0n) - (a.amount as bigint));
        break;
      default:
        break;
    }
  }
  return state;
}
