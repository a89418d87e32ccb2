// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IValidationTallies
/// @notice What the registry asks of the validation contract it is bound to: one storage word per future
/// contribution, written while the contributor commits.
interface IValidationTallies {
    /// @notice Writes the (still empty) tally words of the next `count` contribution ids not reserved yet,
    /// so that the first verdict on each updates an existing word instead of creating one: the
    /// contributor pays, at commit, for the storage its validation needs. Only the registry.
    /// @param count How many ids (a commitment's item count).
    function reserveTallies(uint256 count) external;

    /// @notice The registry whose contributions it judges: the only one it reserves tallies for.
    /// @return registry The registry.
    function registry() external view returns (IDatanetRegistry registry);
}

/// @title Datanet registry: datasets, their policies, and the contributions made to them
/// @notice A datanet is a shared dataset with an owner and a policy. Contributors register content by
/// hash through commit-reveal: `commitSubmission` reserves the quota and takes the policy's bond per
/// item; `submit` / `submitBatch` reveal it in a later block and within `REVEAL_WINDOW`. Verdicts open
/// `REVEAL_WINDOW` after a reveal: until then an older commitment revealing the same hash displaces
/// the younger registration, so a hash read from the mempool cannot be taken, and the contributor may
/// withdraw (forfeiting the bond) without having seen a verdict. The attestation contract then closes
/// the contribution `Accepted` (bond refunded), `Rejected` (bond forfeited: 80% to the rejecting
/// validators, 20% to the treasury) or `Expired` (too few verdicts; bond refunded). Refunds and
/// forfeits are credits paid out by `withdrawCredit` (pull payments). Only a `Pending` or `Accepted`
/// contribution blocks its hash; after any other outcome the content may be submitted again, with a
/// new bond. The owner publishes immutable versions: Merkle roots over the accepted set.
interface IDatanetRegistry {
    // ------------------------------------------------------------------ types

    /// @notice What kind of data a datanet collects.
    enum DataKind {
        Text,
        Image,
        Audio,
        Other
    }

    /// @notice Lifecycle of a contribution. `None` means the id or hash is unknown.
    enum ContributionStatus {
        None,
        Pending,
        Accepted,
        Rejected,
        Withdrawn,
        Expired,
        Displaced
    }

    /// @notice Names the policy field an `InvalidPolicy` error is about.
    enum PolicyField {
        MaxBytesPerContribution,
        MaxContributionsPerContributorPerEpoch,
        MaxBytesPerContributorPerEpoch,
        MaxBytesPerDatanetPerEpoch,
        EpochLength,
        MinValidatorStake,
        Quorum,
        AcceptanceThresholdBps,
        ContributorRewardBps,
        ValidationWindow
    }

    /// @notice A datanet's rules. Quotas count per epoch; epochs are `epochLength` seconds from creation.
    /// The validation fields are read by the attestation contract.
    /// @param maxBytesPerContribution Largest single contribution, in bytes.
    /// @param maxContributionsPerContributorPerEpoch How many contributions one address may make per epoch.
    /// @param maxBytesPerContributorPerEpoch How many bytes one address may contribute per epoch.
    /// @param maxBytesPerDatanetPerEpoch How many bytes the whole datanet accepts per epoch.
    /// @param epochLength Seconds per epoch; fixed at creation because quotas and rewards are keyed by epoch.
    /// @param allowlistOnly When true only allowlisted addresses may contribute.
    /// @param minValidatorStake OPEN a validator must have staked to attest on this datanet.
    /// @param quorum Participation floor: the fewest distinct validators whose verdicts decide a
    /// contribution; with fewer at the window's close it expires and its bond is refunded.
    /// @param acceptanceThresholdBps Share of the verdict stake that must accept, in basis points.
    /// @param contributorRewardBps Share of each reward pool paid to contributors; the rest goes to validators.
    /// @param submissionBond OPEN per contribution, taken at commit, refunded on acceptance or expiry,
    /// forfeited on rejection, withdrawal, displacement or a lapsed commitment (0: no bond).
    /// @param validationWindow Seconds verdicts stay open, from `REVEAL_WINDOW` after the reveal.
    struct DatanetPolicy {
        uint64 maxBytesPerContribution;
        uint32 maxContributionsPerContributorPerEpoch;
        uint64 maxBytesPerContributorPerEpoch;
        uint64 maxBytesPerDatanetPerEpoch;
        uint32 epochLength;
        bool allowlistOnly;
        uint128 minValidatorStake;
        uint16 quorum;
        uint16 acceptanceThresholdBps;
        uint16 contributorRewardBps;
        uint96 submissionBond;
        uint32 validationWindow;
    }

