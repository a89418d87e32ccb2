/**
 * Indexing functions: each event updates the rows it touches, in chain order, with the semantics of
 * the project's own replay (`rebuildRegistryState` in sdk/history.ts, `rebuildProtocolState` in
 * sdk/indexer/state.ts), so the auditor can compare the two row by row.
 */
import { and, desc, eq, lte } from "ponder";
import { ponder, type Context } from "ponder:registry";
import {
  allowlistEntry,
  baseModel,
  commitment,
  contribution,
  credit,
  datanet,
  datanetStake,
  datanetTerm,
  datanetVersion,
  developerEarning,
  epoch,
  feePool,
  merkleClaim,
  merkleEpoch,
  model,
  modelVersion,
  epochAccount,
  leaderboardEntry,
  protocolPause,
  quotaUsage,
  reputation,
  rewardClaim,
  rewardPool,
  stakeCheckpoint,
  trainingRecord,
  validator,
  verdict,
} from "ponder:schema";
import { getAddress, zeroAddress, type Address } from "viem";

import { AttributionStatus } from "../../sdk/actions/attribution.ts";
import { ContributionStatus, REVEAL_WINDOW } from "../../sdk/actions/contributions.ts";
import { fromHyperparameters } from "../../sdk/actions/models.ts";
import { STAKE_UNIT } from "../../sdk/history.ts";
import { FINETUNING_TYPES, trainingMethod } from "../../sdk/llama-factory.ts";
import { reputationScore } from "../../sdk/reputation.ts";
import { WEIGHT_UNIT } from "../../sdk/indexer/state.ts";

type Db = Context["db"];

const ZERO_HASH = `0x${"00".repeat(32)}` as const;

/** The row `find` must see: an event for an entity before the event that creates it is a broken history, not a case to skip. */
function required<T>(row: T | null | undefined, what: string): T {
  if (row === null || row === undefined) throw new Error(`event for ${what} before the event that creates it`);
  return row;
}

/**
 * The terms a contribution revealed in `atEpoch` is judged by: the scheduled change once its epoch has
 * come, else the terms in force (as `rebuildRegistryState` freezes them).
 */
async function termsAt(db: Db, datanetId: bigint, atEpoch: number) {
  const d = required(await db.find(datanet, { id: datanetId }), `datanet ${datanetId}`);
  const fromEpoch = d.scheduledFromEpoch !== null && atEpoch >= d.scheduledFromEpoch ? d.scheduledFromEpoch : d.termsFromEpoch;
  return required(await db.find(datanetTerm, { datanetId, fromEpoch }), `the terms of datanet ${datanetId} from epoch ${fromEpoch}`);
}

/** The latest stake checkpoint of a validator (validator zero: of the datanet's total), if any. */
async function latestCheckpoint(db: Db, datanetId: bigint, account: Address) {
  if (account === zeroAddress) {
    const total = await db.find(datanetStake, { datanetId });
    return total === null ? undefined : { amount: total.bonded, at: total.checkpointAt };
  }
  const v = await db.find(validator, { datanetId, validator: account });
  return v === null ? undefined : { amount: v.bondedAmount, at: v.checkpointAt };
}

/**
 * The bonded stake at the end of second `at` (validator zero: the datanet's total), 0 before the
 * first checkpoint: the latest checkpoint when it is old enough (the usual case), else the history.
 */
async function stakeAt(db: Db, datanetId: bigint, account: Address, at: number): Promise<bigint> {
  const latest = await latestCheckpoint(db, datanetId, account);
  if (latest === undefined) return 0n;
  if (latest.at <= at) return latest.amount;
  const [row] = await db.sql
    .select({ amount: stakeCheckpoint.amount })
    .from(stakeCheckpoint)
    .where(and(eq(stakeCheckpoint.datanetId, datanetId), eq(stakeCheckpoint.validator, account), lte(stakeCheckpoint.at, at)))
    .orderBy(desc(stakeCheckpoint.at))
    .limit(1);
  return row?.amount ?? 0n;
}

/**
 * Records a change of a validator's bonded stake at second `at`, and the datanet's total, as
 * `ValidatorStaking._checkpoint` does: a second change in the same second replaces the checkpoint.
 */
