import {
  getAddress,
  parseEventLogs,
  recoverTypedDataAddress,
  type Address,
  type ContractFunctionReturnType,
  type Hex,
  type TypedDataDomain,
} from "viem";

import { attestationRegistryAbi, type validatorStakingAbi } from "../abis/index.ts";
import {
  attestationContract,
  registryContract,
  requireWallet,
  stakingContract,
  tokenContract,
  type ProtocolClient,
} from "../client.ts";
import { InvalidInputError, protocolError } from "../errors.ts";
import { MAX_PAGE, type IndexedLeaderboardEntry, type IndexerClient } from "../indexer-api.ts";
import { readLogRanges } from "../indexer/ranges.ts";
import { fetchRegistryLogs, rebuildRegistryState, type ContributionRecord } from "../history.ts";
import { signPermit } from "../permit.ts";
import { reputationScore } from "../reputation.ts";
import { readProtocol, sendContractTransaction, withSdkErrors, type DecodedLogs, type TransactionHandle } from "../transaction.ts";
import { assertAddress, assertBytes32, assertPositiveId } from "../validate.ts";
import { ContributionStatus } from "./contributions.ts";

/** A validator's verdict on one contribution. */
export interface Verdict {
  contentHash: Hex;
  accept: boolean;
  /** 0 (worst) to 100 (best). */
  quality: number;
  /** A validator-defined reason code, 0 to 65,535. */
  reasonCode: number;
}

/** A verdict signed off-chain (EIP-712), submittable by anyone. */
export interface SignedVerdict {
  validator: Address;
  verdict: Verdict;
  /** The contribution id the signature names: the one registered for the hash when it was signed. */
  contributionId: bigint;
  generation: number;
  deadline: bigint;
  signature: Hex;
}

/**
 * A contribution's validation closing (`ValidationClosed`): early, by a verdict once the outcome could
 * no longer change, or by `finalize` after its window.
 */
export interface Finalization {
  contentHash: Hex;
  contributionId: bigint;
  outcome: typeof ContributionStatus.Accepted | typeof ContributionStatus.Rejected | typeof ContributionStatus.Expired;
  /** `outcome === Accepted`. */
  accepted: boolean;
  /** Weighted mean quality of the accepting verdicts (0 unless accepted). */
  quality: number;
  /** The datanet epoch the outcome counts in for rewards. */
  epoch: number;
  /** Forfeited bond (OPEN wei) the rejecting validators settle; 0 unless rejected. */
  validatorsShare: bigint;
}

/** Why a batch left a verdict (or a finalization) out: the contract's `SkipReason`. */
export const SkipReason = { AlreadyAttested: 0, NotPending: 1, VotingClosed: 2, ValidatorNotActive: 3, StaleSignature: 4 } as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/**
 * A verdict of a batch the chain had moved past (already recorded, the contribution no longer
 * pending, its window closed), or a contribution `finalizeContributions` found already closed
 * (`validator` is then the zero address).
 */
export interface SkippedVerdict {
  contentHash: Hex;
  validator: Address;
  reason: SkipReason;
}

/** What a verdict or finalization transaction did: the closings it caused and what it skipped. */
export interface VerdictOutcome {
  finalized: Finalization[];
  skipped: SkippedVerdict[];
}

/** One settled verdict (`VerdictSettled`). */
export interface Settlement {
  contributionId: bigint;
  validator: Address;
  /** Whether the verdict matched the outcome (false for an expired contribution). */
  agreed: boolean;
  /** Validator points earned in `epoch`: the verdict's weight, for accepting accepted work. */
  points: bigint;
  /** OPEN wei credited in the registry: the verdict's stake share of a rejected contribution's forfeit. */
  credit: bigint;
  epoch: number;
}

/** A contribution's validation tally, by contribution id (all zero before its first verdict). */
export type Tally = ContractFunctionReturnType<typeof attestationRegistryAbi, "view", "tallyOf">;

export type StakeInfo = ContractFunctionReturnType<typeof validatorStakingAbi, "view", "stakeOf">;
export type Reputation = ContractFunctionReturnType<typeof attestationRegistryAbi, "view", "reputationOf">;
export type Agreement = ContractFunctionReturnType<typeof attestationRegistryAbi, "view", "agreementOf">;

