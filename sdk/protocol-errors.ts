/**
 * The protocol's custom errors in words: one sentence per error, and revert data decoded with every
 * contract's errors (they bubble between contracts). `errors.ts` loads this module with the first
 * protocol error, so a page that never meets one does not download the table or the merged ABI.
 */
import { ContractFunctionRevertedError, decodeErrorResult, formatUnits, type AbiParameter, type Hex } from "viem";

import { protocolErrorsAbi } from "./abis/errors.ts";
import { ProtocolError, type ProtocolErrorArgList, type ProtocolErrorArgs, type ProtocolErrorName } from "./errors.ts";

/** A `ProtocolError` with its arguments named (by `inputs` when given, else by the merged ABI) and worded. */
export function makeProtocolError<N extends ProtocolErrorName>(
  errorName: N,
  args: ProtocolErrorArgList<N>,
  options: { preflight?: boolean; cause?: unknown; inputs?: readonly AbiParameter[] } = {},
): ProtocolError<N> {
  const named = nameArgs(errorName, args as readonly unknown[], options.inputs);
  return new ProtocolError(errorName, named as ProtocolErrorArgs<N>, {
    message: describe(errorName, named),
    preflight: options.preflight,
    cause: options.cause,
  });
}

/** The `ProtocolError` a revert carries; undefined when it is not one of the protocol's errors. */
export function fromRevert(reverted: ContractFunctionRevertedError, cause: unknown): ProtocolError | undefined {
  const decoded = reverted.data ?? decodeProtocolError(reverted.raw);
  const errorName = decoded?.errorName as ProtocolErrorName | undefined;
  if (errorName === undefined || !(errorName in MESSAGES)) return undefined;
  // The names of the contract that was called when it raised the error (`InvalidClaimWindow`'s
  // parameter is `window` in one contract, `epochs` in another).
  const inputs = (decoded?.abiItem as { inputs?: readonly AbiParameter[] } | undefined)?.inputs;
  return makeProtocolError(errorName, (decoded?.args ?? []) as never, { cause, inputs });
}

/** Names positional arguments by the error's parameters (of the declaration with as many parameters, for overloads). */
function nameArgs(errorName: string, args: readonly unknown[], inputs?: readonly AbiParameter[]): Record<string, unknown> {
  const declared: readonly { readonly name: string; readonly inputs: readonly AbiParameter[] }[] = protocolErrorsAbi;
  const named: Record<string, unknown> = {};
  (inputs ?? declared.find((e) => e.name === errorName)?.inputs)?.forEach((input, i) => {
    named[input.name ?? `arg${i}`] = args[i];
  });
  return named;
}

const STATUS = ["None", "Pending", "Accepted", "Rejected", "Withdrawn", "Expired", "Displaced"] as const;
const POLICY_FIELD = [
  "maxBytesPerContribution",
  "maxContributionsPerContributorPerEpoch",
  "maxBytesPerContributorPerEpoch",
  "maxBytesPerDatanetPerEpoch",
  "epochLength",
  "minValidatorStake",
  "quorum",
  "acceptanceThresholdBps",
  "contributorRewardBps",
  "validationWindow",
] as const;

const open = (wei: unknown) => `${formatUnits(wei as bigint, 18)} OPEN`;
/** A chain timestamp (seconds) as UTC, with the raw number for scripts that compare it. */
const at = (seconds: unknown) => `${new Date(Number(seconds) * 1000).toISOString()} (${seconds})`;
type Described = Record<string, unknown>;