async function checkpoint(db: Db, datanetId: bigint, account: Address, at: number, before: bigint, after: bigint) {
  await db.insert(stakeCheckpoint).values({ datanetId, validator: account, at, amount: after }).onConflictDoUpdate({ amount: after });
  await db.update(validator, { datanetId, validator: account }).set({ bondedAmount: after, checkpointAt: at });
  const total = ((await latestCheckpoint(db, datanetId, zeroAddress))?.amount ?? 0n) + after - before;
  await db.insert(stakeCheckpoint).values({ datanetId, validator: zeroAddress, at, amount: total }).onConflictDoUpdate({ amount: total });
  await db.insert(datanetStake).values({ datanetId, bonded: total, checkpointAt: at }).onConflictDoUpdate({ bonded: total, checkpointAt: at });
}

/** A validator's row on a datanet, created empty on its first event. */
async function validatorRow(db: Db, datanetId: bigint, account: Address) {
  const key = { datanetId, validator: getAddress(account) };
  const found = await db.find(validator, key);
  if (found !== null) return found;
  const row = { ...key, amount: 0n, unbondingEndsAt: 0, generation: 0, bondedAmount: 0n, checkpointAt: 0, agreed: 0, disagreed: 0 };
  await db.insert(validator).values(row);
  return row;
}

async function addCredit(db: Db, account: Address, amount: bigint) {
  await db
    .insert(credit)
    .values({ account: getAddress(account), amount })
    .onConflictDoUpdate((row) => ({ amount: row.amount + amount }));
}

async function addPoints(db: Db, datanetId: bigint, atEpoch: bigint, account: Address, add: { contributor?: bigint; validator?: bigint }) {
  await db
    .insert(epochAccount)
    .values({ datanetId, epoch: atEpoch, account: getAddress(account), contributor: add.contributor ?? 0n, validator: add.validator ?? 0n })
    .onConflictDoUpdate((row) => ({ contributor: row.contributor + (add.contributor ?? 0n), validator: row.validator + (add.validator ?? 0n) }));
}

async function addEpochTotals(db: Db, datanetId: bigint, atEpoch: bigint, add: { contributor?: bigint; validator?: bigint }) {
  await db
    .insert(epoch)
    .values({ datanetId, epoch: atEpoch, contributorPoints: add.contributor ?? 0n, validatorPoints: add.validator ?? 0n })
    .onConflictDoUpdate((row) => ({
      contributorPoints: row.contributorPoints + (add.contributor ?? 0n),
      validatorPoints: row.validatorPoints + (add.validator ?? 0n),
    }));
}

// ---- DatanetRegistry

ponder.on("DatanetRegistry:DatanetCreated", async ({ event, context }) => {
  const { datanetId, owner, kind, metadataURI, policy, createdAt } = event.args;
  await context.db.insert(datanet).values({
    id: datanetId,
    owner: getAddress(owner),
    pendingOwner: zeroAddress,
    kind,
    metadataUri: metadataURI,
    paused: false,
    createdAt,
    acceptedCount: 0n,
    versionCount: 0,
    termsFromEpoch: 0,
    scheduledFromEpoch: null,
  });
  await context.db.insert(datanetTerm).values({ datanetId, fromEpoch: 0, ...policy });
});

ponder.on("DatanetRegistry:DatanetMetadataUpdated", async ({ event, context }) => {
  await context.db.update(datanet, { id: event.args.datanetId }).set({ metadataUri: event.args.metadataURI });
});

ponder.on("DatanetRegistry:DatanetPolicyUpdated", async ({ event, context }) => {
  const { datanetId, policy, effectiveEpoch } = event.args;
  const d = required(await context.db.find(datanet, { id: datanetId }), `datanet ${datanetId}`);
  // A change already scheduled is in force by the time the next one is made (sdk/history.ts).
  await context.db
    .update(datanet, { id: datanetId })
    .set({ termsFromEpoch: d.scheduledFromEpoch ?? d.termsFromEpoch, scheduledFromEpoch: effectiveEpoch });
  await context.db
    .insert(datanetTerm)
    .values({ datanetId, fromEpoch: effectiveEpoch, ...policy })
    .onConflictDoUpdate({ ...policy });
});

ponder.on("DatanetRegistry:DatanetPauseSet", async ({ event, context }) => {
  await context.db.update(datanet, { id: event.args.datanetId }).set({ paused: event.args.paused });
});

