/**
 * Every entity the protocol has, as rows. Semantics follow the project's own replay
 * (sdk/history.ts and sdk/indexer/state.ts), which stays the independent auditor of these tables:
 * amounts are wei, times are Unix seconds, statuses are the contracts' enum values, and datanet 0 in
 * `reputation` is a contributor's overall record.
 */
import { index, onchainTable, primaryKey } from "ponder";

/** A datanet. Its terms per epoch are in `datanetTerm`: `termsFromEpoch` is the row in force now, `scheduledFromEpoch` a change to come. */
export const datanet = onchainTable("datanet", (t) => ({
  id: t.bigint().primaryKey(),
  owner: t.hex().notNull(),
  pendingOwner: t.hex().notNull(),
  /** DataKind: 0 text, 1 image, 2 audio, 3 other. */
  kind: t.integer().notNull(),
  metadataUri: t.text().notNull(),
  paused: t.boolean().notNull(),
  createdAt: t.integer().notNull(),
  acceptedCount: t.bigint().notNull(),
  versionCount: t.integer().notNull(),
  termsFromEpoch: t.integer().notNull(),
  scheduledFromEpoch: t.integer(),
}));

/** A datanet's policy from epoch `fromEpoch` on (until the next row's): creation gives epoch 0, each change the epoch it applies from. */
export const datanetTerm = onchainTable(
  "datanet_terms",
  (t) => ({
    datanetId: t.bigint().notNull(),
    fromEpoch: t.integer().notNull(),
    maxBytesPerContribution: t.bigint().notNull(),
    maxContributionsPerContributorPerEpoch: t.integer().notNull(),
    maxBytesPerContributorPerEpoch: t.bigint().notNull(),
    maxBytesPerDatanetPerEpoch: t.bigint().notNull(),
    epochLength: t.integer().notNull(),
    allowlistOnly: t.boolean().notNull(),
    minValidatorStake: t.bigint().notNull(),
    quorum: t.integer().notNull(),
    acceptanceThresholdBps: t.integer().notNull(),
    contributorRewardBps: t.integer().notNull(),
    submissionBond: t.bigint().notNull(),
    validationWindow: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.datanetId, table.fromEpoch] }) }),
);

/** Accounts a datanet's owner named: listed, and the epoch a removal applies from (0: none). */
export const allowlistEntry = onchainTable(
  "allowlist_entry",
  (t) => ({ datanetId: t.bigint().notNull(), account: t.hex().notNull(), listed: t.boolean().notNull(), removedFrom: t.integer().notNull() }),
  (table) => ({ pk: primaryKey({ columns: [table.datanetId, table.account] }) }),
);

/** Published datanet versions: the roots models train on. */
export const datanetVersion = onchainTable(
  "datanet_version",
  (t) => ({
    datanetId: t.bigint().notNull(),
    version: t.integer().notNull(),
    root: t.hex().notNull(),
    contributionCount: t.bigint().notNull(),
    uri: t.text().notNull(),
    publishedAt: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.datanetId, table.version] }) }),
);

/** An unrevealed commitment (the row goes when it is revealed or lapses). */
export const commitment = onchainTable(
  "commitment",
  (t) => ({
    committer: t.hex().notNull(),
    commitment: t.hex().notNull(),
    datanetId: t.bigint().notNull(),
    itemCount: t.integer().notNull(),
    reservedBytes: t.bigint().notNull(),
    bond: t.bigint().notNull(),
    epoch: t.integer().notNull(),
    committedAt: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.committer, table.commitment] }) }),
);

/** Quota a contributor reserved in a datanet epoch (reserved at commit, never given back). */
export const quotaUsage = onchainTable(
  "quota_usage",
  (t) => ({ datanetId: t.bigint().notNull(), epoch: t.integer().notNull(), contributor: t.hex().notNull(), contributions: t.integer().notNull(), bytesUsed: t.bigint().notNull() }),
  (table) => ({ pk: primaryKey({ columns: [table.datanetId, table.epoch, table.contributor] }) }),
);

/**
 * A contribution, its status and its validation tally (`tallyOf`): the terms frozen at its reveal,
 * the weights of its verdicts, and the outcome, closing epoch and forfeit once closed.
 */