    /// @notice The part of a policy the validator contracts read.
    struct ValidationSettings {
        uint128 minValidatorStake;
        uint16 quorum;
        uint16 acceptanceThresholdBps;
        uint16 contributorRewardBps;
    }

    /// @notice Everything about a datanet except its metadata URI (which lives in events).
    struct DatanetInfo {
        address owner;
        address pendingOwner;
        DataKind kind;
        bool paused;
        uint40 createdAt;
        uint64 acceptedCount;
        uint32 versionCount;
        DatanetPolicy policy;
    }

    /// @notice One item of a batch submission.
    struct SubmissionItem {
        bytes32 contentHash;
        uint64 sizeBytes;
        string uri;
    }

    /// @notice A contribution as stored, keyed by its content hash (a later submission of the same
    /// content replaces a record that no longer blocks it). Its size and URI are in
    /// `ContributionSubmitted` only.
    /// @param committedAt When its commitment was made (an older commitment displaces a younger one).
    /// @param revealedAt When it was revealed; validators' stake counts as bonded before this second.
    /// @param votingOpensAt When verdicts open: `REVEAL_WINDOW` after the reveal.
    /// @param votingEndsAt When verdicts close.
    /// @param bond The OPEN bond it carries.
    /// @param quorum The participation floor that judges it, frozen at the reveal.
    /// @param acceptanceThresholdBps The acceptance threshold that judges it, frozen at the reveal.
    /// @param minValidatorStake The minimum validator stake that judges it, frozen at the reveal (rounded up
    /// to a whole `STAKE_UNIT`).
    struct Contribution {
        uint256 id;
        address contributor;
        uint32 datanetId;
        ContributionStatus status;
        uint40 committedAt;
        uint40 revealedAt;
        uint40 votingOpensAt;
        uint40 votingEndsAt;
        uint96 bond;
        uint16 quorum;
        uint16 acceptanceThresholdBps;
        uint256 minValidatorStake;
    }

    /// @notice An unrevealed commitment: what it reserved and the bond it holds.
    struct Commitment {
        uint40 committedAt;
        uint32 datanetId;
        uint16 itemCount;
        uint64 reservedBytes;
        uint96 bond;
    }

    /// @notice A published datanet version.
    struct Version {
        bytes32 root;
        uint64 contributionCount;
        uint40 publishedAt;
    }

    /// @notice What a contributor has used of its quotas in an epoch.
    struct QuotaUsage {
        uint32 epoch;
        uint32 contributions;
        uint64 bytesUsed;
    }

    // ------------------------------------------------------------------ errors