ponder.on("DatanetRegistry:AllowlistUpdated", async ({ event, context }) => {
  const { datanetId, allowed, effectiveEpoch } = event.args;
  const account = getAddress(event.args.account);
  const entry = (await context.db.find(allowlistEntry, { datanetId, account })) ?? { listed: false, removedFrom: 0 };
  const next = allowed
    ? { listed: true, removedFrom: 0 }
    : entry.listed && entry.removedFrom === 0
      ? { listed: true, removedFrom: effectiveEpoch }
      : { listed: entry.listed, removedFrom: entry.removedFrom };
  await context.db.insert(allowlistEntry).values({ datanetId, account, ...next }).onConflictDoUpdate(next);
});

ponder.on("DatanetRegistry:DatanetOwnershipTransferStarted", async ({ event, context }) => {
  await context.db.update(datanet, { id: event.args.datanetId }).set({ pendingOwner: getAddress(event.args.pendingOwner) });
});

ponder.on("DatanetRegistry:DatanetOwnershipTransferred", async ({ event, context }) => {
  await context.db.update(datanet, { id: event.args.datanetId }).set({ owner: getAddress(event.args.newOwner), pendingOwner: zeroAddress });
});

ponder.on("DatanetRegistry:ProtocolPauseSet", async ({ event, context }) => {
  const row = { paused: event.args.paused, pausedAtBlock: event.args.paused ? event.block.number : null };
  await context.db.insert(protocolPause).values({ id: 1, ...row }).onConflictDoUpdate(row);
});

ponder.on("DatanetRegistry:SubmissionCommitted", async ({ event, context }) => {
  const { commitment: hash, datanetId, itemCount, reservedBytes, bond, epoch: atEpoch, committedAt } = event.args;
  const contributor = getAddress(event.args.contributor);
  await context.db
    .insert(commitment)
    .values({ committer: contributor, commitment: hash, datanetId, itemCount, reservedBytes, bond, epoch: atEpoch, committedAt })
    .onConflictDoUpdate({ datanetId, itemCount, reservedBytes, bond, epoch: atEpoch, committedAt });
  await context.db
    .insert(quotaUsage)
    .values({ datanetId, epoch: atEpoch, contributor, contributions: itemCount, bytesUsed: reservedBytes })
    .onConflictDoUpdate((row) => ({ contributions: row.contributions + itemCount, bytesUsed: row.bytesUsed + reservedBytes }));
});

ponder.on("DatanetRegistry:SubmissionLapsed", async ({ event, context }) => {
  await context.db.delete(commitment, { committer: getAddress(event.args.committer), commitment: event.args.commitment });
});

ponder.on("DatanetRegistry:ContributionSubmitted", async ({ event, context }) => {
  const a = event.args;
  const contributor = getAddress(a.contributor);
  await context.db.delete(commitment, { committer: contributor, commitment: a.commitment });
  // The validation terms are frozen at the reveal: those of its epoch, the minimum stake rounded up to a whole STAKE_UNIT.
  const terms = await termsAt(context.db, a.datanetId, a.epoch);
  await context.db.insert(contribution).values({
    id: a.contributionId,
    datanetId: a.datanetId,
    contributor,
    contentHash: a.contentHash,
    sizeBytes: a.sizeBytes,
    uri: a.uri,
    epoch: a.epoch,
    submittedAt: a.submittedAt,
    commitment: a.commitment,
    committedAt: a.committedAt,
    votingOpensAt: a.submittedAt + REVEAL_WINDOW,
    votingEndsAt: a.votingEndsAt,
    bond: a.bond,
    quorum: terms.quorum,
    acceptanceThresholdBps: terms.acceptanceThresholdBps,
    minValidatorStake: ((terms.minValidatorStake + STAKE_UNIT - 1n) / STAKE_UNIT) * STAKE_UNIT,
    status: ContributionStatus.Pending,
    acceptedIndex: null,
    acceptWeight: 0n,
    acceptQualityWeight: 0n,
    rejectWeight: 0n,
    eligibleWeight: 0n,
    verdictCount: 0,
    outcome: ContributionStatus.Pending,
    closedEpoch: 0,
    snapshotAt: a.submittedAt - 1,
    forfeit: 0n,
  });
  await context.db
    .insert(leaderboardEntry)
    .values({ datanetId: a.datanetId, contributor, submitted: 1, accepted: 0, rejected: 0, qualitySum: 0n, score: 0n })
    .onConflictDoUpdate((row) => ({ submitted: row.submitted + 1 }));
});