/** EIP-7825: the most gas one transaction may use. */
export const TRANSACTION_GAS_CAP = 16_777_216n;

/**
 * The EIP-712 `Verdict` type, as the attestation contract verifies it. It names the contribution id,
 * so a signature never counts on the same content submitted again under a new id.
 */
export const VERDICT_TYPES = {
  Verdict: [
    { name: "contentHash", type: "bytes32" },
    { name: "contributionId", type: "uint256" },
    { name: "accept", type: "bool" },
    { name: "quality", type: "uint8" },
    { name: "reasonCode", type: "uint16" },
    { name: "generation", type: "uint32" },
    { name: "deadline", type: "uint64" },
  ],
} as const;


/** Checks a verdict's fields the way the contract will. */
export function assertVerdict(verdict: Verdict, field = "verdict"): void {
  assertBytes32(`${field}.contentHash`, verdict.contentHash);
  if (!Number.isInteger(verdict.quality) || verdict.quality < 0 || verdict.quality > 100) {
    throw new InvalidInputError(`${field}.quality`, `${verdict.quality} is not a whole number from 0 to 100`);
  }
  if (!Number.isInteger(verdict.reasonCode) || verdict.reasonCode < 0 || verdict.reasonCode > 65_535) {
    throw new InvalidInputError(`${field}.reasonCode`, `${verdict.reasonCode} is not a whole number from 0 to 65,535`);
  }
  if (typeof verdict.accept !== "boolean") throw new InvalidInputError(`${field}.accept`, "must be true or false");
}

function verdictOutcome(logs: DecodedLogs<typeof attestationRegistryAbi>): VerdictOutcome {
  const finalized: Finalization[] = [];
  const skipped: SkippedVerdict[] = [];
  for (const log of logs) {
    if (log.eventName === "ValidationClosed") {
      const { contentHash, contributionId, outcome, quality, epoch, validatorsShare } = log.args;
      finalized.push({
        contentHash,
        contributionId,
        outcome: outcome as Finalization["outcome"],
        accepted: outcome === ContributionStatus.Accepted,
        quality,
        epoch,
        validatorsShare,
      });
    } else if (log.eventName === "VerdictSkipped") {
      const { contentHash, validator, reason } = log.args;
      skipped.push({ contentHash, validator, reason: reason as SkipReason });
    }
  }
  return { finalized, skipped };
}

// ------------------------------------------------------------------ staking

/**
 * Stakes OPEN on a datanet. By default signs an ERC-2612 permit so approval and stake are one
 * transaction; with `permit: false` it sends an approval first when the allowance is short.
 */
export async function stake(
  client: ProtocolClient,
  params: { datanetId: bigint; amount: bigint; permit?: boolean },
): Promise<TransactionHandle<{ newStake: bigint }>> {
  const wallet = requireWallet(client, "stake");
  assertPositiveId("datanetId", params.datanetId);
  if (params.amount <= 0n) throw new InvalidInputError("amount", "must be more than zero");
  const owner = wallet.walletClient.account.address;
  const decode = (logs: DecodedLogs<typeof validatorStakingAbi>) => {
    const staked = logs.find((log) => log.eventName === "Staked");
    return { newStake: (staked?.args as { newStake: bigint }).newStake };
  };
  if (params.permit === false) {
    const allowance = await readProtocol(() =>
      client.publicClient.readContract({ ...tokenContract(client), functionName: "allowance", args: [owner, stakingContract(client).address] }),
    );
    if (allowance < params.amount) {
      const approval = await sendContractTransaction(
        wallet,
        { ...tokenContract(client), functionName: "approve", args: [stakingContract(client).address, params.amount] },
        () => ({}),
      );
      await approval.wait();
    }
    return sendContractTransaction(
      wallet,
      { ...stakingContract(client), functionName: "stake", args: [params.datanetId, params.amount] },
      decode,
    );
  }
  const { deadline, v, r, s } = await signPermit(wallet, { spender: stakingContract(client).address, amount: params.amount });
  return sendContractTransaction(
    wallet,
    {
      ...stakingContract(client),
      functionName: "stakeWithPermit",
      args: [params.datanetId, params.amount, deadline, v, r, s],
    },
    decode,
  );
}