    /// @notice No datanet has this id.
    error DatanetUnknown(uint256 datanetId);
    /// @notice The datanet's owner paused it.
    error DatanetPaused(uint256 datanetId);
    /// @notice The protocol admin paused the whole protocol.
    error ProtocolPaused();
    /// @notice The caller is not the datanet's owner.
    error NotDatanetOwner(uint256 datanetId, address caller);
    /// @notice The caller is not the pending owner named by the current owner.
    error NotPendingDatanetOwner(uint256 datanetId, address caller);
    /// @notice A policy field is out of its allowed range.
    error InvalidPolicy(PolicyField field, uint256 value);
    /// @notice A policy update tried to change the epoch length, which is fixed at creation.
    error EpochLengthImmutable(uint256 datanetId, uint32 current, uint32 requested);
    /// @notice An address that must be set is zero.
    error ZeroAddress();
    /// @notice The datanet is allowlist-only and the contributor is not on the list.
    error ContributorNotAllowlisted(uint256 datanetId, address contributor);
    /// @notice A content hash of zero cannot identify content.
    error ZeroContentHash();
    /// @notice A contribution must have at least one byte.
    error ZeroSize(bytes32 contentHash);
    /// @notice The contribution is larger than the policy allows.
    error ContributionTooLarge(bytes32 contentHash, uint256 sizeBytes, uint256 maxBytes);
    /// @notice This content hash is pending or accepted (in any datanet), and the reveal's commitment
    /// is not older than that registration's within its reveal window.
    error DuplicateContent(bytes32 contentHash, uint256 existingContributionId);
    /// @notice The contributor has used up its contribution count for the epoch.
    error ContributorCountQuotaExceeded(
        uint256 datanetId, address contributor, uint256 epoch, uint256 used, uint256 limit
    );
    /// @notice The contributor has used up its byte quota for the epoch.
    error ContributorBytesQuotaExceeded(
        uint256 datanetId, address contributor, uint256 epoch, uint256 used, uint256 requested, uint256 limit
    );
    /// @notice The datanet has used up its byte quota for the epoch.
    error DatanetBytesQuotaExceeded(uint256 datanetId, uint256 epoch, uint256 used, uint256 requested, uint256 limit);
    /// @notice A batch must hold at least one item.
    error EmptyBatch();
    /// @notice A commitment of zero is not a commitment.
    error ZeroCommitment();
    /// @notice This commitment was already made and not yet revealed.
    error CommitmentAlreadyExists(bytes32 commitment);
    /// @notice No unrevealed commitment of the sender matches the revealed datanet, submission and salt.
    error CommitmentNotFound(bytes32 commitment);
    /// @notice The commitment was made in this block's second; reveal it later.
    error CommitmentNotMatured(bytes32 commitment, uint256 committedAt);
    /// @notice The commitment was not revealed within `REVEAL_WINDOW`; it can only lapse.
    error CommitmentLapsed(bytes32 commitment, uint256 lapsedAt);
    /// @notice The commitment is still within its reveal window and cannot lapse yet.
    error CommitmentNotLapsed(bytes32 commitment, uint256 lapsesAt);
    /// @notice A commitment must reserve at least one item, at least one byte per item, and no more bytes
    /// than its items may have (`maxBytesPerContribution` each).
    error InvalidReservation(uint256 itemCount, uint256 reservedBytes);
    /// @notice The reveal does not match what the commitment reserved: the item count and the total
    /// declared bytes must equal the reservation, so no reserved quota is left unused and unpriced.
    error RevealMismatch(bytes32 commitment, uint256 reservedItems, uint256 revealedItems, uint256 reservedBytes, uint256 revealedBytes);
    /// @notice Verdicts have opened on the contribution: it can no longer be withdrawn.
    error WithdrawalClosed(bytes32 contentHash, uint256 votingOpenedAt);
    /// @notice The account has less credit than it tried to move or withdraw.
    error InsufficientCredit(address account, uint256 credit, uint256 requested);
    /// @notice There is nothing to withdraw.
    error NoCredit(address account);
    /// @notice The finalizer can close a contribution only as `Accepted`, `Rejected` or `Expired`.
    error InvalidOutcome(ContributionStatus outcome);
    /// @notice No contribution has this content hash.
    error ContributionUnknown(bytes32 contentHash);
    /// @notice Only the contributor may withdraw its contribution.
    error NotContributor(bytes32 contentHash, address caller);
    /// @notice The requested status change is not allowed from the current status.
    error InvalidStatusTransition(bytes32 contentHash, ContributionStatus from, ContributionStatus to);
    /// @notice A version root of zero is not a root.
    error ZeroVersionRoot();
    /// @notice A version cannot cover more contributions than have been accepted.
    error VersionBeyondAccepted(uint256 datanetId, uint256 acceptedCount, uint256 given);
    /// @notice A version must cover more contributions than the previous one.
    error VersionNotNewer(uint256 datanetId, uint256 previousCount, uint256 given);
    /// @notice A version must cover at least one accepted contribution.
    error EmptyVersion(uint256 datanetId);
    /// @notice No version with this number exists for the datanet.
    error VersionUnknown(uint256 datanetId, uint256 version);
    /// @notice The datanet id space (uint32) is exhausted.
    error DatanetIdOverflow();
    /// @notice A policy change is already scheduled and has not applied yet; wait for `effectiveEpoch`.
    error PolicyChangePending(uint256 datanetId, uint32 effectiveEpoch);
    /// @notice The validation contract is bound once and for good.
    error ValidationAlreadyBound(address validation);
    /// @notice The account is not a contract judging this registry's contributions.
    error ValidationNotForThisRegistry(address account);
    /// @notice The terms of an epoch that has ended are in the events (`DatanetPolicyUpdated`), not in a view.
    error EpochTermsPassed(uint256 datanetId, uint256 epoch, uint256 currentEpoch);