ponder.on("DatanetRegistry:ContributionWithdrawn", async ({ event, context }) => {
  await context.db.update(contribution, { id: event.args.contributionId }).set({ status: ContributionStatus.Withdrawn });
});

ponder.on("DatanetRegistry:ContributionDisplaced", async ({ event, context }) => {
  await context.db.update(contribution, { id: event.args.contributionId }).set({ status: ContributionStatus.Displaced });
});

ponder.on("DatanetRegistry:ContributionFinalized", async ({ event, context }) => {
  const { contributionId, datanetId, status, datanetAcceptedCount } = event.args;
  const accepted = status === ContributionStatus.Accepted;
  await context.db.update(contribution, { id: contributionId }).set(accepted ? { status, acceptedIndex: datanetAcceptedCount } : { status });
  if (accepted) await context.db.update(datanet, { id: datanetId }).set({ acceptedCount: datanetAcceptedCount });
});

ponder.on("DatanetRegistry:Credited", async ({ event, context }) => {
  await addCredit(context.db, event.args.account, event.args.amount);
});

ponder.on("DatanetRegistry:CreditTransferred", async ({ event, context }) => {
  // The receiver's side arrives as its own Credited event.
  await addCredit(context.db, event.args.from, -event.args.amount);
});

ponder.on("DatanetRegistry:CreditWithdrawn", async ({ event, context }) => {
  await addCredit(context.db, event.args.account, -event.args.amount);
});

ponder.on("DatanetRegistry:VersionPublished", async ({ event, context }) => {
  const { datanetId, version, root, contributionCount, uri, publishedAt } = event.args;
  await context.db.update(datanet, { id: datanetId }).set({ versionCount: version });
  await context.db.insert(datanetVersion).values({ datanetId, version, root, contributionCount, uri, publishedAt });
});

// ---- ValidatorStaking

ponder.on("ValidatorStaking:Staked", async ({ event, context }) => {
  const { datanetId, newStake } = event.args;
  const v = await validatorRow(context.db, datanetId, event.args.validator);
  await checkpoint(context.db, datanetId, v.validator, Number(event.block.timestamp), v.amount, newStake);
  await context.db.update(validator, { datanetId, validator: v.validator }).set({ amount: newStake });
});

ponder.on("ValidatorStaking:UnbondRequested", async ({ event, context }) => {
  // The whole stake stops counting at once; it stays held (and slashable) until withdrawn.
  const { datanetId, unlocksAt } = event.args;
  const v = await validatorRow(context.db, datanetId, event.args.validator);
  await checkpoint(context.db, datanetId, v.validator, Number(event.block.timestamp), v.amount, 0n);
  await context.db.update(validator, { datanetId, validator: v.validator }).set({ unbondingEndsAt: unlocksAt });
});

ponder.on("ValidatorStaking:StakeWithdrawn", async ({ event, context }) => {
  const v = await validatorRow(context.db, event.args.datanetId, event.args.validator);
  await context.db.update(validator, { datanetId: v.datanetId, validator: v.validator }).set({ amount: 0n, unbondingEndsAt: 0 });
});

ponder.on("ValidatorStaking:Slashed", async ({ event, context }) => {
  const { datanetId, remaining } = event.args;
  const v = await validatorRow(context.db, datanetId, event.args.validator);
  if (v.unbondingEndsAt === 0) await checkpoint(context.db, datanetId, v.validator, Number(event.block.timestamp), v.amount, remaining);
  await context.db.update(validator, { datanetId, validator: v.validator }).set({ amount: remaining });
});

ponder.on("ValidatorStaking:SignatureGenerationBumped", async ({ event, context }) => {
  const v = await validatorRow(context.db, event.args.datanetId, event.args.validator);
  await context.db.update(validator, { datanetId: v.datanetId, validator: v.validator }).set({ generation: event.args.generation });
});

// ---- AttestationRegistry