/** Starts unbonding the wallet account's whole stake on a datanet. */
export async function requestUnbond(
  client: ProtocolClient,
  params: { datanetId: bigint },
): Promise<TransactionHandle<{ unlocksAt: number }>> {
  assertPositiveId("datanetId", params.datanetId);
  return sendContractTransaction(
    requireWallet(client, "requestUnbond"),
    { ...stakingContract(client), functionName: "requestUnbond", args: [params.datanetId] },
    (logs) => ({ unlocksAt: (logs.find((l) => l.eventName === "UnbondRequested")!.args as { unlocksAt: number }).unlocksAt }),
  );
}

/** Pays out an unbonded stake once the unbonding period is over. */
export async function withdrawStake(
  client: ProtocolClient,
  params: { datanetId: bigint },
): Promise<TransactionHandle<{ amount: bigint }>> {
  assertPositiveId("datanetId", params.datanetId);
  return sendContractTransaction(
    requireWallet(client, "withdrawStake"),
    { ...stakingContract(client), functionName: "withdraw", args: [params.datanetId] },
    (logs) => ({ amount: (logs.find((l) => l.eventName === "StakeWithdrawn")!.args as { amount: bigint }).amount }),
  );
}

/** A validator's stake on a datanet. */
export async function getStake(client: ProtocolClient, params: { datanetId: bigint; validator: Address }): Promise<StakeInfo> {
  assertPositiveId("datanetId", params.datanetId);
  assertAddress("validator", params.validator);
  return readProtocol(() =>
    client.publicClient.readContract({ ...stakingContract(client), functionName: "stakeOf", args: [params.datanetId, params.validator] }),
  );
}

/** Voids every verdict on a datanet the wallet account signed and nobody submitted yet. */
export async function invalidateSignatures(
  client: ProtocolClient,
  params: { datanetId: bigint },
): Promise<TransactionHandle<{ generation: number }>> {
  assertPositiveId("datanetId", params.datanetId);
  return sendContractTransaction(
    requireWallet(client, "invalidateSignatures"),
    { ...stakingContract(client), functionName: "invalidateSignatures", args: [params.datanetId] },
    (logs) => ({
      generation: (logs.find((l) => l.eventName === "SignatureGenerationBumped")!.args as { generation: number }).generation,
    }),
  );
}

// ------------------------------------------------------------------ attesting

/** Gives the wallet account's verdict on one contribution. `wait()` reports a finalization it caused. */
export async function attest(
  client: ProtocolClient,
  verdict: Verdict,
): Promise<TransactionHandle<VerdictOutcome>> {
  assertVerdict(verdict);
  return sendContractTransaction(
    requireWallet(client, "attest"),
    { ...attestationContract(client), functionName: "attest", args: [verdict] },
    verdictOutcome,
  );
}

/**
 * Gives the wallet account's verdicts on several contributions in one transaction. A verdict the chain
 * has moved past (already recorded, contribution no longer pending) is skipped, not fatal: `wait()`
 * lists it in `skipped`.
 */
export async function attestBatch(
  client: ProtocolClient,
  verdicts: readonly Verdict[],
): Promise<TransactionHandle<VerdictOutcome>> {
  if (verdicts.length === 0) throw new InvalidInputError("verdicts", "the batch is empty");
  verdicts.forEach((v, i) => assertVerdict(v, `verdicts[${i}]`));
  return sendContractTransaction(
    requireWallet(client, "attestBatch"),
    { ...attestationContract(client), functionName: "attestBatch", args: [verdicts] },
    verdictOutcome,
  );
}

/** The EIP-712 domain of signed verdicts, as the contract reports it (ERC-5267). */
export async function verdictDomain(client: ProtocolClient): Promise<TypedDataDomain> {
  const [, name, version, chainId, verifyingContract] = await readProtocol(() =>
    client.publicClient.readContract({ ...attestationContract(client), functionName: "eip712Domain" }),
  );
  return { name, version, chainId: Number(chainId), verifyingContract };
}

