import { getAddress, type Address, type Hex } from "viem";

import { rebuildModelLineage, type ModelLineage } from "../actions/models.ts";
import type { ProtocolClient } from "../client.ts";
import { rebuildRegistryState, type RegistryLog, type RegistryState } from "../history.ts";
import type { ProtocolEvent } from "./indexer.ts";

const key = (...parts: unknown[]) => parts.map(String).join(":");

export interface StakeRecord {
  datanetId: bigint;
  validator: Address;
  amount: bigint;
  unbondingEndsAt: number;
  generation: number;
}

export interface TallyRecord {
  acceptWeight: bigint;
  rejectWeight: bigint;
  acceptQualityWeight: bigint;
  voters: { validator: Address; accept: boolean }[];
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
  status: number;
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
  tallies: Map<Hex, TallyRecord>;
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
 * Applies protocol events (in chain order) to an empty state: registry, stakes, tallies,
 * reputation, agreement, points, reward pools, Merkle epochs, models and lineage, fee pools,
 * attribution and developer earnings. No view is called.
 */
export function rebuildProtocolState(client: ProtocolClient, events: readonly ProtocolEvent[]): ProtocolState {
  const c = client.deployment.contracts;
  const from = (address: Address) => (e: ProtocolEvent) => e.address === getAddress(address);
  const state: ProtocolState = {
    registry: rebuildRegistryState(events.filter(from(c.datanetRegistry)) as unknown as RegistryLog[]),
    stakes: new Map(),
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
      case "Staked":
        stake(a.datanetId, a.validator).amount = a.newStake;
        break;
      case "UnbondRequested":
        stake(a.datanetId, a.validator).unbondingEndsAt = a.unlocksAt;
        break;
      case "StakeWithdrawn":
        Object.assign(stake(a.datanetId, a.validator), { amount: 0n, unbondingEndsAt: 0 });
        break;
      case "Slashed":
        stake(a.datanetId, a.validator).amount = a.remaining;
        break;
      case "SignatureGenerationBumped":
        stake(a.datanetId, a.validator).generation = a.generation;
        break;
      case "VerdictRecorded": {
        let t = state.tallies.get(a.contentHash);
        if (t === undefined) state.tallies.set(a.contentHash, (t = { acceptWeight: 0n, rejectWeight: 0n, acceptQualityWeight: 0n, voters: [] }));
        if (a.accept) {
          t.acceptWeight += a.weight as bigint;
          t.acceptQualityWeight += (a.weight as bigint) * BigInt(a.quality);
        } else {
          t.rejectWeight += a.weight as bigint;
        }
        t.voters.push({ validator: getAddress(a.validator), accept: a.accept });
        break;
      }
      case "QuorumReached": {
        for (const datanetId of [a.datanetId as bigint, 0n]) {
          const r = reputation(datanetId, a.contributor);
          if (a.accepted) {
            r.accepted += 1;
            r.qualitySum += BigInt(a.quality);
          } else r.rejected += 1;
        }
        const epoch = BigInt(a.epoch);
        points(a.datanetId, epoch, a.contributor).contributor += a.contributorPoints as bigint;
        totals(a.datanetId, epoch).contributor += a.contributorPoints as bigint;
        for (const voter of state.tallies.get(a.contentHash)?.voters ?? []) {
          const k = key(a.datanetId, voter.validator);
          let g = state.agreement.get(k);
          if (g === undefined) state.agreement.set(k, (g = { datanetId: a.datanetId, validator: voter.validator, agreed: 0, disagreed: 0 }));
          if (voter.accept === a.accepted) {
            g.agreed += 1;
            points(a.datanetId, epoch, voter.validator).validator += 1n;
            totals(a.datanetId, epoch).validator += 1n;
          } else g.disagreed += 1;
        }
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
          status: 0,
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
        if (pool !== undefined) Object.assign(pool, { status: 1, root: a.root, merkleTotal: a.merkleTotal, recordsHash: a.recordsHash, challengeEndsAt: a.challengeEndsAt });
        break;
      }
      case "AttributionRejected": {
        const pool = state.feePools.get(key(a.modelId, a.epoch));
        if (pool !== undefined) pool.status = 2;
        break;
      }
      case "AttributionReleased": {
        const pool = state.feePools.get(key(a.modelId, a.epoch));
        if (pool !== undefined) {
          pool.status = 3;
          pool.released = { developer: getAddress(a.developer), developerAmount: a.developerAmount, protocolAmount: a.protocolAmount, epochContract: getAddress(a.epochContract) };
        }
        state.earnings.set(getAddress(a.developer), (state.earnings.get(getAddress(a.developer)) ?? 0n) + (a.developerAmount as bigint));
        break;
      }
      case "UnattributedFeesSwept": {
        const pool = state.feePools.get(key(a.modelId, a.epoch));
        if (pool !== undefined) pool.status = 4;
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