export const contribution = onchainTable(
  "contribution",
  (t) => ({
    id: t.bigint().primaryKey(),
    datanetId: t.bigint().notNull(),
    contributor: t.hex().notNull(),
    contentHash: t.hex().notNull(),
    sizeBytes: t.bigint().notNull(),
    uri: t.text().notNull(),
    epoch: t.integer().notNull(),
    submittedAt: t.integer().notNull(),
    commitment: t.hex().notNull(),
    committedAt: t.integer().notNull(),
    votingOpensAt: t.integer().notNull(),
    votingEndsAt: t.integer().notNull(),
    bond: t.bigint().notNull(),
    quorum: t.integer().notNull(),
    acceptanceThresholdBps: t.integer().notNull(),
    minValidatorStake: t.bigint().notNull(),
    /** ContributionStatus: 1 pending, 2 accepted, 3 rejected, 4 withdrawn, 5 expired, 6 displaced. */
    status: t.integer().notNull(),
    /** Position in the datanet's acceptance order (1-based), once accepted. */
    acceptedIndex: t.bigint(),
    acceptWeight: t.bigint().notNull(),
    /** Sum of weight × quality over accepting verdicts while open; 0 once closed. */
    acceptQualityWeight: t.bigint().notNull(),
    rejectWeight: t.bigint().notNull(),
    /** All stake bonded on the datanet at the snapshot, in weight units (0 until the first verdict). */
    eligibleWeight: t.bigint().notNull(),
    verdictCount: t.integer().notNull(),
    /** The tally's outcome: pending (1) until validation closes. */
    outcome: t.integer().notNull(),
    /** The closing epoch (0 while open). */
    closedEpoch: t.integer().notNull(),
    /** Stake counts as bonded at the end of this second: the reveal's second − 1. */
    snapshotAt: t.integer().notNull(),
    /** The forfeited bond left to the rejecting validators. */
    forfeit: t.bigint().notNull(),
  }),
  (table) => ({
    byDatanetStatus: index().on(table.datanetId, table.status),
    /** A validator's pending queue: the few pending contributions in id order, not a scan of every closed one. */
    byStatus: index().on(table.status, table.id),
    byContributor: index().on(table.contributor),
    byContentHash: index().on(table.contentHash),
  }),
);

/** One validator's verdict on one contribution, and its settlement. */
export const verdict = onchainTable(
  "verdict",
  (t) => ({
    contributionId: t.bigint().notNull(),
    validator: t.hex().notNull(),
    datanetId: t.bigint().notNull(),
    accept: t.boolean().notNull(),
    quality: t.integer().notNull(),
    reasonCode: t.integer().notNull(),
    weight: t.bigint().notNull(),
    /** What the stake checkpoints say the verdict weighs (its stake at the snapshot, in weight units). */
    weightAtSnapshot: t.bigint().notNull(),
    submitter: t.hex().notNull(),
    settled: t.boolean().notNull(),
    agreed: t.boolean(),
    points: t.bigint().notNull(),
    /** What its settlement credited from the forfeited bond. */
    credit: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.contributionId, table.validator] }), byValidator: index().on(table.validator, table.settled) }),
);

/** A validator on a datanet: its stake, unbonding, signature generation, and agreement with final outcomes. */
export const validator = onchainTable(
  "validator",
  (t) => ({
    datanetId: t.bigint().notNull(),
    validator: t.hex().notNull(),
    amount: t.bigint().notNull(),
    unbondingEndsAt: t.integer().notNull(),
    generation: t.integer().notNull(),
    /** Its latest stake checkpoint (`stakeCheckpoint`): the bonded amount from the end of second `checkpointAt` on. */
    bondedAmount: t.bigint().notNull(),
    checkpointAt: t.integer().notNull(),
    agreed: t.integer().notNull(),
    disagreed: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.datanetId, table.validator] }) }),
);

/** All stake bonded on a datanet: its latest checkpoint (the history is in `stakeCheckpoint`, validator zero). */
export const datanetStake = onchainTable("datanet_stake", (t) => ({ datanetId: t.bigint().primaryKey(), bonded: t.bigint().notNull(), checkpointAt: t.integer().notNull() }));

/** Bonded-stake checkpoints of one validator (`validator` set) or of a whole datanet (`validator` zero): the amount from the end of second `at` on. */
export const stakeCheckpoint = onchainTable(
  "stake_checkpoint",
  (t) => ({ datanetId: t.bigint().notNull(), validator: t.hex().notNull(), at: t.integer().notNull(), amount: t.bigint().notNull() }),
  (table) => ({ pk: primaryKey({ columns: [table.datanetId, table.validator, table.at] }) }),
);