/** Signs a verdict with the wallet account for an aggregator to submit. Valid for an hour by default. */
export async function signVerdict(
  client: ProtocolClient,
  verdict: Verdict,
  options: { deadline?: bigint } = {},
): Promise<SignedVerdict> {
  const wallet = requireWallet(client, "signVerdict");
  assertVerdict(verdict);
  const validator = wallet.walletClient.account.address;
  // The generation is per datanet; the contribution names the datanet.
  const contribution = await readProtocol(() =>
    client.publicClient.readContract({ ...registryContract(client), functionName: "getContribution", args: [verdict.contentHash] }),
  );
  const [domain, generation, latest] = await Promise.all([
    verdictDomain(client),
    readProtocol(() =>
      client.publicClient.readContract({
        ...stakingContract(client),
        functionName: "signatureGeneration",
        args: [BigInt(contribution.datanetId), validator],
      }),
    ),
    client.publicClient.getBlock(),
  ]);
  const deadline = options.deadline ?? latest.timestamp + 3_600n;
  const signature = await withSdkErrors(() =>
    wallet.walletClient.signTypedData({
      account: wallet.walletClient.account,
      domain,
      types: VERDICT_TYPES,
      primaryType: "Verdict",
      message: { ...verdict, contributionId: contribution.id, generation, deadline },
    }),
  );
  return { validator: getAddress(validator), verdict, contributionId: contribution.id, generation, deadline, signature };
}

/** The address that signed a verdict (to check a signature before relaying it). */
export async function recoverVerdictSigner(client: ProtocolClient, signed: SignedVerdict): Promise<Address> {
  const domain = await verdictDomain(client);
  return recoverTypedDataAddress({
    domain,
    types: VERDICT_TYPES,
    primaryType: "Verdict",
    message: { ...signed.verdict, contributionId: signed.contributionId, generation: signed.generation, deadline: signed.deadline },
    signature: signed.signature,
  });
}

/** Submits signed verdicts (any validators) in one transaction; all or nothing. */
export async function submitSignedVerdicts(
  client: ProtocolClient,
  signed: readonly SignedVerdict[],
): Promise<TransactionHandle<VerdictOutcome>> {
  if (signed.length === 0) throw new InvalidInputError("signed", "the batch is empty");
  signed.forEach((s, i) => assertVerdict(s.verdict, `signed[${i}].verdict`));
  return sendContractTransaction(
    requireWallet(client, "submitSignedVerdicts"),
    { ...attestationContract(client), functionName: "attestSigned", args: [signed] },
    verdictOutcome,
  );
}

// ------------------------------------------------------------------ closing and settling

/**
 * Closes contributions whose validation window has ended (anyone may): with fewer verdicts than the
 * quorum a contribution expires (bond refunded), else it is accepted when the accepting stake reaches
 * the threshold of the verdict stake. Contributions no longer pending are skipped (reported with the
 * zero validator); a window still open anywhere refuses the whole call (`VotingStillOpen`).
 * `wait()` gives the closings.
 */
export async function finalizeContributions(
  client: ProtocolClient,
  params: { contentHashes: readonly Hex[] },
): Promise<TransactionHandle<VerdictOutcome>> {
  if (params.contentHashes.length === 0) throw new InvalidInputError("contentHashes", "name at least one contribution");
  params.contentHashes.forEach((hash, i) => assertBytes32(`contentHashes[${i}]`, hash));
  return sendContractTransaction(
    requireWallet(client, "finalizeContributions"),
    { ...attestationContract(client), functionName: "finalizeBatch", args: [params.contentHashes] },
    verdictOutcome,
  );
}

/**
 * Settles a validator's verdicts on closed contributions (the wallet account's by default; anyone may
 * settle for a validator, what it earns is the validator's): validator points for accepting accepted
 * work, a share of the forfeited bond for rejecting rejected work (credited in the registry, see
 * `withdrawCredit`). Settle before claiming an epoch's rewards. Verdicts already settled are left
 * out. `wait()` gives the totals and each settlement.
 */