    // ------------------------------------------------------------------ events

    /// @notice A datanet was created. With `DatanetPolicyUpdated` and `DatanetMetadataUpdated` this
    /// rebuilds its configuration.
    event DatanetCreated(
        uint256 indexed datanetId,
        address indexed owner,
        DataKind kind,
        string metadataURI,
        DatanetPolicy policy,
        uint40 createdAt
    );
    /// @notice The owner replaced the metadata URI.
    event DatanetMetadataUpdated(uint256 indexed datanetId, string metadataURI);
    /// @notice The owner changed the policy; it applies from `effectiveEpoch` (two epochs after the
    /// change), so the terms of the current and the next epoch never move.
    event DatanetPolicyUpdated(uint256 indexed datanetId, DatanetPolicy policy, uint32 effectiveEpoch);
    /// @notice The owner paused or unpaused the datanet.
    event DatanetPauseSet(uint256 indexed datanetId, bool paused);
    /// @notice The owner added a contributor to the allowlist (at once: `effectiveEpoch` is the current
    /// epoch) or removed one (from `effectiveEpoch`, two epochs later, so nobody is shut out of an epoch
    /// whose terms are fixed).
    event AllowlistUpdated(uint256 indexed datanetId, address indexed account, bool allowed, uint32 effectiveEpoch);
    /// @notice The owner named a pending owner (zero cancels).
    event DatanetOwnershipTransferStarted(uint256 indexed datanetId, address indexed owner, address indexed pendingOwner);
    /// @notice The pending owner accepted ownership.
    event DatanetOwnershipTransferred(uint256 indexed datanetId, address indexed previousOwner, address indexed newOwner);
    /// @notice A pauser paused or unpaused the whole protocol.
    event ProtocolPauseSet(address indexed by, bool paused);
    /// @notice The validation contract was bound: it finalizes contributions and keeps their tallies.
    event ValidationBound(address indexed validation);
    /// @notice A contributor committed to a future submission without revealing it, reserving
    /// `itemCount` items and `reservedBytes` bytes of its and the datanet's quota in `epoch`, and paying
    /// `bond` (the policy's bond per item times the items).
    event SubmissionCommitted(
        address indexed contributor,
        bytes32 indexed commitment,
        uint256 indexed datanetId,
        uint16 itemCount,
        uint64 reservedBytes,
        uint96 bond,
        uint32 epoch,
        uint40 committedAt
    );
    /// @notice A commitment was not revealed within its window. Its bond went to the treasury, or back to
    /// the committer when a protocol pause overlapped the window (the `Credited` beside it names which).
    event SubmissionLapsed(address indexed committer, bytes32 indexed commitment, uint256 indexed datanetId, uint96 bond);
    /// @notice A contribution was registered, `Pending`. Carries every stored and unstored field, and
    /// the commitment the reveal consumed (one commitment covers a whole batch).
    event ContributionSubmitted(
        uint256 indexed contributionId,
        uint256 indexed datanetId,
        address indexed contributor,
        bytes32 contentHash,
        uint64 sizeBytes,
        string uri,
        uint32 epoch,
        uint40 submittedAt,
        bytes32 commitment,
        uint40 committedAt,
        uint40 votingEndsAt,
        uint96 bond
    );
    /// @notice A pending contribution was withdrawn by its contributor before verdicts opened; its
    /// bond went to the treasury.
    event ContributionWithdrawn(
        uint256 indexed contributionId, uint256 indexed datanetId, address indexed contributor, uint96 bondForfeited
    );
    /// @notice A pending contribution was displaced, before verdicts opened, by the reveal of an older
    /// commitment to the same content (the next `ContributionSubmitted`); its bond went to the treasury.
    event ContributionDisplaced(
        uint256 indexed contributionId, uint256 indexed datanetId, address indexed contributor, uint96 bondForfeited
    );
    /// @notice The finalizer closed a pending contribution `Accepted`, `Rejected` or `Expired`.
    /// `bond` was refunded to the contributor (accepted, expired) or forfeited (rejected: 20% to the
    /// treasury, the rest credited to the finalizer for the rejecting validators).
    event ContributionFinalized(
        uint256 indexed contributionId,
        uint256 indexed datanetId,
        address indexed contributor,
        ContributionStatus status,
        uint64 datanetAcceptedCount,
        uint96 bond
    );
    /// @notice OPEN was credited to an account (a refund, a forfeit share, or a transfer of credit).
    event Credited(address indexed account, uint256 amount, uint256 credit);
    /// @notice An account moved part of its credit to another account.
    event CreditTransferred(address indexed from, address indexed to, uint256 amount);
    /// @notice An account withdrew its credit.
    event CreditWithdrawn(address indexed account, uint256 amount);
    /// @notice The owner published a version: the root over the first `contributionCount` accepted
    /// contributions in acceptance order.
    event VersionPublished(
        uint256 indexed datanetId,
        uint32 indexed version,
        bytes32 root,
        uint64 contributionCount,
        string uri,
        uint40 publishedAt
    );