/** A contributor's record on a datanet (datanet 0: overall). */
export const reputation = onchainTable(
  "reputation",
  (t) => ({ datanetId: t.bigint().notNull(), contributor: t.hex().notNull(), accepted: t.integer().notNull(), rejected: t.integer().notNull(), qualitySum: t.bigint().notNull() }),
  (table) => ({ pk: primaryKey({ columns: [table.datanetId, table.contributor] }), byAccepted: index().on(table.datanetId, table.accepted) }),
);

/**
 * A contributor's standing on a datanet, as the leaderboard ranks it: contributions submitted, their
 * closed outcomes (expired ones count nowhere) and the chain's reputation score (1e18 = perfect),
 * kept so a page of the board is one index scan: highest score first, then more accepted, then address.
 */
export const leaderboardEntry = onchainTable(
  "leaderboard",
  (t) => ({
    datanetId: t.bigint().notNull(),
    contributor: t.hex().notNull(),
    submitted: t.integer().notNull(),
    accepted: t.integer().notNull(),
    rejected: t.integer().notNull(),
    qualitySum: t.bigint().notNull(),
    score: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.datanetId, table.contributor] }),
    byRank: index().on(table.datanetId, table.score.desc(), table.accepted.desc(), table.contributor),
  }),
);

/** A datanet epoch's point totals: what its reward pool is shared by. */
export const epoch = onchainTable(
  "epoch",
  (t) => ({ datanetId: t.bigint().notNull(), epoch: t.bigint().notNull(), contributorPoints: t.bigint().notNull(), validatorPoints: t.bigint().notNull() }),
  (table) => ({ pk: primaryKey({ columns: [table.datanetId, table.epoch] }) }),
);

/** An account's points in a datanet epoch, as contributor and as validator. */
export const epochAccount = onchainTable(
  "points",
  (t) => ({ datanetId: t.bigint().notNull(), epoch: t.bigint().notNull(), account: t.hex().notNull(), contributor: t.bigint().notNull(), validator: t.bigint().notNull() }),
  (table) => ({ pk: primaryKey({ columns: [table.datanetId, table.epoch, table.account] }), byAccount: index().on(table.account) }),
);

/** A datanet epoch's reward pool. */
export const rewardPool = onchainTable(
  "reward_pool",
  (t) => ({
    datanetId: t.bigint().notNull(),
    epoch: t.bigint().notNull(),
    funded: t.bigint().notNull(),
    claimed: t.bigint().notNull(),
    /** The contributors' share of the pool, from the terms of its epoch. */
    contributorBps: t.integer().notNull(),
    swept: t.boolean().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.datanetId, table.epoch] }) }),
);

/** An account's claim from a reward pool. */
export const rewardClaim = onchainTable(
  "reward_claim",
  (t) => ({ datanetId: t.bigint().notNull(), epoch: t.bigint().notNull(), account: t.hex().notNull(), contributorShare: t.bigint().notNull(), validatorShare: t.bigint().notNull() }),
  (table) => ({ pk: primaryKey({ columns: [table.datanetId, table.epoch, table.account] }), byAccount: index().on(table.account) }),
);

/** A Merkle epoch contract the distributor deployed (keyed by poster, pool and epoch on chain). */
export const merkleEpoch = onchainTable(
  "merkle_epoch",
  (t) => ({
    address: t.hex().primaryKey(),
    poster: t.hex().notNull(),
    poolId: t.bigint().notNull(),
    epoch: t.bigint().notNull(),
    root: t.hex().notNull(),
    total: t.bigint().notNull(),
    maxLeafAmount: t.bigint().notNull(),
    recordsHash: t.hex().notNull(),
    expiresAt: t.integer().notNull(),
    claimed: t.bigint().notNull(),
    claimCount: t.integer().notNull(),
    swept: t.bigint().notNull(),
  }),
  (table) => ({ byPool: index().on(table.poster, table.poolId, table.epoch) }),
);

/** A leaf claimed from a Merkle epoch. */
export const merkleClaim = onchainTable(
  "merkle_claim",
  (t) => ({ epochContract: t.hex().notNull(), index: t.bigint().notNull(), account: t.hex().notNull(), amount: t.bigint().notNull() }),
  (table) => ({ pk: primaryKey({ columns: [table.epochContract, table.index] }), byAccount: index().on(table.account) }),
);