ponder.on("AttestationRegistry:VerdictRecorded", async ({ event, context }) => {
  const { contributionId, accept, quality, reasonCode, weight } = event.args;
  const account = getAddress(event.args.validator);
  const c = required(await context.db.find(contribution, { id: contributionId }), `contribution ${contributionId}`);
  // The first verdict fixes the stake the window is measured against.
  const eligibleWeight =
    c.verdictCount === 0 ? (await stakeAt(context.db, c.datanetId, zeroAddress, c.snapshotAt)) / WEIGHT_UNIT : c.eligibleWeight;
  await context.db.update(contribution, { id: contributionId }).set({
    eligibleWeight,
    verdictCount: c.verdictCount + 1,
    acceptWeight: accept ? c.acceptWeight + weight : c.acceptWeight,
    acceptQualityWeight: accept ? c.acceptQualityWeight + weight * BigInt(quality) : c.acceptQualityWeight,
    rejectWeight: accept ? c.rejectWeight : c.rejectWeight + weight,
  });
  const weightAtSnapshot = (await stakeAt(context.db, c.datanetId, account, c.snapshotAt)) / WEIGHT_UNIT;
  await context.db.insert(verdict).values({
    contributionId,
    validator: account,
    datanetId: c.datanetId,
    accept,
    quality,
    reasonCode,
    weight,
    weightAtSnapshot,
    submitter: getAddress(event.args.submitter),
    settled: false,
    agreed: null,
    points: 0n,
    credit: 0n,
  });
});

ponder.on("AttestationRegistry:ValidationClosed", async ({ event, context }) => {
  const a = event.args;
  await context.db
    .update(contribution, { id: a.contributionId })
    .set({ outcome: a.outcome, closedEpoch: a.epoch, acceptQualityWeight: 0n, forfeit: a.validatorsShare, eligibleWeight: a.eligibleWeight });
  if (a.outcome === ContributionStatus.Expired) return;
  const accepted = a.outcome === ContributionStatus.Accepted;
  const contributor = getAddress(a.contributor);
  const add = accepted ? { accepted: 1, rejected: 0, qualitySum: BigInt(a.quality) } : { accepted: 0, rejected: 1, qualitySum: 0n };
  for (const datanetId of [a.datanetId, 0n]) {
    await context.db
      .insert(reputation)
      .values({ datanetId, contributor, ...add })
      .onConflictDoUpdate((row) => ({ accepted: row.accepted + add.accepted, rejected: row.rejected + add.rejected, qualitySum: row.qualitySum + add.qualitySum }));
  }
  // Every closed contribution was submitted first, so its contributor has a row on the board.
  await context.db.update(leaderboardEntry, { datanetId: a.datanetId, contributor }).set((row) => {
    const next = { accepted: row.accepted + add.accepted, rejected: row.rejected + add.rejected, qualitySum: row.qualitySum + add.qualitySum };
    return { ...next, score: reputationScore(BigInt(next.accepted), BigInt(next.rejected), next.qualitySum) };
  });
  const atEpoch = BigInt(a.epoch);
  await addPoints(context.db, a.datanetId, atEpoch, contributor, { contributor: a.contributorPoints });
  // The validators' total counts the accepting stake at closing, settled or not.
  await addEpochTotals(context.db, a.datanetId, atEpoch, { contributor: a.contributorPoints, validator: accepted ? a.acceptWeight : 0n });
});

ponder.on("AttestationRegistry:VerdictSettled", async ({ event, context }) => {
  const { contributionId, datanetId, agreed, credit: credited } = event.args;
  const account = getAddress(event.args.validator);
  required(await context.db.find(verdict, { contributionId, validator: account }), `the verdict of ${account} on contribution ${contributionId}`);
  await context.db.update(verdict, { contributionId, validator: account }).set({ settled: true, agreed, points: event.args.points, credit: credited });
  const c = required(await context.db.find(contribution, { id: contributionId }), `contribution ${contributionId}`);
  // An expired contribution counts in no agreement statistic.
  if (c.outcome === ContributionStatus.Expired) return;
  await validatorRow(context.db, datanetId, account);
  await context.db
    .update(validator, { datanetId, validator: account })
    .set((row) => (agreed ? { agreed: row.agreed + 1 } : { disagreed: row.disagreed + 1 }));
  if (event.args.points !== 0n) await addPoints(context.db, datanetId, BigInt(event.args.epoch), account, { validator: event.args.points });
});

// ---- RewardPools

