import { getAddress, isAddress, zeroAddress, zeroHash, type Address, type Hex } from "viem";

import { modelLineageRebuild, type ModelLineage } from "../actions/models.ts";
import { AttributionStatus } from "../actions/attribution.ts";
import { ContributionStatus } from "../actions/contributions.ts";
import type { ProtocolClient } from "../client.ts";
import { registryRebuild, type HistoryGap, type RegistryLog, type RegistryState } from "../history.ts";
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
  /** What the sweep sent to the treasury. */
  sweptAmount: bigint;
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
  /** Where its sweep went, once swept. */
  treasury?: Address;
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
  released?: { developer: Address; developerAmount: bigint; protocolAmount: bigint; epochContract: Address; maxLeafAmount: bigint };
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
  /** Fee splits set per model (`FeeSplitSet`). */
  feeSplits: Map<bigint, FeePoolRecord["split"]>;
  /** Base models by id, as registered. */
  /** Base models by id, as registered (`registeredAt` when the logs carry their blocks' times). */
  baseModels: Map<bigint, { registrant: Address; parameterCount: bigint; registeredAt?: number; artifactHash: Hex }>;
  /** Slashing incidents used, by `datanetId:validator:incidentId`. */
  incidents: Set<string>;
  /** Roles, admin transfers and pauses of each contract that has them, by contract address. */
  access: Map<Address, AccessRecord>;
  /** Every account an event names (as an address argument), for checks in both directions. */
  accounts: Set<Address>;
  /** The split a model's pools open with while none is set, as a pool opened so shows. */
  defaultFeeSplit?: FeePoolRecord["split"];
  /** The treasury, once an event names it. */
  treasury?: Address;
  /** Events about something the history never created, and logs that did not decode. */
  gaps: HistoryGap[];
}

/** A contract's AccessControl roles, pending default-admin changes and bounded pause, from its events. */
export interface AccessRecord {
  /** Holders by role. */
  roles: Map<Hex, Set<Address>>;
  pendingAdmin: { newAdmin: Address; schedule: number };
  /** A scheduled delay change; `effective` is the delay known to be in force (absent: the deployment's, which no event tells). */
  pendingDelay: { newDelay: number; schedule: number };
  effectiveDelay?: number;
  /** `pausedUntil`, for contracts with a bounded pause (0: not paused). */
  pausedUntil: bigint;
}

const DEFAULT_ADMIN_ROLE = zeroHash;

const emptyFeePool = (modelId: bigint, epoch: bigint, split: FeePoolRecord["split"]): FeePoolRecord => ({
  modelId,
  epoch,
  fees: 0n,
  split,
  status: AttributionStatus.None,
  challengeEndsAt: 0,
  root: zeroHash,
  recordsHash: zeroHash,
  merkleTotal: 0n,
});

/**
 * Applies protocol events (in chain order) to an empty state: registry, stakes and their
 * checkpoints, tallies and verdicts, settlements, reputation, agreement, points, reward pools,
 * Merkle epochs, models and lineage, fee pools, attribution and developer earnings. No view is
 * called. Staking events must carry their block's timestamp (`indexProtocolEvents` adds it): stake
 * checkpoints are kept by time.
 */
export function rebuildProtocolState(client: ProtocolClient, events: readonly ProtocolEvent[]): ProtocolState {
  const rebuild = protocolStateRebuild(client);
  for (const event of events) rebuild.apply(event);
  return rebuild.finish();
}

/**
 * `rebuildProtocolState` one event at a time, for a history streamed through (`indexProtocolEvents`'s
 * `onEvents`) rather than held whole: `apply` each event in chain order, then `finish` for the state,
 * the same as `rebuildProtocolState` of all of them, gaps in the same order.
 */