export async function settleVerdicts(
  client: ProtocolClient,
  params: { validator?: Address; contributionIds: readonly bigint[] },
): Promise<TransactionHandle<{ points: bigint; credit: bigint; settled: Settlement[] }>> {
  const wallet = requireWallet(client, "settleVerdicts");
  if (params.validator !== undefined) assertAddress("validator", params.validator);
  if (params.contributionIds.length === 0) throw new InvalidInputError("contributionIds", "name at least one contribution");
  params.contributionIds.forEach((id, i) => assertPositiveId(`contributionIds[${i}]`, id));
  const validator = getAddress(params.validator ?? wallet.walletClient.account.address);
  return sendContractTransaction(
    wallet,
    { ...attestationContract(client), functionName: "settle", args: [validator, params.contributionIds] },
    (logs) => {
      const settled: Settlement[] = [];
      for (const log of logs) {
        if (log.eventName !== "VerdictSettled") continue;
        const { contributionId, validator: v, agreed, points, credit, epoch } = log.args;
        settled.push({ contributionId, validator: v, agreed, points, credit, epoch });
      }
      return {
        points: settled.reduce((sum, s) => sum + s.points, 0n),
        credit: settled.reduce((sum, s) => sum + s.credit, 0n),
        settled,
      };
    },
  );
}

/** A contribution's tally: verdict weights, eligible stake, outcome and closing epoch. */
export async function getTally(client: ProtocolClient, params: { contributionId: bigint }): Promise<Tally> {
  assertPositiveId("contributionId", params.contributionId);
  return readProtocol(() =>
    client.publicClient.readContract({ ...attestationContract(client), functionName: "tallyOf", args: [params.contributionId] }),
  );
}

/** A validator's verdict on a contribution as stored: given, accepting, settled. */
export async function getVerdict(
  client: ProtocolClient,
  params: { contributionId: bigint; validator: Address },
): Promise<{ attested: boolean; accepted: boolean; settled: boolean }> {
  assertPositiveId("contributionId", params.contributionId);
  assertAddress("validator", params.validator);
  const [attested, accepted, settled] = await readProtocol(() =>
    client.publicClient.readContract({
      ...attestationContract(client),
      functionName: "verdictOf",
      args: [params.contributionId, params.validator],
    }),
  );
  return { attested, accepted, settled };
}

/**
 * Pending contributions whose validation window has ended, in the given datanet or all of them, oldest
 * first: what `finalizeContributions` can close now (anyone may).
 */
export async function finalizableContributions(client: ProtocolClient, params: { datanetId?: bigint } = {}): Promise<Hex[]> {
  if (params.datanetId !== undefined) assertPositiveId("datanetId", params.datanetId);
  const [logs, { timestamp: now }] = await Promise.all([fetchRegistryLogs(client), client.publicClient.getBlock()]);
  const candidates = [...rebuildRegistryState(logs).contributions.values()].filter(
    (c) => c.status === ContributionStatus.Pending && (params.datanetId === undefined || c.datanetId === params.datanetId),
  );
  const ended = await Promise.all(
    candidates.map(async (c) => {
      const stored = await readProtocol(() =>
        client.publicClient.readContract({ ...registryContract(client), functionName: "getContribution", args: [c.contentHash] }),
      );
      // The hash may have been registered again since; only its current registration counts.
      return stored.id === c.contributionId && stored.status === ContributionStatus.Pending && now >= BigInt(stored.votingEndsAt);
    }),
  );
  return candidates.filter((_, i) => ended[i]).map((c) => c.contentHash);
}

/**
 * The contributions a validator judged that have closed and whose verdicts it has not settled yet,
 * oldest first: what `settleVerdicts` should be given.
 */
export async function unsettledVerdicts(client: ProtocolClient, params: { validator: Address }): Promise<bigint[]> {
  assertAddress("validator", params.validator);
  const validator = getAddress(params.validator);
  const judged = (await fetchAttestationLogs(client))
    .filter((log) => log.eventName === "VerdictRecorded" && getAddress((log.args as { validator: Address }).validator) === validator)
    .map((log) => (log.args as { contributionId: bigint }).contributionId);
  const open: bigint[] = [];
  for (const contributionId of judged) {
    const [{ settled }, tally] = await Promise.all([
      getVerdict(client, { contributionId, validator }),
      getTally(client, { contributionId }),
    ]);
    if (!settled && tally.outcome !== ContributionStatus.Pending) open.push(contributionId);
  }
  return open;
}

// ------------------------------------------------------------------ reading