ponder.on("RewardPools:RewardsFunded", async ({ event, context }) => {
  const { datanetId, epoch: atEpoch, fundedTotal } = event.args;
  // Only the current epoch and the next take money: their terms are those in force or the change scheduled.
  const { contributorRewardBps: contributorBps } = await termsAt(context.db, datanetId, Number(atEpoch));
  await context.db
    .insert(rewardPool)
    .values({ datanetId, epoch: atEpoch, funded: fundedTotal, claimed: 0n, contributorBps, swept: false })
    .onConflictDoUpdate({ funded: fundedTotal });
});

ponder.on("RewardPools:RewardsClaimed", async ({ event, context }) => {
  const { datanetId, epoch: atEpoch, contributorShare, validatorShare } = event.args;
  if ((await context.db.find(rewardPool, { datanetId, epoch: atEpoch })) === null) return;
  await context.db.update(rewardPool, { datanetId, epoch: atEpoch }).set((row) => ({ claimed: row.claimed + contributorShare + validatorShare }));
  await context.db
    .insert(rewardClaim)
    .values({ datanetId, epoch: atEpoch, account: getAddress(event.args.account), contributorShare, validatorShare })
    .onConflictDoUpdate((row) => ({ contributorShare: row.contributorShare + contributorShare, validatorShare: row.validatorShare + validatorShare }));
});

ponder.on("RewardPools:RewardsSwept", async ({ event, context }) => {
  const key = { datanetId: event.args.datanetId, epoch: event.args.epoch };
  if ((await context.db.find(rewardPool, key)) !== null) await context.db.update(rewardPool, key).set({ swept: true });
});

// ---- Merkle epochs

ponder.on("MerkleEpochDistributor:RootPosted", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(merkleEpoch).values({
    address: getAddress(a.epochContract),
    poster: getAddress(a.poster),
    poolId: a.poolId,
    epoch: a.epoch,
    root: a.root,
    total: a.total,
    maxLeafAmount: a.maxLeafAmount,
    recordsHash: a.recordsHash,
    expiresAt: a.expiresAt,
    claimed: 0n,
    claimCount: 0,
    swept: 0n,
  });
});

ponder.on("MerkleEpoch:Claimed", async ({ event, context }) => {
  const address = getAddress(event.log.address);
  if ((await context.db.find(merkleEpoch, { address })) === null) return;
  await context.db.update(merkleEpoch, { address }).set((row) => ({ claimed: row.claimed + event.args.amount, claimCount: row.claimCount + 1 }));
  await context.db.insert(merkleClaim).values({ epochContract: address, index: event.args.index, account: getAddress(event.args.account), amount: event.args.amount });
});

ponder.on("MerkleEpoch:Swept", async ({ event, context }) => {
  const address = getAddress(event.log.address);
  if ((await context.db.find(merkleEpoch, { address })) !== null) {
    await context.db.update(merkleEpoch, { address }).set((row) => ({ swept: row.swept + event.args.amount }));
  }
});

// ---- ModelFactory

ponder.on("ModelFactory:BaseModelRegistered", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(baseModel).values({
    id: a.baseModelId,
    registrant: getAddress(a.registrant),
    name: a.name,
    family: a.family,
    parameterCount: a.parameterCount,
    artifactHash: a.artifactHash,
    artifactUri: a.artifactURI,
    license: a.license,
  });
});

ponder.on("ModelFactory:ModelRegistered", async ({ event, context }) => {
  const { modelId, baseModelId, owner, name } = event.args;
  await context.db.insert(model).values({ id: modelId, baseModelId, owner: getAddress(owner), pendingOwner: zeroAddress, name, versionCount: 0 });
});

ponder.on("ModelFactory:ModelVersionPublished", async ({ event, context }) => {
  const { modelId, version, hyperparameters: h, adapterHash, adapterURI, evaluationHash } = event.args;
  required(await context.db.find(model, { id: modelId }), `model ${modelId}`);
  await context.db.update(model, { id: modelId }).set({ versionCount: version });
  await context.db.insert(modelVersion).values({
    modelId,
    version,
    method: trainingMethod(fromHyperparameters(h)),
    finetuningType: FINETUNING_TYPES[h.finetuningType] ?? "full",
    loraRank: h.loraRank,
    loraAlpha: h.loraAlpha,
    loraDropoutBps: h.loraDropoutBps,
    quantizationBit: h.quantizationBit,
    learningRateWad: h.learningRateWad,
    numTrainEpochsMilli: h.numTrainEpochsMilli,
    perDeviceTrainBatchSize: h.perDeviceTrainBatchSize,
    gradientAccumulationSteps: h.gradientAccumulationSteps,
    cutoffLen: h.cutoffLen,
    loraTarget: [...h.loraTarget],
    lrSchedulerType: h.lrSchedulerType,
    template: h.template,
    adapterHash,
    adapterUri: adapterURI,
    evaluationHash,
    blockNumber: event.block.number,
    publishedAt: Number(event.block.timestamp),
  });
});