export function protocolStateRebuild(client: ProtocolClient): { apply: (event: ProtocolEvent) => void; finish: () => ProtocolState } {
  const c = client.deployment.contracts;
  const registryAddress = getAddress(c.datanetRegistry);
  const factoryAddress = getAddress(c.modelFactory);
  const registryRebuilt = registryRebuild();
  const registry = registryRebuilt.state;
  // Gaps are reported as the three rebuilds ran one after the other: the registry's, the factory's, then the rest.
  const lineageGaps: HistoryGap[] = [];
  const lineage = modelLineageRebuild(lineageGaps);
  const state: ProtocolState = {
    registry,
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
    models: lineage.models,
    feePools: new Map(),
    earnings: new Map(),
    feeSplits: new Map(),
    baseModels: new Map(),
    incidents: new Set(),
    access: new Map(),
    accounts: new Set(),
    gaps: [],
  };
  let e: ProtocolEvent;
  const gap = (entity: string, missing: string) => state.gaps.push({ entity, event: e.eventName, blockNumber: e.blockNumber, missing });
  const access = (address: Address) => {
    let record = state.access.get(address);
    if (record === undefined) {
      state.access.set(address, (record = { roles: new Map(), pendingAdmin: { newAdmin: zeroAddress, schedule: 0 }, pendingDelay: { newDelay: 0, schedule: 0 }, pausedUntil: 0n }));
    }
    return record;
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
      t = {
        contributionId,
        datanetId: c?.datanetId ?? 0n,
        acceptWeight: 0n,
        acceptQualityWeight: 0n,
        rejectWeight: 0n,
        eligibleWeight: 0n,
        outcome: ContributionStatus.Pending,
        epoch: 0,
        snapshotAt: (c?.submittedAt ?? 0) - 1,
        forfeit: 0n,
        verdicts: new Map(),
      };
      // Validation of a contribution never submitted goes to a detached tally the state does not keep.
      if (c === undefined) gap(`contribution ${contributionId}`, "ContributionSubmitted");
      else state.tallies.set(contributionId, t);
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
  // An event about a pool or epoch never created goes to a detached record the state does not keep.
  const rewardPool = (datanetId: bigint, epoch: bigint): RewardPoolRecord => {
    const pool = state.rewardPools.get(key(datanetId, epoch));
    if (pool !== undefined) return pool;
    gap(`reward pool ${datanetId}/${epoch}`, "RewardsFunded");
    return { datanetId, epoch, funded: 0n, claimed: 0n, contributorBps: 0, swept: false, sweptAmount: 0n, claimants: new Set() };
  };
  const merkleEpoch = (address: Address): MerkleEpochRecord => {
    const epoch = state.merkleEpochs.get(address);
    if (epoch !== undefined) return epoch;
    gap(`merkle epoch ${address}`, "RootPosted");
    return { address, poster: zeroAddress, poolId: 0n, epoch: 0n, root: zeroHash, total: 0n, maxLeafAmount: 0n, expiresAt: 0, claimed: 0n, claimedIndices: new Set(), paidTo: new Map(), swept: 0n };
  };
  const feePool = (modelId: bigint, epoch: bigint): FeePoolRecord => {
    const pool = state.feePools.get(key(modelId, epoch));
    if (pool !== undefined) return pool;
    gap(`fee pool ${modelId}/${epoch}`, "FeePoolOpened");
    return emptyFeePool(modelId, epoch, { contributorsBps: 0, developerBps: 0, validatorsBps: 0, maxRecipientBps: 0 });
  };
  const totals = (datanetId: bigint, epoch: bigint) => {
    const k = key(datanetId, epoch);
    let t = state.epochTotals.get(k);
    if (t === undefined) state.epochTotals.set(k, (t = { datanetId, epoch, contributor: 0n, validator: 0n }));
    return t;
  };

  const checksummed = new Map<string, Address>();
  const apply = (event: ProtocolEvent) => {
    e = event;
    // Undecodable logs are reported below: the registry's and the factory's rebuilds get decoded events only.
    if (e.eventName !== "UndecodableLog") {
      if (e.address === registryAddress) registryRebuilt.apply(e as unknown as RegistryLog);
      else if (e.address === factoryAddress) lineage.apply(e as never);
    }
    // Each case reads the fields of its own event, as the ABI declares them.
    const a = (e.args ?? {}) as Record<string, any>;
    for (const value of Object.values(a)) {
      if (typeof value !== "string" || value.length !== 42 || value === zeroAddress || !isAddress(value, { strict: false })) continue;
      let account = checksummed.get(value);
      if (account === undefined) checksummed.set(value, (account = getAddress(value)));
      state.accounts.add(account);
    }
    if (typeof a.treasury === "string" && isAddress(a.treasury, { strict: false })) state.treasury = getAddress(a.treasury);
    switch (e.eventName) {
      case "UndecodableLog":
        gap(`${e.address} log ${e.blockNumber}/${e.logIndex}`, `a log that decodes as its event ${a.eventName}`);
        break;
      case "RoleGranted":
      case "RoleRevoked": {
        const record = access(e.address);
        const account = getAddress(a.account);
        const holders = record.roles.get(a.role) ?? new Set<Address>();
        record.roles.set(a.role, holders);
        if (e.eventName === "RoleGranted") holders.add(account);
        else holders.delete(account);
        // Accepting a default-admin transfer grants the role and clears the pending transfer.
        if (e.eventName === "RoleGranted" && a.role === DEFAULT_ADMIN_ROLE) record.pendingAdmin = { newAdmin: zeroAddress, schedule: 0 };
        break;
      }
      case "DefaultAdminTransferScheduled":
        access(e.address).pendingAdmin = { newAdmin: getAddress(a.newAdmin), schedule: Number(a.acceptSchedule) };
        break;
      case "DefaultAdminTransferCanceled":
        access(e.address).pendingAdmin = { newAdmin: zeroAddress, schedule: 0 };
        break;
      case "DefaultAdminDelayChangeScheduled": {
        // A scheduled change that had already passed takes effect when the next one is scheduled
        // (OpenZeppelin cancels, with an event, only one still waiting).
        const record = access(e.address);
        if (record.pendingDelay.schedule !== 0) record.effectiveDelay = record.pendingDelay.newDelay;
        record.pendingDelay = { newDelay: Number(a.newDelay), schedule: Number(a.effectSchedule) };
        break;
      }
      case "DefaultAdminDelayChangeCanceled":
        access(e.address).pendingDelay = { newDelay: 0, schedule: 0 };
        break;
      case "PauseSet":
        access(e.address).pausedUntil = a.pausedUntil;
        break;
      case "FeeSplitSet":
        state.feeSplits.set(a.modelId, a.split);
        break;
      case "BaseModelRegistered":
        state.baseModelCount += 1n;
        state.baseModels.set(a.baseModelId, { registrant: getAddress(a.registrant), parameterCount: a.parameterCount, registeredAt: e.blockTimestamp, artifactHash: a.artifactHash });
        break;
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
        state.incidents.add(key(a.datanetId, getAddress(a.validator), a.incidentId));
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
        if (verdict === undefined) {
          gap(`tally ${a.contributionId}`, `VerdictRecorded of ${validator}`);
          break;
        }
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
          sweptAmount: 0n,
          claimants: new Set<Address>(),
        };
        pool.funded = a.fundedTotal;
        state.rewardPools.set(k, pool);
        break;
      }
      case "RewardsClaimed": {
        const pool = rewardPool(a.datanetId, a.epoch);
        pool.claimed += (a.contributorShare as bigint) + (a.validatorShare as bigint);
        pool.claimants.add(getAddress(a.account));
        break;
      }
      case "RewardsSwept": {
        const pool = rewardPool(a.datanetId, a.epoch);
        pool.swept = true;
        pool.sweptAmount += a.amount as bigint;
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
        const epoch = merkleEpoch(e.address);
        epoch.claimed += a.amount as bigint;
        // The same index twice is a claim the contract refuses: the history counts it for the check.
        if (epoch.claimedIndices.has(a.index)) gap(`merkle epoch ${e.address}`, `one Claimed per leaf (leaf ${a.index} twice)`);
        epoch.claimedIndices.add(a.index);
        const account = getAddress(a.account);
        epoch.paidTo.set(account, (epoch.paidTo.get(account) ?? 0n) + (a.amount as bigint));
        break;
      }
      case "Swept": {
        const epoch = merkleEpoch(e.address);
        epoch.swept += a.amount as bigint;
        epoch.treasury = getAddress(a.treasury);
        break;
      }
      case "FeePoolOpened":
        if (!state.feeSplits.has(a.modelId)) state.defaultFeeSplit ??= a.split;
        state.feePools.set(key(a.modelId, a.epoch), emptyFeePool(a.modelId, a.epoch, a.split));
        break;
      case "InferenceFeesPaid":
        feePool(a.modelId, a.epoch).fees = a.poolFees;
        break;
      case "AttributionProposed":
        Object.assign(feePool(a.modelId, a.epoch), { status: AttributionStatus.Proposed, root: a.root, merkleTotal: a.merkleTotal, recordsHash: a.recordsHash, challengeEndsAt: a.challengeEndsAt });
        break;
      case "AttributionRejected":
        feePool(a.modelId, a.epoch).status = AttributionStatus.Rejected;
        break;
      case "AttributionReleased": {
        const pool = feePool(a.modelId, a.epoch);
        pool.status = AttributionStatus.Released;
        pool.released = { developer: getAddress(a.developer), developerAmount: a.developerAmount, protocolAmount: a.protocolAmount, epochContract: getAddress(a.epochContract), maxLeafAmount: a.maxLeafAmount };
        state.earnings.set(getAddress(a.developer), (state.earnings.get(getAddress(a.developer)) ?? 0n) + (a.developerAmount as bigint));
        break;
      }
      case "UnattributedFeesSwept":
        feePool(a.modelId, a.epoch).status = AttributionStatus.Unattributed;
        break;
      case "EarningsWithdrawn":
        state.earnings.set(getAddress(a.account), (state.earnings.get(getAddress(a.account)) ?? 0n) - (a.amount as bigint));
        break;
      default:
        break;
    }
  };
  const finish = () => {
    for (const found of [...lineageGaps, ...state.gaps]) registry.gaps.push(found);
    state.gaps = registry.gaps;
    return state;
  };
  return { apply, finish };
}