/** Every attestation event from the deployment's start block, in chain order, read in ranges the node accepts. */
export async function fetchAttestationLogs(client: ProtocolClient) {
  const logs = await readProtocol(() =>
    readLogRanges(client, {}, (fromBlock, toBlock) =>
      client.publicClient.getContractEvents({ ...attestationContract(client), fromBlock, toBlock, strict: true }),
    ),
  );
  return parseEventLogs({ abi: attestationRegistryAbi, logs, strict: true });
}

/**
 * Contributions a validator can judge now: pending with their voting window open, in the given
 * datanet (or every datanet where it has bonded stake), not its own, not yet judged by it, and
 * revealed after it had the datanet's minimum stake bonded (a verdict weighs the stake bonded
 * before the reveal). Oldest first.
 */
export async function pendingContributions(
  client: ProtocolClient,
  params: { validator: Address; datanetId?: bigint },
): Promise<ContributionRecord[]> {
  assertAddress("validator", params.validator);
  if (client.indexer !== undefined) {
    return (await client.indexer.pendingQueue(params)).map(({ maxBytesPerContribution: _, ...record }) => record);
  }
  const validator = getAddress(params.validator);
  const [registryLogs, attestationLogs, { timestamp: now }] = await Promise.all([
    fetchRegistryLogs(client),
    fetchAttestationLogs(client),
    client.publicClient.getBlock(),
  ]);
  const state = rebuildRegistryState(registryLogs);
  const judged = new Set(
    attestationLogs
      .filter((log) => log.eventName === "VerdictRecorded" && getAddress((log.args as { validator: Address }).validator) === validator)
      .map((log) => (log.args as { contributionId: bigint }).contributionId),
  );
  const datanets = params.datanetId !== undefined ? [params.datanetId] : [...state.datanets.keys()];
  // Bonded stake now, per datanet; each contribution's own (frozen) minimum is checked below.
  const bonded = new Map<bigint, bigint>();
  for (const datanetId of datanets) {
    const info = await getStake(client, { datanetId, validator });
    if (info.amount !== 0n && info.unbondingEndsAt === 0) bonded.set(datanetId, info.amount);
  }
  const candidates = [...state.contributions.values()].filter(
    (c) =>
      c.status === ContributionStatus.Pending &&
      bonded.has(c.datanetId) &&
      getAddress(c.contributor) !== validator &&
      !judged.has(c.contributionId),
  );
  const open = await Promise.all(
    candidates.map(async (c) => {
      const stored = await readProtocol(() =>
        client.publicClient.readContract({ ...registryContract(client), functionName: "getContribution", args: [c.contentHash] }),
      );
      if (stored.status !== ContributionStatus.Pending || now < BigInt(stored.votingOpensAt) || now >= BigInt(stored.votingEndsAt)) {
        return false;
      }
      const atSnapshot = await readProtocol(() =>
        client.publicClient.readContract({
          ...stakingContract(client),
          functionName: "stakeAt",
          args: [c.datanetId, validator, BigInt(stored.revealedAt) - 1n],
        }),
      );
      // The snapshot stake must reach the contribution's frozen minimum and still be bonded in full.
      return atSnapshot >= stored.minValidatorStake && bonded.get(c.datanetId)! >= atSnapshot;
    }),
  );
  return candidates.filter((_, i) => open[i]);
}

/** A contributor's on-chain reputation on a datanet, or overall with `datanetId` 0. */
export async function getReputation(
  client: ProtocolClient,
  params: { datanetId: bigint; contributor: Address },
): Promise<Reputation> {
  assertAddress("contributor", params.contributor);
  return readProtocol(() =>
    client.publicClient.readContract({
      ...attestationContract(client),
      functionName: "reputationOf",
      args: [params.datanetId, params.contributor],
    }),
  );
}

/** A validator's agreement with final outcomes on a datanet. */
export async function getAgreement(client: ProtocolClient, params: { datanetId: bigint; validator: Address }): Promise<Agreement> {
  assertPositiveId("datanetId", params.datanetId);
  assertAddress("validator", params.validator);
  return readProtocol(() =>
    client.publicClient.readContract({
      ...attestationContract(client),
      functionName: "agreementOf",
      args: [params.datanetId, params.validator],
    }),
  );
}