ponder.on("ModelFactory:TrainingDataRecorded", async ({ event, context }) => {
  const { modelId, version, datanetId, datanetVersion: trainedVersion, versionRoot, contributionCount } = event.args;
  await context.db.insert(trainingRecord).values({ modelId, version, datanetId, datanetVersion: trainedVersion, versionRoot, contributionCount });
});

ponder.on("ModelFactory:ModelOwnershipTransferStarted", async ({ event, context }) => {
  await context.db.update(model, { id: event.args.modelId }).set({ pendingOwner: getAddress(event.args.pendingOwner) });
});

ponder.on("ModelFactory:ModelOwnershipTransferred", async ({ event, context }) => {
  await context.db.update(model, { id: event.args.modelId }).set({ owner: getAddress(event.args.newOwner), pendingOwner: zeroAddress });
});

// ---- ProofOfAttribution

ponder.on("ProofOfAttribution:FeePoolOpened", async ({ event, context }) => {
  const { modelId, epoch: atEpoch, split } = event.args;
  await context.db.insert(feePool).values({
    modelId,
    epoch: atEpoch,
    fees: 0n,
    ...split,
    status: AttributionStatus.None,
    challengeEndsAt: 0,
    root: ZERO_HASH,
    recordsHash: ZERO_HASH,
    merkleTotal: 0n,
  });
});

/** Updates a fee pool that was opened; events for one never opened change nothing (as in the replay). */
async function updateFeePool(db: Db, modelId: bigint, atEpoch: bigint, set: Partial<typeof feePool.$inferInsert>) {
  if ((await db.find(feePool, { modelId, epoch: atEpoch })) !== null) await db.update(feePool, { modelId, epoch: atEpoch }).set(set);
}

ponder.on("ProofOfAttribution:InferenceFeesPaid", async ({ event, context }) => {
  await updateFeePool(context.db, event.args.modelId, event.args.epoch, { fees: event.args.poolFees });
});

ponder.on("ProofOfAttribution:AttributionProposed", async ({ event, context }) => {
  const { modelId, epoch: atEpoch, root, merkleTotal, recordsHash, challengeEndsAt } = event.args;
  await updateFeePool(context.db, modelId, atEpoch, { status: AttributionStatus.Proposed, root, merkleTotal, recordsHash, challengeEndsAt });
});

ponder.on("ProofOfAttribution:AttributionRejected", async ({ event, context }) => {
  await updateFeePool(context.db, event.args.modelId, event.args.epoch, { status: AttributionStatus.Rejected });
});

ponder.on("ProofOfAttribution:AttributionReleased", async ({ event, context }) => {
  const { modelId, epoch: atEpoch, developerAmount, protocolAmount } = event.args;
  const developer = getAddress(event.args.developer);
  await updateFeePool(context.db, modelId, atEpoch, {
    status: AttributionStatus.Released,
    developer,
    developerAmount,
    protocolAmount,
    epochContract: getAddress(event.args.epochContract),
  });
  await context.db
    .insert(developerEarning)
    .values({ account: developer, amount: developerAmount })
    .onConflictDoUpdate((row) => ({ amount: row.amount + developerAmount }));
});

ponder.on("ProofOfAttribution:UnattributedFeesSwept", async ({ event, context }) => {
  await updateFeePool(context.db, event.args.modelId, event.args.epoch, { status: AttributionStatus.Unattributed });
});

ponder.on("ProofOfAttribution:EarningsWithdrawn", async ({ event, context }) => {
  const { amount } = event.args;
  await context.db
    .insert(developerEarning)
    .values({ account: getAddress(event.args.account), amount: -amount })
    .onConflictDoUpdate((row) => ({ amount: row.amount - amount }));
});