    // ------------------------------------------------------------------ datanets

    /// @notice Creates a datanet owned by the caller.
    /// @param kind The kind of data collected.
    /// @param metadataURI Where the datanet's description lives (IPFS, HTTPS...).
    /// @param policy The rules; every field is range-checked (`InvalidPolicy`).
    /// @return datanetId The new datanet's id, counting from 1.
    function createDatanet(DataKind kind, string calldata metadataURI, DatanetPolicy calldata policy)
        external
        returns (uint256 datanetId);

    /// @notice Replaces the metadata URI. Only the datanet owner.
    /// @param datanetId The datanet.
    /// @param metadataURI The new URI.
    function updateMetadata(uint256 datanetId, string calldata metadataURI) external;

    /// @notice Schedules a new policy from epoch `current + TERMS_DELAY_EPOCHS`. Only the datanet owner;
    /// the epoch length cannot change, and one change at a time (`PolicyChangePending`). The terms of
    /// the current and next epoch (quotas, validation policy, reward split, allowlist-only) are therefore
    /// fixed: a funder of either epoch knows what it funds, and no owner can change them after.
    /// @param datanetId The datanet.
    /// @param policy The new policy.
    /// @return effectiveEpoch The first epoch it governs.
    function updatePolicy(uint256 datanetId, DatanetPolicy calldata policy) external returns (uint32 effectiveEpoch);