export const baseModel = onchainTable("base_model", (t) => ({
  id: t.bigint().primaryKey(),
  registrant: t.hex().notNull(),
  name: t.text().notNull(),
  family: t.text().notNull(),
  parameterCount: t.bigint().notNull(),
  artifactHash: t.hex().notNull(),
  artifactUri: t.text().notNull(),
  license: t.text().notNull(),
}));

export const model = onchainTable("model", (t) => ({
  id: t.bigint().primaryKey(),
  baseModelId: t.bigint().notNull(),
  owner: t.hex().notNull(),
  pendingOwner: t.hex().notNull(),
  name: t.text().notNull(),
  versionCount: t.integer().notNull(),
}));

/** A model version: its training settings and adapter. */
export const modelVersion = onchainTable(
  "model_version",
  (t) => ({
    modelId: t.bigint().notNull(),
    version: t.integer().notNull(),
    /** "lora", "qlora" (LoRA on a quantized base), "freeze" or "full". */
    method: t.text().notNull(),
    /** LLaMA-Factory's settings as ModelFactory records them (see sdk/llama-factory.ts). */
    finetuningType: t.text().notNull(),
    loraRank: t.integer().notNull(),
    loraAlpha: t.integer().notNull(),
    loraDropoutBps: t.integer().notNull(),
    /** 0: no quantization; 4 or 8: a quantized base. */
    quantizationBit: t.integer().notNull(),
    learningRateWad: t.bigint().notNull(),
    numTrainEpochsMilli: t.integer().notNull(),
    perDeviceTrainBatchSize: t.integer().notNull(),
    gradientAccumulationSteps: t.integer().notNull(),
    cutoffLen: t.integer().notNull(),
    loraTarget: t.text().array().notNull(),
    lrSchedulerType: t.text().notNull(),
    template: t.text().notNull(),
    adapterHash: t.hex().notNull(),
    adapterUri: t.text().notNull(),
    evaluationHash: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    /** Its block's second. */
    publishedAt: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.modelId, table.version] }) }),
);

/** Lineage: a datanet version a model version was trained on. */
export const trainingRecord = onchainTable(
  "training_data",
  (t) => ({
    modelId: t.bigint().notNull(),
    version: t.integer().notNull(),
    datanetId: t.bigint().notNull(),
    datanetVersion: t.integer().notNull(),
    versionRoot: t.hex().notNull(),
    contributionCount: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.modelId, table.version, table.datanetId] }), byDatanet: index().on(table.datanetId, table.datanetVersion) }),
);

/**
 * A model's attribution epoch: its fee pool, split, and the attribution proposed, rejected or released
 * for it. A released epoch's Merkle epoch (`epochContract`) holds its claims (`merkleClaim`).
 */
export const feePool = onchainTable(
  "fee_pool",
  (t) => ({
    modelId: t.bigint().notNull(),
    epoch: t.bigint().notNull(),
    fees: t.bigint().notNull(),
    contributorsBps: t.integer().notNull(),
    developerBps: t.integer().notNull(),
    validatorsBps: t.integer().notNull(),
    maxRecipientBps: t.integer().notNull(),
    /** AttributionStatus: 0 none, 1 proposed, 2 rejected, 3 released, 4 unattributed. */
    status: t.integer().notNull(),
    challengeEndsAt: t.integer().notNull(),
    root: t.hex().notNull(),
    recordsHash: t.hex().notNull(),
    merkleTotal: t.bigint().notNull(),
    developer: t.hex(),
    developerAmount: t.bigint(),
    protocolAmount: t.bigint(),
    epochContract: t.hex(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.modelId, table.epoch] }) }),
);

/** Developer earnings not yet withdrawn, by account. */
export const developerEarning = onchainTable("earnings", (t) => ({ account: t.hex().primaryKey(), amount: t.bigint().notNull() }));

/** Registry credit (refunded and forfeited bonds) not yet withdrawn, by account. */
export const credit = onchainTable("credit", (t) => ({ account: t.hex().primaryKey(), amount: t.bigint().notNull() }));

/** The registry's protocol-wide pause (one row, id 1): a pause lapses by itself a week after its block. */
export const protocolPause = onchainTable("protocol_pause", (t) => ({ id: t.integer().primaryKey(), paused: t.boolean().notNull(), pausedAtBlock: t.bigint() }));