/** One readable sentence per custom error. The type makes a new contract error a compile error here. */
const MESSAGES: { [N in ProtocolErrorName]: (a: ProtocolErrorArgs<N>) => string } = {
  // DatanetRegistry
  DatanetUnknown: (a) => `Datanet ${a.datanetId} does not exist.`,
  DatanetPaused: (a) => `Datanet ${a.datanetId} is paused by its owner; it takes no submissions.`,
  ProtocolPaused: () => "The protocol is paused by its administrators.",
  ValidationAlreadyBound: (a) => `The registry's validation contract is already bound, to ${a.validation}, for good.`,
  ValidationNotForThisRegistry: (a) => `${a.account} is not a contract judging this registry's contributions, so it cannot be bound as its validation contract.`,
  NotDatanetOwner: (a) => `${a.caller} is not the owner of datanet ${a.datanetId}.`,
  NotPendingDatanetOwner: (a) => `${a.caller} was not named as the next owner of datanet ${a.datanetId}.`,
  InvalidPolicy: (a) =>
    `Policy field ${POLICY_FIELD[Number(a.field)] ?? a.field} cannot be ${a.value} (see the allowed ranges in docs/architecture.md).`,
  EpochLengthImmutable: (a) =>
    `The epoch length of datanet ${a.datanetId} is fixed at ${a.current}s; it cannot become ${a.requested}s.`,
  ZeroAddress: () => "The zero address is not allowed here.",
  ContributorNotAllowlisted: (a) => `${a.contributor} is not on the allowlist of datanet ${a.datanetId}.`,
  ZeroContentHash: () => "The content hash is zero; hash the content first.",
  ZeroSize: (a) => `Contribution ${a.contentHash} has a size of 0 bytes.`,
  ContributionTooLarge: (a) =>
    `Contribution ${a.contentHash} is ${a.sizeBytes} bytes; the datanet allows at most ${a.maxBytes}.`,
  DuplicateContent: (a) => `This content is already registered as contribution ${a.existingContributionId}.`,
  ContributorCountQuotaExceeded: (a) =>
    `${a.contributor} has used ${a.used} of the ${a.limit} contributions allowed on datanet ${a.datanetId} in epoch ${a.epoch} (a commitment counts its items when made); this submission does not fit in the rest.`,
  ContributorBytesQuotaExceeded: (a) =>
    `${a.contributor} has used ${a.used} of ${a.limit} bytes on datanet ${a.datanetId} in epoch ${a.epoch}; ${a.requested} more do not fit.`,
  DatanetBytesQuotaExceeded: (a) =>
    `Datanet ${a.datanetId} has taken ${a.used} of ${a.limit} bytes in epoch ${a.epoch}; ${a.requested} more do not fit.`,
  EmptyBatch: () => "A batch needs at least one contribution.",
  ZeroCommitment: () => "The commitment is zero.",
  CommitmentAlreadyExists: (a) => `Commitment ${a.commitment} was already made and is not yet revealed.`,
  CommitmentNotFound: (a) =>
    `No commitment ${a.commitment} from this sender: commit the same hashes and salt before submitting.`,
  CommitmentNotMatured: (a) =>
    `Commitment ${a.commitment} was made at ${at(a.committedAt)}; reveal it in a later second.`,
  CommitmentLapsed: (a) =>
    `Commitment ${a.commitment} lapsed at ${at(a.lapsedAt)} without a reveal; it can only be ended with lapseCommitment (its bond goes to the treasury).`,
  CommitmentNotLapsed: (a) => `Commitment ${a.commitment} can still be revealed until ${at(a.lapsesAt)}; it lapses after that.`,
  InvalidReservation: (a) =>
    `A commitment reserves at least one item, at least one byte per item and at most the datanet's largest item per item; ${a.itemCount} item(s) and ${a.reservedBytes} bytes do not fit.`,
  RevealMismatch: (a) =>
    `Commitment ${a.commitment} reserved ${a.reservedItems} item(s) and ${a.reservedBytes} bytes; the reveal has ${a.revealedItems} item(s) and ${a.revealedBytes} bytes.`,
  WithdrawalClosed: (a) =>
    `Verdicts on contribution ${a.contentHash} opened at ${at(a.votingOpenedAt)}; it can no longer be withdrawn.`,
  InsufficientCredit: (a) => `${a.account} has ${open(a.credit)} of credit; ${open(a.requested)} were requested.`,
  NoCredit: (a) => `${a.account} has no credit to withdraw.`,
  InvalidOutcome: (a) => `A contribution can be closed Accepted, Rejected or Expired, not ${STATUS[Number(a.outcome)] ?? a.outcome}.`,
  ContributionUnknown: (a) => `No contribution has content hash ${a.contentHash}.`,
  NotContributor: (a) => `${a.caller} did not make contribution ${a.contentHash}.`,
  InvalidStatusTransition: (a) =>
    `Contribution ${a.contentHash} is ${STATUS[Number(a.from)]}; it cannot become ${STATUS[Number(a.to)]}.`,
  ZeroVersionRoot: () => "A version root cannot be zero.",
  VersionBeyondAccepted: (a) =>
    `Datanet ${a.datanetId} has ${a.acceptedCount} accepted contributions; a version cannot cover ${a.given}.`,
  VersionNotNewer: (a) =>
    `The latest version of datanet ${a.datanetId} covers ${a.previousCount} contributions; a new one must cover more than that, not ${a.given}.`,
  EmptyVersion: (a) => `Datanet ${a.datanetId} has no accepted contributions yet; a version needs at least one.`,
  VersionUnknown: (a) => `Datanet ${a.datanetId} has no version ${a.version}.`,
  DatanetIdOverflow: () => "No more datanet ids are available.",
  PolicyChangePending: (a) =>
    `Datanet ${a.datanetId} already has a policy change scheduled for epoch ${a.effectiveEpoch}; schedule the next one from that epoch on.`,
  EpochTermsPassed: (a) =>
    `Epoch ${a.epoch} of datanet ${a.datanetId} has ended (now ${a.currentEpoch}); its terms are in the DatanetPolicyUpdated events.`,
  // ValidatorStaking
  ZeroAmount: () => "The amount is zero.",
  InvalidUnbondingPeriod: (a) => `An unbonding period of ${a.period}s is outside 1 hour to 365 days.`,
  StakeUnbonding: (a) =>
    `${a.validator}'s stake on datanet ${a.datanetId} is unbonding until ${a.unlocksAt}; withdraw it before staking again.`,
  NotUnbonding: (a) => `${a.validator}'s stake on datanet ${a.datanetId} is bonded; request unbonding first.`,
  UnbondingNotFinished: (a) => `${a.validator}'s stake on datanet ${a.datanetId} unlocks at ${a.unlocksAt}.`,
  NoStake: (a) => `${a.validator} has no stake on datanet ${a.datanetId}.`,
  SlashAboveIncidentCap: (a) =>
    `Cannot slash ${open(a.amount)} for one incident: ${a.validator} can lose at most ${open(a.cap)} (10% of its stake on datanet ${a.datanetId}) per incident.`,
  IncidentAlreadySlashed: (a) => `${a.validator} was already slashed on datanet ${a.datanetId} for incident ${a.incidentId}.`,
  ZeroIncidentId: () => "A slash must name its incident (a non-zero id).",
  StakeOverflow: (a) => `A stake of ${a.amount} wei exceeds what can be held.`,
  // AttestationRegistry
  InvalidQuality: (a) => `Quality ${a.quality} is above the maximum of 100.`,
  SelfAttestation: (a) => `${a.validator} made contribution ${a.contentHash} and cannot judge it.`,
  NotRegistry: (a) => `Only the datanet registry reserves tally words; ${a.caller} is not it.`,
  ContributionNotPending: (a) =>
    `Contribution ${a.contentHash} is ${STATUS[Number(a.status)]}; only pending contributions take verdicts.`,
  ValidatorNotActive: (a) =>
    `${a.validator} had ${open(a.stakeAtSnapshot)} bonded on datanet ${a.datanetId} before the contribution was revealed and has ${open(a.activeStake)} bonded now; judging it needs ${open(a.minStake)} before the reveal, and all of that stake still bonded now (stake before the reveal, and do not unbond).`,
  AlreadyAttested: (a) => `${a.validator} already gave a verdict on contribution ${a.contentHash}.`,
  SignatureExpired: (a) => `${a.validator}'s signed verdict expired at ${a.deadline}.`,
  InvalidSignature: (a) => `The signature is not ${a.validator}'s over this verdict on this chain and contract.`,
  VotingNotOpen: (a) =>
    `Verdicts on contribution ${a.contentHash} open at ${at(a.opensAt)} (the reveal window after its reveal); wait until then.`,
  VotingClosed: (a) => `The validation window of contribution ${a.contentHash} closed at ${at(a.endedAt)}; finalize it instead.`,
  VotingStillOpen: (a) =>
    `The validation window of contribution ${a.contentHash} is open until ${at(a.endsAt)} and its outcome can still change; finalize it after that.`,
  NotClosed: (a) => `Contribution ${a.contributionId} is still being validated; its verdicts can be settled once it closes.`,
  NotAttested: (a) => `${a.validator} gave no verdict on contribution ${a.contributionId}.`,
  CheckpointUnorderedInsertion: () => "A stake checkpoint cannot be written before the last one.",
  ZeroAddressArgument: () => "A constructor address is zero.",
  ReentrancyGuardReentrantCall: () => "Re-entrant call refused.",
  // MerkleEpochDistributor and MerkleEpoch
  EmptyRoot: () => "A root and a total must both be non-zero.",
  RootAlreadyPosted: (a) => `${a.poster} already posted pool ${a.poolId} epoch ${a.epoch}; roots are immutable.`,
  RootNotPosted: (a) => `${a.poster} has posted no root for pool ${a.poolId} epoch ${a.epoch}.`,
  InvalidLeafCap: (a) => `A per-account cap of ${open(a.maxLeafAmount)} must be between 1 wei and the total ${open(a.total)}.`,
  LeafAboveCap: (a) => `Leaf ${a.index} pays ${open(a.amount)}, above this epoch's per-account cap of ${open(a.maxLeafAmount)}.`,
  AlreadyClaimed: (a) => `Leaf ${a.index} of this epoch was already paid.`,
  InvalidProof: (a) =>
    `The proof for leaf ${a.index} (${a.account}, ${open(a.amount)}) does not lead, along ${a.account}'s address bits, to this epoch's root.`,
  ProofTooDeep: (a) => `A proof of ${a.depth} siblings is longer than an address has bits (160).`,
  ClaimWindowClosed: (a) => `This epoch's claims closed at ${a.expiresAt}; what is left goes to the treasury.`,
  ClaimWindowOpen: (a) => `This epoch can be swept from ${a.expiresAt}, when its claims close.`,
  NothingToSweep: () => "This epoch holds nothing to sweep.",
  InvalidClaimWindow: (a) =>
    "window" in a ? `A claim window of ${a.window}s is outside 1 day to 10 years.` : `A claim window of ${a.epochs} epochs is too short.`,
  // RewardPools
  EpochTermsNotFixed: (a) =>
    `Epoch ${a.epoch} of datanet ${a.datanetId} cannot be funded yet: only epochs up to ${a.lastFixedEpoch} have terms that can no longer change.`,
  EpochEnded: (a) => `Epoch ${a.epoch} of datanet ${a.datanetId} has ended (now ${a.currentEpoch}); fund the current epoch or a later one.`,
  EpochNotEnded: (a) => `Epoch ${a.epoch} of datanet ${a.datanetId} has not ended (now ${a.currentEpoch}); its rewards open when it has.`,
  ClaimPeriodOver: (a) => `Rewards of epoch ${a.epoch} of datanet ${a.datanetId} could be claimed until epoch ${a.lastClaimEpoch}.`,
  ClaimPeriodNotOver: (a) => `Rewards of epoch ${a.epoch} of datanet ${a.datanetId} stay claimable until epoch ${a.lastClaimEpoch}.`,
  PoolAlreadySwept: (a) => `The pool of epoch ${a.epoch} of datanet ${a.datanetId} was already swept.`,
  NothingToClaim: (a) => `${a.account} has nothing to claim on datanet ${a.datanetId} for these epochs.`,
  NoEpochs: () => "Name at least one epoch to claim.",
  PoolTooLarge: (a) => `A pool of ${a.amount} wei is too large.`,
  // ModelFactory
  EmptyName: () => "A name is required.",
  ZeroParameterCount: () => "A base model must have a parameter count above zero.",
  EmptyArtifactHash: () => "An artifact hash is required: hash the weights or adapter file.",
  UnknownBaseModel: (a) => `Base model ${a.baseModelId} does not exist.`,
  UnknownModel: (a) => `Model ${a.modelId} does not exist.`,
  UnknownModelVersion: (a) => `Model ${a.modelId} has no version ${a.version}.`,
  NotModelOwner: (a) => `${a.caller} is not the owner of model ${a.modelId}.`,
  NotPendingModelOwner: (a) => `${a.caller} was not named as the next owner of model ${a.modelId}.`,
  UnknownFinetuningType: (a) => `finetuning_type ${a.finetuningType} is not lora (0), freeze (1) or full (2).`,
  InvalidLoraRank: (a) => `A lora_rank of ${a.rank} is outside LLaMA-Factory's 1 to 1,024.`,
  InvalidLoraAlpha: (a) => `A lora_alpha of ${a.alpha} is outside LLaMA-Factory's 1 to 2,048.`,
  InvalidLoraDropout: (a) => `A lora_dropout of ${Number(a.dropoutBps) / 10_000} is above 1.`,
  InvalidQuantizationBit: (a) =>
    Number(a.finetuningType) === 0
      ? `quantization_bit must be none, 4 or 8 (QLoRA), not ${a.bits}.`
      : `Only LoRA trains on a quantized base (LLaMA-Factory's rule); finetuning_type ${a.finetuningType} cannot have quantization_bit ${a.bits}.`,
  NoLoraTarget: () => "LoRA needs at least one lora_target module (\"all\" for every linear module).",
  TooManyLoraTargets: (a) => `${a.count} lora_target modules are more than the 32 allowed.`,
  EmptyLoraTarget: (a) => `lora_target module ${a.index} has an empty name.`,
  LoraSettingsWithoutLora: () => "A freeze or full fine-tune has no LoRA rank, alpha, dropout or targets.",
  InvalidLearningRate: (a) => `A learning rate of ${formatUnits(a.learningRateWad as bigint, 18)} is not in (0, 1].`,
  InvalidTrainingEpochs: (a) => `num_train_epochs ${Number(a.numTrainEpochsMilli) / 1_000} is outside 0.001 to 1,000.`,
  InvalidBatchSize: (a) => `A per_device_train_batch_size of ${a.batchSize} is outside 1 to 1,024.`,
  InvalidGradientAccumulationSteps: (a) => `gradient_accumulation_steps ${a.steps} is outside 1 to 1,024.`,
  InvalidCutoffLength: (a) => `A cutoff_len of ${a.cutoffLen} tokens is outside 4 to 131,072.`,
  InvalidLrSchedulerType: (a) => `lr_scheduler_type "${a.lrSchedulerType}" is not a scheduler name (1 to 64 of a-z, 0-9, _ . -).`,
  InvalidTemplate: (a) => `template "${a.template}" is not a template name (1 to 64 of a-z, 0-9, _ . -).`,
  NoTrainingData: () => "Name at least one published datanet version the model was trained on.",
  TooManyTrainingDatasets: (a) => `${a.count} datanet versions are more than the 16 allowed.`,
  DuplicateTrainingData: (a) => `Datanet ${a.datanetId} version ${a.version} is listed twice.`,
  // ProofOfAttribution
  InvalidConfiguration: () => "The attribution settings are out of range (protocol share ≤ 10%, epoch 1 hour to 366 days, window 1 hour to 30 days).",
  ContributorShareTooLow: (a) => `Contributors must get at least 50% of fees, not ${Number(a.contributorsBps) / 100}%.`,
  DeveloperShareTooHigh: (a) => `The developer may get at most 40% of fees, not ${Number(a.developerBps) / 100}%.`,
  ValidatorShareTooHigh: (a) => `Validators may get at most 20% of fees, not ${Number(a.validatorsBps) / 100}%.`,
  SplitNotWhole: (a) => `The shares, with the protocol's, add up to ${Number(a.totalBps) / 100}%, not 100%.`,
  InvalidRecipientCap: (a) => `A per-recipient cap of ${Number(a.maxRecipientBps) / 100}% is outside 1% to 100%.`,
  NoPayments: () => "Name at least one fee payment.",
  FeeTooSmall: (a) => `A fee of ${a.amount} wei is below the minimum of ${a.minimum} wei.`,
  EmptyInferenceBatch: () => "Each fee payment needs the hash of the inference batch it pays for.",
  AttributionEpochNotEnded: (a) => `Attribution epoch ${a.epoch} has not ended (now ${a.currentEpoch}); fees are still coming in.`,
  NoFees: (a) => `Model ${a.modelId} received no fees in attribution epoch ${a.epoch}.`,
  EmptyAttribution: () => "A proposal needs a non-zero root and total.",
  MerkleTotalExceedsShare: (a) =>
    `The root pays out ${open(a.merkleTotal)}, more than the contributors' and validators' ${open(a.share)}.`,
  AttributionNotOpen: (a) =>
    `Attribution epoch ${a.epoch} of model ${a.modelId} is ${["open", "awaiting its challenge window", "rejected", "released", "unattributed (its fees went to the treasury)"][Number(a.status)]}; it takes no new proposal.`,
  NoProposal: (a) => `Attribution epoch ${a.epoch} of model ${a.modelId} has no proposal waiting.`,
  ChallengeWindowOver: (a) => `The challenge window of model ${a.modelId} epoch ${a.epoch} closed at ${a.challengeEndsAt}.`,
  ChallengeWindowOpen: (a) => `Model ${a.modelId} epoch ${a.epoch} can be released from ${a.challengeEndsAt}, when its challenge window closes.`,
  NothingToWithdraw: (a) => `${a.account} has no developer earnings to withdraw.`,
  RoleConflict: (a) => `${a.account} cannot hold role ${a.role}: the attributor and the guardian must be different accounts.`,
  AttributionDeadlineNotReached: (a) =>
    `Epoch ${a.epoch} of model ${a.modelId} can still be attributed until epoch ${a.lastEpoch} ends; its fees cannot be swept before.`,
  // BoundedPause (every contract that moves funds)
  ContractPaused: (a) => `This contract is paused until ${a.pausedUntil} (an incident is being handled).`,
  InvalidPauseDuration: (a) => `A pause of ${a.duration}s is not allowed: between 1 second and ${a.maxDuration}s.`,
  TransferAmountMismatch: (a) =>
    `The token ${a.token} delivered ${a.received} of ${a.expected} wei sent: tokens that charge a fee on transfer are not supported.`,
  SafeERC20FailedOperation: (a) => `The token ${a.token} refused the transfer.`,
  SafeCastOverflowedUintDowncast: (a) => `${a.value} does not fit in ${a.bits} bits.`,
  AccessControlUnauthorizedAccount: (a) => `${a.account} lacks the role ${a.neededRole}.`,
  AccessControlBadConfirmation: () => "A role can only be renounced by its holder, for itself.",
  AccessControlEnforcedDefaultAdminRules: () =>
    "The admin role moves only in two steps: beginDefaultAdminTransfer, then acceptDefaultAdminTransfer after the delay.",
  AccessControlEnforcedDefaultAdminDelay: (a) => `The admin transfer (or delay change) can complete at ${a.schedule}, not before.`,
  AccessControlInvalidDefaultAdmin: (a) => `${a.defaultAdmin} cannot become the admin here.`,
  // OpenToken (OpenZeppelin ERC-20 / ERC-2612)
  ERC20InsufficientBalance: (a) => `${a.sender} holds ${open(a.balance)}; ${open(a.needed)} are needed.`,
  ERC20InsufficientAllowance: (a) =>
    `${a.spender} may spend ${open(a.allowance)}; ${open(a.needed)} are needed. Approve more or use a permit.`,
  ERC20InvalidSender: (a) => `${a.sender} cannot send OPEN.`,
  ERC20InvalidReceiver: (a) => `${a.receiver} cannot receive OPEN.`,
  ERC20InvalidApprover: (a) => `${a.approver} cannot approve.`,
  ERC20InvalidSpender: (a) => `${a.spender} cannot be approved.`,
  ERC2612ExpiredSignature: (a) => `The permit expired at ${a.deadline}.`,
  ERC2612InvalidSigner: (a) => `The permit was signed by ${a.signer}, not by the owner ${a.owner}.`,
  InvalidAccountNonce: (a) => `Nonce ${a.currentNonce} is the next for ${a.account}.`,
  ECDSAInvalidSignature: () => "The signature is invalid.",
  ECDSAInvalidSignatureLength: (a) => `The signature has ${a.length} bytes.`,
  ECDSAInvalidSignatureS: (a) => `The signature's s value ${a.s} is malleable.`,
  InvalidShortString: () => "A name is too long for a short string.",
  StringTooLong: (a) => `The string ${a.str} is too long.`,
};

function describe(errorName: ProtocolErrorName, args: Described): string {
  return (MESSAGES[errorName] as (a: Described) => string)(args);
}

/** Decodes revert data with every protocol error, for errors bubbling up from a contract called in turn. */
function decodeProtocolError(raw: Hex | undefined) {
  if (raw === undefined || raw.length < 10) return undefined;
  try {
    return decodeErrorResult({ abi: protocolErrorsAbi, data: raw });
  } catch {
    return undefined;
  }
}