    /// @notice Adds contributors to the allowlist at once, or removes them from epoch
    /// `current + TERMS_DELAY_EPOCHS` (an addition only widens who may take part; a removal would
    /// change who earns in an epoch whose terms are fixed). Only the datanet owner.
    /// @param datanetId The datanet.
    /// @param accounts The contributors.
    /// @param allowed Whether they may contribute when the datanet is allowlist-only.
    function setAllowlisted(uint256 datanetId, address[] calldata accounts, bool allowed) external;

    /// @notice Pauses or unpauses submissions to one datanet. Only the datanet owner.
    /// @param datanetId The datanet.
    /// @param paused The new state.
    function setDatanetPaused(uint256 datanetId, bool paused) external;

    /// @notice Starts a two-step ownership transfer; the zero address cancels one. Only the owner.
    /// @param datanetId The datanet.
    /// @param newOwner The pending owner, who must call `acceptDatanetOwnership`.
    function transferDatanetOwnership(uint256 datanetId, address newOwner) external;

    /// @notice Completes a transfer started by `transferDatanetOwnership`. Only the pending owner.
    /// @param datanetId The datanet.
    function acceptDatanetOwnership(uint256 datanetId) external;

    /// @notice Pauses (for at most `MAX_PAUSE_DURATION`, 7 days, after which the pause lapses by itself) or
    /// unpauses every commitment, submission, lapse, withdrawal, finalization, publication and verdict. A
    /// commitment whose reveal window the pause overlapped is refunded when it lapses.
    /// Only holders of PAUSER_ROLE.
    /// @param paused The new state.
    function setProtocolPaused(bool paused) external;

    /// @notice Binds the validation contract, once: it gets FINALIZER_ROLE, and every later commitment
    /// reserves its items' tally words there (`IValidationTallies.reserveTallies`). Commitments made
    /// before the binding are judged all the same; their first verdicts create the tally words.
    /// Only DEFAULT_ADMIN_ROLE.
    /// @param validation The attestation contract.
    function bindValidation(IValidationTallies validation) external;

    // ------------------------------------------------------------------ contributions

    /// @notice Commits to a later submission: `keccak256(abi.encode(contributor, datanetId,
    /// keccak256(abi.encodePacked(contentHashes)), salt))`. Checks the datanet's terms now, reserves
    /// `itemCount` items and `reservedBytes` bytes of the caller's and the datanet's quota in the current
    /// epoch (a reveal never fails for quota), and pulls `submissionBond × itemCount` OPEN (approve the
    /// registry first). Reveal it after this second and within `REVEAL_WINDOW`, or it lapses and the
    /// bond goes to the treasury.
    /// @param datanetId The datanet the items will be submitted to.
    /// @param commitment The commitment; only the committing address can reveal it.
    /// @param itemCount How many items the reveal will hold, exactly.
    /// @param reservedBytes The most bytes the revealed items will declare in total.
    function commitSubmission(uint256 datanetId, bytes32 commitment, uint16 itemCount, uint64 reservedBytes)
        external;

    /// @notice Ends a commitment that was not revealed within `REVEAL_WINDOW`: its bond is credited to
    /// the treasury (to the committer when a protocol pause overlapped the window) and its quota stays
    /// used. Anyone may call it.
    /// @param committer The account that made it.
    /// @param commitment The lapsed commitment.
    function lapseCommitment(address committer, bytes32 commitment) external;

    /// @notice Registers one contribution, revealing a commitment over `[contentHash]`.
    /// @param datanetId The datanet.
    /// @param contentHash keccak256 of the content.
    /// @param sizeBytes The content's size.
    /// @param uri Where validators can fetch the content.
    /// @param salt The salt used in the commitment.
    /// @return contributionId The new contribution's id, counting from 1.
    function submit(uint256 datanetId, bytes32 contentHash, uint64 sizeBytes, string calldata uri, bytes32 salt)
        external
        returns (uint256 contributionId);