/** One row of a datanet's leaderboard. */
export interface LeaderboardEntry {
  contributor: Address;
  submitted: number;
  accepted: number;
  rejected: number;
  /** Mean quality of accepted contributions (0–100). */
  meanQuality: number;
  /** Score rebuilt from events with the contract's formula, 1e18 = perfect. */
  score: bigint;
  /** The chain's `reputationOf` score. */
  onChainScore: bigint;
  /** Whether the rebuilt score equals the chain's. */
  verified: boolean;
}

/**
 * A datanet's leaderboard built from events (submissions and validation outcomes), each score checked
 * against the chain's view. Highest score first; ties by more accepted, then by address.
 */
export async function leaderboard(client: ProtocolClient, params: { datanetId: bigint }): Promise<LeaderboardEntry[]> {
  assertPositiveId("datanetId", params.datanetId);
  if (client.indexer !== undefined) return indexedLeaderboard(client, client.indexer, params.datanetId);
  const [registryLogs, attestationLogs] = await Promise.all([fetchRegistryLogs(client), fetchAttestationLogs(client)]);
  const rows = new Map<Address, { submitted: number; accepted: number; rejected: number; qualitySum: number }>();
  const row = (contributor: Address) => {
    const key = getAddress(contributor);
    let found = rows.get(key);
    if (found === undefined) rows.set(key, (found = { submitted: 0, accepted: 0, rejected: 0, qualitySum: 0 }));
    return found;
  };
  for (const c of rebuildRegistryState(registryLogs).contributions.values()) {
    if (c.datanetId === params.datanetId) row(c.contributor).submitted += 1;
  }
  for (const log of attestationLogs) {
    if (log.eventName !== "ValidationClosed") continue;
    const args = log.args as { datanetId: bigint; contributor: Address; outcome: number; quality: number };
    // An expired contribution was judged by too few to say anything about its contributor.
    if (args.datanetId !== params.datanetId || args.outcome === ContributionStatus.Expired) continue;
    const r = row(args.contributor);
    if (args.outcome === ContributionStatus.Accepted) {
      r.accepted += 1;
      r.qualitySum += args.quality;
    } else {
      r.rejected += 1;
    }
  }
  const entries = await Promise.all(
    [...rows].map(async ([contributor, r]) => {
      const score = reputationScore(BigInt(r.accepted), BigInt(r.rejected), BigInt(r.qualitySum));
      const onChain = await getReputation(client, { datanetId: params.datanetId, contributor });
      return {
        contributor,
        submitted: r.submitted,
        accepted: r.accepted,
        rejected: r.rejected,
        meanQuality: r.accepted === 0 ? 0 : r.qualitySum / r.accepted,
        score,
        onChainScore: onChain.score,
        verified: score === onChain.score && onChain.accepted === r.accepted && onChain.rejected === r.rejected,
      };
    }),
  );
  return entries.sort((a, b) =>
    a.score !== b.score ? (a.score > b.score ? -1 : 1) : b.accepted - a.accepted || a.contributor.localeCompare(b.contributor),
  );
}

/** The whole leaderboard from the indexer API, page by page, each row checked against the chain's view as `leaderboard` does. */
async function indexedLeaderboard(client: ProtocolClient, indexer: IndexerClient, datanetId: bigint): Promise<LeaderboardEntry[]> {
  const rows: IndexedLeaderboardEntry[] = [];
  for (;;) {
    const { items } = await indexer.leaderboard(datanetId, { limit: MAX_PAGE, offset: rows.length });
    rows.push(...items);
    if (items.length < MAX_PAGE) break;
  }
  return Promise.all(
    rows.map(async ({ rank: _, ...r }) => {
      const onChain = await getReputation(client, { datanetId, contributor: r.contributor });
      return { ...r, onChainScore: onChain.score, verified: r.score === onChain.score && onChain.accepted === r.accepted && onChain.rejected === r.rejected };
    }),
  );
}

/** Throws the `SignatureExpired` the contract would, for a signed verdict past its deadline at `now`. */
export async function assertNotExpired(signed: SignedVerdict, now: bigint): Promise<void> {
  if (now > signed.deadline) {
    throw await protocolError("SignatureExpired", [signed.validator, signed.deadline], { preflight: true });
  }
}