    /// @notice Registers several contributions, revealing one commitment over all their hashes in order.
    /// All-or-nothing: any failing item reverts the batch.
    /// @param datanetId The datanet.
    /// @param items The contributions.
    /// @param salt The salt used in the commitment.
    /// @return firstContributionId The id of the first item; the others follow consecutively.
    function submitBatch(uint256 datanetId, SubmissionItem[] calldata items, bytes32 salt)
        external
        returns (uint256 firstContributionId);

    /// @notice Withdraws a pending contribution before verdicts open (`REVEAL_WINDOW` after its
    /// reveal), so no verdict can be seen first. Only its contributor. The bond goes to the treasury and
    /// the quota stays used, so withdrawing costs what a spam submission costs.
    /// @param contentHash The contribution's content hash.
    function withdraw(bytes32 contentHash) external;

    /// @notice Closes a pending contribution `Accepted`, `Rejected` or `Expired` and settles its bond.
    /// Only FINALIZER_ROLE (the attestation contract).
    /// @param contentHash The contribution's content hash.
    /// @param outcome The outcome.
    /// @return epoch The datanet's current epoch: the epoch the outcome counts in for rewards.
    /// @return validatorsShare The forfeited bond credited to the caller for the rejecting validators.
    function finalize(bytes32 contentHash, ContributionStatus outcome)
        external
        returns (uint32 epoch, uint256 validatorsShare);

    /// @notice Moves part of the caller's credit to another account (the attestation contract pays
    /// rejecting validators their share of forfeited bonds this way).
    /// @param to The receiver.
    /// @param amount OPEN of credit.
    function transferCredit(address to, uint256 amount) external;

    /// @notice Pays the caller its whole credit (refunded bonds, forfeit shares) in OPEN.
    /// @return amount What was paid.
    function withdrawCredit() external returns (uint256 amount);

    /// @notice Publishes the next version of a datanet. Only the datanet owner. The version names what
    /// it covers, the first `count` accepted contributions in acceptance order, so finalizations that
    /// land between computing the root and publishing it cannot make the publication revert.
    /// @param datanetId The datanet.
    /// @param root StandardMerkleTree root over leaves `(uint256 id, address contributor, bytes32 contentHash)`
    /// of the first `count` accepted contributions, in acceptance order.
    /// @param count How many contributions the version covers: more than the previous version, at most
    /// the datanet's accepted count now.
    /// @param uri Where the version's manifest lives.
    /// @return version The version number, counting from 1.
    function publishVersion(uint256 datanetId, bytes32 root, uint64 count, string calldata uri)
        external
        returns (uint32 version);

    // ------------------------------------------------------------------ views

    /// @notice The datanet's owner, policy and counters.
    /// @param datanetId The datanet.
    /// @return info The datanet; reverts `DatanetUnknown` for an unknown id.
    function getDatanet(uint256 datanetId) external view returns (DatanetInfo memory info);

    /// @notice The policy that governs an epoch: for the current and next epoch it is fixed; for later
    /// ones it is the policy as scheduled now.
    /// @param datanetId The datanet.
    /// @param epoch The epoch, current or later (`EpochTermsPassed` for an ended one).
    /// @return policy The terms.
    function epochTerms(uint256 datanetId, uint256 epoch) external view returns (DatanetPolicy memory policy);

    /// @notice The stored policies, independent of the time of the call (what an auditor rebuilds from
    /// `DatanetPolicyUpdated`): the one in force before the schedule, and the scheduled one.
    /// @param datanetId The datanet.
    /// @return current The policy before `effectiveEpoch` (or always, when nothing is scheduled).
    /// @return scheduled The policy from `effectiveEpoch` on (zero when nothing is scheduled).
    /// @return effectiveEpoch The epoch the scheduled policy applies from (0: none).
    function policySchedule(uint256 datanetId)
        external
        view
        returns (DatanetPolicy memory current, DatanetPolicy memory scheduled, uint32 effectiveEpoch);

    /// @notice An allowlist entry as stored, independent of the time of the call.
    /// @param datanetId The datanet.
    /// @param account The account.
    /// @return listed Whether the owner listed it.
    /// @return removedFrom The epoch its removal applies from (0: none).
    function allowlistEntry(uint256 datanetId, address account) external view returns (bool listed, uint32 removedFrom);

    /// @notice The validation settings of a datanet's policy in the current epoch.
    /// @param datanetId The datanet.
    /// @return settings Minimum stake, quorum, acceptance threshold, reward split; reverts
    /// `DatanetUnknown` for an unknown id.
    function validationSettings(uint256 datanetId) external view returns (ValidationSettings memory settings);

    /// @notice How many datanets exist; ids run from 1 to this number.
    /// @return count The number of datanets.
    function datanetCount() external view returns (uint256 count);

    /// @notice The datanet's current epoch number, counting from 0 at creation.
    /// @param datanetId The datanet.
    /// @return epoch The current epoch.
    function currentEpoch(uint256 datanetId) external view returns (uint32 epoch);

    /// @notice Whether an account is on a datanet's allowlist in the current epoch.
    /// @param datanetId The datanet.
    /// @param account The account.
    /// @return allowed True when allowlisted.
    function isAllowlisted(uint256 datanetId, address account) external view returns (bool allowed);

    /// @notice A contributor's quota use in the datanet's current epoch.
    /// @param datanetId The datanet.
    /// @param contributor The contributor.
    /// @return usage Contributions and bytes used this epoch.
    function contributorUsage(uint256 datanetId, address contributor) external view returns (QuotaUsage memory usage);

    /// @notice Bytes the whole datanet has taken in its current epoch.
    /// @param datanetId The datanet.
    /// @return bytesUsed Bytes used this epoch.
    function datanetBytesUsed(uint256 datanetId) external view returns (uint64 bytesUsed);

    /// @notice A stored contribution.
    /// @param contentHash The contribution's content hash (its key; `ContributionSubmitted` maps ids to hashes).
    /// @return contribution The record; reverts `ContributionUnknown` for an unregistered hash.
    function getContribution(bytes32 contentHash) external view returns (Contribution memory contribution);

    /// @notice The id registered for a content hash, or 0 when it is unregistered (never reverts).
    /// @param contentHash The hash.
    /// @return contributionId The id, or 0.
    function contributionIdOf(bytes32 contentHash) external view returns (uint256 contributionId);

    /// @notice How many contributions exist; ids run from 1 to this number.
    /// @return count The number of contributions.
    function contributionCount() external view returns (uint256 count);

    /// @notice An unrevealed commitment (all zero when there is none). Commitments are kept per
    /// committer, so nobody can occupy or consume another account's.
    /// @param committer The account that made it.
    /// @param commitment The commitment.
    /// @return info What it reserved and holds.
    function getCommitment(address committer, bytes32 commitment) external view returns (Commitment memory info);

    /// @notice OPEN an account can withdraw with `withdrawCredit`.
    /// @param account The account.
    /// @return credit Its credit.
    function creditOf(address account) external view returns (uint256 credit);

    /// @notice A published version.
    /// @param datanetId The datanet.
    /// @param version The version number, from 1.
    /// @return info The version; reverts `VersionUnknown` when it does not exist.
    function getVersion(uint256 datanetId, uint32 version) external view returns (Version memory info);

    /// @notice Whether the protocol is paused.
    /// @return paused True when paused.
    function protocolPaused() external view returns (bool paused);

    /// @notice The bound validation contract (zero until `bindValidation`).
    /// @return validation Its address.
    function validation() external view returns (IValidationTallies validation);
}
