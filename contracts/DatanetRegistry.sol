// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IDatanetRegistry, IValidationTallies} from "./interfaces/IDatanetRegistry.sol";
import {TokenPull} from "./libraries/TokenPull.sol";

/// @title DatanetRegistry
/// @notice Datanets, their policies, and the contributions registered to them. See IDatanetRegistry.
/// @dev A commitment reserves quota and holds the bond (one new slot, updating the datanet's and the
/// contributor's packed epoch counters); its reveal writes the two-slot hash-keyed record (also the
/// duplicate check) and deletes the commitment. A commitment also has the bound validation contract
/// write the tally words of as many future ids as it has items, so no verdict pays for a new slot. Contributions are addressed by content hash; the
/// sequential id is a label in the record and in every event. Bonds stay here until they are credited
/// (refunds to contributors, forfeits to the treasury and the finalizer) and withdrawn.
contract DatanetRegistry is IDatanetRegistry, AccessControlDefaultAdminRules {
    using SafeERC20 for IERC20;

    /// @notice May pause and unpause the whole protocol.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice May finalize pending contributions: granted to the bound validation contract (`bindValidation`).
    bytes32 public constant FINALIZER_ROLE = keccak256("FINALIZER_ROLE");

    /// @notice Shortest allowed epoch, so quotas cannot be reset every block.
    uint32 public constant MIN_EPOCH_LENGTH = 1 hours;
    /// @notice Longest allowed epoch.
    uint32 public constant MAX_EPOCH_LENGTH = 366 days;
    /// @notice Acceptance must need a strict majority of the verdict stake, so both outcomes cannot
    /// be reachable at once.
    uint16 public constant MIN_ACCEPTANCE_THRESHOLD_BPS = 5_001;
    /// @notice Contributors get at least half of every reward pool.
    uint16 public constant MIN_CONTRIBUTOR_REWARD_BPS = 5_000;
    /// @notice Upper bound of a basis-point value.
    uint16 public constant BPS = 10_000;
    /// @notice Largest participation floor (distinct validators a decision needs).
    uint16 public constant MAX_QUORUM = 100;
    /// @notice A policy change (or an allowlist removal) applies this many epochs after the epoch it is
    /// made in, so the current and next epoch's terms are fixed before anyone can fund them.
    uint32 public constant TERMS_DELAY_EPOCHS = 2;
    /// @notice The longest a protocol pause lasts; it lapses by itself after this.
    uint40 public constant MAX_PAUSE_DURATION = 7 days;
    /// @notice Stake amounts frozen into a contribution (its minimum validator stake) are kept in units of
    /// a thousandth of an OPEN, the attestation contract's weight unit; a minimum is rounded up to one.
    uint256 public constant STAKE_UNIT = 1e15;
    /// @notice The largest minimum validator stake: the whole OPEN supply.
    uint128 public constant MAX_MIN_VALIDATOR_STAKE = 1e27;
    /// @notice A commitment must be revealed within this many seconds, and verdicts on a reveal open
    /// this many seconds after it: any older commitment to the same content has been revealed (and has
    /// displaced the younger registration) before anyone can judge it.
    uint32 public constant REVEAL_WINDOW = 30 minutes;
    /// @notice Bounds of a policy's validation window.
    uint32 public constant MIN_VALIDATION_WINDOW = 10 minutes;
    uint32 public constant MAX_VALIDATION_WINDOW = 30 days;
    /// @notice Share of a rejected contribution's bond that goes to the treasury; the rest goes to the
    /// rejecting validators, so rejecting one's own junk never recovers the whole bond.
    uint16 public constant FORFEIT_TREASURY_BPS = 2_000;

    /// @notice The bond token (OPEN).
    IERC20 public immutable token;
    /// @notice Receives forfeited bonds (its share of rejections; all of withdrawals, lapses, displacements).
    address public immutable treasury;

    /// @dev Slot: maxBytesPerContribution (64) | maxContributionsPerContributorPerEpoch (32) |
    /// maxBytesPerContributorPerEpoch (64) | maxBytesPerDatanetPerEpoch (64) | epochLength (32).
    /// Read once per submission.
    struct Limits {
        uint64 maxBytesPerContribution;
        uint32 maxContributionsPerContributorPerEpoch;
        uint64 maxBytesPerContributorPerEpoch;
        uint64 maxBytesPerDatanetPerEpoch;
        uint32 epochLength;
    }

    /// @dev Slot: createdAt (40) | paused (8) | allowlistOnly (8) | kind (8) | bytesEpoch (32) |
    /// bytesInEpoch (64) | acceptedCount (64) | versionCount (32). Read and written once per submission.
    struct State {
        uint40 createdAt;
        bool paused;
        bool allowlistOnly;
        DataKind kind;
        uint32 bytesEpoch;
        uint64 bytesInEpoch;
        uint64 acceptedCount;
        uint32 versionCount;
    }

    /// @dev Slot: minValidatorStake (128) | quorum (16) | acceptanceThresholdBps (16) | contributorRewardBps
    /// (16) | nextFrom (32) | nextAllowlistOnly (8). In the current terms, `nextFrom` is the epoch the
    /// scheduled terms apply from (0: none) and `nextAllowlistOnly` their allowlist flag: the schedule
    /// shares the slot the attestation contract reads anyway, so without a change nothing more is read.
    struct ValidationSlot {
        uint128 minValidatorStake;
        uint16 quorum;
        uint16 acceptanceThresholdBps;
        uint16 contributorRewardBps;
        uint32 nextFrom;
        bool nextAllowlistOnly;
    }

    /// @dev Slot: submissionBond (96) | validationWindow (32). Read at commit (bond) and reveal (window).
    struct BondTerms {
        uint96 submissionBond;
        uint32 validationWindow;
    }

    /// @dev The current terms (`limits`, `validation`, `bondTerms`, `state.allowlistOnly`) and, when a change is
    /// scheduled, the next ones with the epoch they apply from. Readers pick by epoch; the next terms
    /// move into the current ones when the owner schedules the following change.
    struct Datanet {
        Limits limits;
        State state;
        ValidationSlot validation;
        address owner;
        address pendingOwner;
        Limits nextLimits;
        ValidationSlot nextValidation;
        BondTerms bondTerms;
        BondTerms nextBondTerms;
    }

    /// @dev Slot: allowlisted (8) | epoch (32) | contributions (32) | bytesUsed (64) | removedFrom (32).
    /// Counters reset lazily when `epoch` is behind the current one. An allowlisted account stays so
    /// until `removedFrom` (0: no removal scheduled).
    struct ContributorSlot {
        bool allowlisted;
        uint32 epoch;
        uint32 contributions;
        uint64 bytesUsed;
        uint32 removedFrom;
    }

    /// @dev Slots: contributor (160) | id (56) | datanetId (32) | status (8); committedAt (32) |
    /// revealedAt (32) | votingEndsAt (32) | bond (96) | quorum (8) | acceptanceThresholdBps (16) |
    /// minValidatorStake in STAKE_UNIT (40). Keyed by content hash, so the duplicate check and the record
    /// are the same storage. The validation terms are frozen at the reveal, so no later policy change can
    /// decide a contribution already revealed. Times fit 32 bits until 2106.
    struct Record {
        address contributor;
        uint56 id;
        uint32 datanetId;
        ContributionStatus status;
        uint32 committedAt;
        uint32 revealedAt;
        uint32 votingEndsAt;
        uint96 bond;
        uint8 quorum;
        uint16 acceptanceThresholdBps;
        uint40 minStakeUnits;
    }

    /// @dev What a reveal needs from the current terms.
    struct RevealTerms {
        uint64 maxBytesPerContribution;
        uint32 validationWindow;
        uint32 epoch;
        uint8 quorum;
        uint16 acceptanceThresholdBps;
        uint40 minStakeUnits;
    }

    /// @dev Slot: contributionCount (56) | datanetCount (32) | pausedUntil (40) | pauseStartedAt (40). The
    /// protocol is paused while `block.timestamp < pausedUntil`; the last pause's start stays so that a
    /// commitment whose reveal window it overlapped is refunded, not forfeited, when it lapses.
    struct Counters {
        uint56 contributionCount;
        uint32 datanetCount;
        uint40 pausedUntil;
        uint40 pauseStartedAt;
    }

    Counters private _counters;
    IValidationTallies private _validation;
    mapping(uint256 datanetId => Datanet) private _datanets;
    mapping(uint256 datanetId => mapping(address contributor => ContributorSlot)) private _contributors;
    mapping(bytes32 contentHash => Record) private _records;
    /// @dev Keyed by committer, so nobody can occupy or consume another account's commitment.
    mapping(address committer => mapping(bytes32 commitment => Commitment)) private _commitments;
    mapping(address account => uint256 credit) private _credits;
    mapping(uint256 datanetId => mapping(uint32 version => Version)) private _versions;

    /// @param token_ The bond token (OPEN).
    /// @param treasury_ Receives forfeited bonds.
    /// @param admin Receives DEFAULT_ADMIN_ROLE and PAUSER_ROLE.
    /// @param adminDelay Seconds a new admin waits before accepting the role (two-step transfer).
    constructor(IERC20 token_, address treasury_, address admin, uint48 adminDelay)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        if (address(token_) == address(0) || treasury_ == address(0)) revert ZeroAddress();
        token = token_;
        treasury = treasury_;
        _grantRole(PAUSER_ROLE, admin);
    }

    // ------------------------------------------------------------------ datanets

    /// @inheritdoc IDatanetRegistry
    function createDatanet(DataKind kind, string calldata metadataURI, DatanetPolicy calldata policy)
        external
        returns (uint256 datanetId)
    {
        _validatePolicy(policy);
        Counters memory counters = _counters;
        if (counters.datanetCount == type(uint32).max) revert DatanetIdOverflow();
        datanetId = ++counters.datanetCount;
        _counters = counters;

        Datanet storage datanet = _datanets[datanetId];
        datanet.owner = msg.sender;
        datanet.state.createdAt = uint40(block.timestamp);
        datanet.state.kind = kind;
        datanet.limits = _limitsOf(policy);
        datanet.validation = _validationOf(policy);
        datanet.bondTerms = _bondTermsOf(policy);
        datanet.state.allowlistOnly = policy.allowlistOnly;
        emit DatanetCreated(datanetId, msg.sender, kind, metadataURI, policy, uint40(block.timestamp));
    }

    /// @inheritdoc IDatanetRegistry
    function updateMetadata(uint256 datanetId, string calldata metadataURI) external {
        _onlyDatanetOwner(datanetId);
        emit DatanetMetadataUpdated(datanetId, metadataURI);
    }

    /// @inheritdoc IDatanetRegistry
    function updatePolicy(uint256 datanetId, DatanetPolicy calldata policy) external returns (uint32 effectiveEpoch) {
        Datanet storage datanet = _onlyDatanetOwner(datanetId);
        _validatePolicy(policy);
        uint32 epochLength = datanet.limits.epochLength;
        if (policy.epochLength != epochLength) revert EpochLengthImmutable(datanetId, epochLength, policy.epochLength);
        uint32 epoch = _epochAt(datanet.state.createdAt, epochLength);
        ValidationSlot memory current = datanet.validation;
        if (current.nextFrom != 0) {
            // One change at a time: a waiting change already governs a fixed epoch and must not move.
            if (epoch < current.nextFrom) revert PolicyChangePending(datanetId, current.nextFrom);
            datanet.limits = datanet.nextLimits;
            datanet.bondTerms = datanet.nextBondTerms;
            datanet.state.allowlistOnly = current.nextAllowlistOnly;
            current = datanet.nextValidation;
        }
        effectiveEpoch = epoch + TERMS_DELAY_EPOCHS;
        (current.nextFrom, current.nextAllowlistOnly) = (effectiveEpoch, policy.allowlistOnly);
        datanet.validation = current;
        datanet.nextLimits = _limitsOf(policy);
        datanet.nextValidation = _validationOf(policy);
        datanet.nextBondTerms = _bondTermsOf(policy);
        emit DatanetPolicyUpdated(datanetId, policy, effectiveEpoch);
    }

    /// @inheritdoc IDatanetRegistry
    function setAllowlisted(uint256 datanetId, address[] calldata accounts, bool allowed) external {
        Datanet storage datanet = _onlyDatanetOwner(datanetId);
        uint32 epoch = _epochAt(datanet.state.createdAt, datanet.limits.epochLength);
        uint32 effectiveEpoch = allowed ? epoch : epoch + TERMS_DELAY_EPOCHS;
        mapping(address => ContributorSlot) storage contributors = _contributors[datanetId];
        for (uint256 i = 0; i < accounts.length; ++i) {
            address account = accounts[i];
            if (account == address(0)) revert ZeroAddress();
            ContributorSlot storage slot = contributors[account];
            if (allowed) {
                slot.allowlisted = true;
                slot.removedFrom = 0;
            } else if (slot.allowlisted && slot.removedFrom == 0) {
                // A removal already scheduled (or applied) keeps its epoch.
                slot.removedFrom = effectiveEpoch;
            }
            emit AllowlistUpdated(datanetId, account, allowed, effectiveEpoch);
        }
    }

    /// @inheritdoc IDatanetRegistry
    function setDatanetPaused(uint256 datanetId, bool paused) external {
        _onlyDatanetOwner(datanetId).state.paused = paused;
        emit DatanetPauseSet(datanetId, paused);
    }

    /// @inheritdoc IDatanetRegistry
    function transferDatanetOwnership(uint256 datanetId, address newOwner) external {
        _onlyDatanetOwner(datanetId).pendingOwner = newOwner;
        emit DatanetOwnershipTransferStarted(datanetId, msg.sender, newOwner);
    }

    /// @inheritdoc IDatanetRegistry
    function acceptDatanetOwnership(uint256 datanetId) external {
        Datanet storage datanet = _existingDatanet(datanetId);
        if (datanet.pendingOwner != msg.sender) revert NotPendingDatanetOwner(datanetId, msg.sender);
        address previousOwner = datanet.owner;
        datanet.owner = msg.sender;
        delete datanet.pendingOwner;
        emit DatanetOwnershipTransferred(datanetId, previousOwner, msg.sender);
    }

    /// @inheritdoc IDatanetRegistry
    function bindValidation(IValidationTallies validation_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(_validation) != address(0)) revert ValidationAlreadyBound(address(_validation));
        // Bound for good, so an account that is not a contract judging this registry (whose every
        // reservation would revert) is refused here rather than found out at the first commitment.
        if (address(validation_).code.length == 0 || address(validation_.registry()) != address(this)) {
            revert ValidationNotForThisRegistry(address(validation_));
        }
        _validation = validation_;
        _grantRole(FINALIZER_ROLE, address(validation_));
        emit ValidationBound(address(validation_));
    }

    /// @inheritdoc IDatanetRegistry
    function setProtocolPaused(bool paused) external onlyRole(PAUSER_ROLE) {
        Counters memory counters = _counters;
        uint40 now_ = uint40(block.timestamp);
        if (paused) {
            (counters.pauseStartedAt, counters.pausedUntil) = (now_, now_ + MAX_PAUSE_DURATION);
        } else if (counters.pausedUntil > now_) {
            counters.pausedUntil = now_;
        }
        _counters = counters;
        emit ProtocolPauseSet(msg.sender, paused);
    }

    // ------------------------------------------------------------------ contributions

    /// @inheritdoc IDatanetRegistry
    function commitSubmission(uint256 datanetId, bytes32 commitment, uint16 itemCount, uint64 reservedBytes)
        external
    {
        if (_isPaused(_counters)) revert ProtocolPaused();
        if (commitment == bytes32(0)) revert ZeroCommitment();
        if (itemCount == 0 || reservedBytes < itemCount) revert InvalidReservation(itemCount, reservedBytes);
        if (_commitments[msg.sender][commitment].committedAt != 0) revert CommitmentAlreadyExists(commitment);
        Datanet storage datanet = _datanets[datanetId];
        State memory state = datanet.state;
        (Limits memory limits, ContributorSlot memory quota, uint32 epoch, bool next) =
            _openSubmission(datanetId, datanet, state);
        // A reservation can be no larger than its items may be, and a reveal must declare exactly it.
        if (reservedBytes > uint256(itemCount) * limits.maxBytesPerContribution) {
            revert InvalidReservation(itemCount, reservedBytes);
        }
        _rollEpoch(state, quota, epoch);
        _reserve(datanetId, limits, state, quota, epoch, itemCount, reservedBytes);
        // A uint96 bond times a uint16 count fits a uint256; a total above uint96 cannot be paid anyway.
        uint256 bond = uint256((next ? datanet.nextBondTerms : datanet.bondTerms).submissionBond) * itemCount;
        if (bond > type(uint96).max) revert InvalidReservation(itemCount, reservedBytes);
        uint40 now_ = uint40(block.timestamp);
        _commitments[msg.sender][commitment] = Commitment({
            committedAt: now_,
            datanetId: uint32(datanetId),
            itemCount: itemCount,
            reservedBytes: reservedBytes,
            bond: uint96(bond)
        });
        datanet.state = state;
        _contributors[datanetId][msg.sender] = quota;
        emit SubmissionCommitted(msg.sender, commitment, datanetId, itemCount, reservedBytes, uint96(bond), epoch, now_);
        IValidationTallies validation_ = _validation;
        if (address(validation_) != address(0)) validation_.reserveTallies(itemCount);
        if (bond != 0) TokenPull.pullExactly(token, msg.sender, address(this), bond);
    }

    /// @inheritdoc IDatanetRegistry
    function lapseCommitment(address committer, bytes32 commitment) external {
        if (_isPaused(_counters)) revert ProtocolPaused();
        Commitment memory c = _commitments[committer][commitment];
        if (c.committedAt == 0) revert CommitmentNotFound(commitment);
        uint256 lapsesAt = uint256(c.committedAt) + REVEAL_WINDOW;
        if (block.timestamp <= lapsesAt) revert CommitmentNotLapsed(commitment, lapsesAt);
        delete _commitments[committer][commitment];
        // A pause that overlapped the reveal window may be why it was not revealed: refund the bond then.
        Counters memory counters = _counters;
        bool pauseOverlapped = counters.pauseStartedAt <= lapsesAt && counters.pausedUntil > c.committedAt;
        _credit(pauseOverlapped ? committer : treasury, c.bond);
        emit SubmissionLapsed(committer, commitment, c.datanetId, c.bond);
    }

    /// @inheritdoc IDatanetRegistry
    function submit(uint256 datanetId, bytes32 contentHash, uint64 sizeBytes, string calldata uri, bytes32 salt)
        external
        returns (uint256 contributionId)
    {
        Counters memory counters = _counters;
        if (_isPaused(counters)) revert ProtocolPaused();
        (bytes32 commitment, Commitment memory c) =
            _consumeCommitment(datanetId, keccak256(abi.encodePacked(contentHash)), salt);
        if (c.itemCount != 1 || sizeBytes != c.reservedBytes) {
            revert RevealMismatch(commitment, c.itemCount, 1, c.reservedBytes, sizeBytes);
        }
        RevealTerms memory terms = _revealTerms(datanetId);
        uint56 id = ++counters.contributionCount;
        _register(datanetId, terms, c, id, contentHash, sizeBytes, uri, commitment);
        contributionId = id;
        _counters = counters;
    }

    /// @inheritdoc IDatanetRegistry
    function submitBatch(uint256 datanetId, SubmissionItem[] calldata items, bytes32 salt)
        external
        returns (uint256 firstContributionId)
    {
        Counters memory counters = _counters;
        if (_isPaused(counters)) revert ProtocolPaused();
        if (items.length == 0) revert EmptyBatch();
        (bytes32 commitment, Commitment memory c) = _consumeCommitment(datanetId, _batchDigest(items), salt);
        uint256 totalBytes;
        for (uint256 i = 0; i < items.length; ++i) {
            totalBytes += items[i].sizeBytes;
        }
        if (items.length != c.itemCount || totalBytes != c.reservedBytes) {
            revert RevealMismatch(commitment, c.itemCount, items.length, c.reservedBytes, totalBytes);
        }
        RevealTerms memory terms = _revealTerms(datanetId);
        // The commitment took the policy's bond per item times the items, so the division is exact.
        c.bond /= c.itemCount;
        firstContributionId = uint256(counters.contributionCount) + 1;
        for (uint256 i = 0; i < items.length; ++i) {
            SubmissionItem calldata item = items[i];
            uint56 id = ++counters.contributionCount;
            _register(datanetId, terms, c, id, item.contentHash, item.sizeBytes, item.uri, commitment);
        }
        _counters = counters;
    }

    /// @inheritdoc IDatanetRegistry
    function withdraw(bytes32 contentHash) external {
        if (_isPaused(_counters)) revert ProtocolPaused();
        Record storage record = _existingContribution(contentHash);
        if (record.contributor != msg.sender) revert NotContributor(contentHash, msg.sender);
        ContributionStatus status = record.status;
        if (status != ContributionStatus.Pending) {
            revert InvalidStatusTransition(contentHash, status, ContributionStatus.Withdrawn);
        }
        uint256 opensAt = uint256(record.revealedAt) + REVEAL_WINDOW;
        if (block.timestamp >= opensAt) revert WithdrawalClosed(contentHash, opensAt);
        record.status = ContributionStatus.Withdrawn;
        uint96 bond = record.bond;
        _credit(treasury, bond);
        emit ContributionWithdrawn(record.id, record.datanetId, msg.sender, bond);
    }

    /// @inheritdoc IDatanetRegistry
    function finalize(bytes32 contentHash, ContributionStatus outcome)
        external
        onlyRole(FINALIZER_ROLE)
        returns (uint32 epoch, uint256 validatorsShare)
    {
        if (_isPaused(_counters)) revert ProtocolPaused();
        if (
            outcome != ContributionStatus.Accepted && outcome != ContributionStatus.Rejected
                && outcome != ContributionStatus.Expired
        ) revert InvalidOutcome(outcome);
        Record storage record = _existingContribution(contentHash);
        ContributionStatus from = record.status;
        if (from != ContributionStatus.Pending) revert InvalidStatusTransition(contentHash, from, outcome);
        record.status = outcome;

        uint32 datanetId = record.datanetId;
        Datanet storage datanet = _datanets[datanetId];
        State storage state = datanet.state;
        uint64 acceptedCount = state.acceptedCount;
        if (outcome == ContributionStatus.Accepted) state.acceptedCount = ++acceptedCount;
        epoch = _epochAt(state.createdAt, datanet.limits.epochLength);
        address contributor = record.contributor;
        uint96 bond = record.bond;
        if (outcome == ContributionStatus.Rejected) {
            uint256 treasuryShare = uint256(bond) * FORFEIT_TREASURY_BPS / BPS;
            validatorsShare = bond - treasuryShare;
            _credit(treasury, treasuryShare);
            _credit(msg.sender, validatorsShare);
        } else {
            _credit(contributor, bond);
        }
        emit ContributionFinalized(record.id, datanetId, contributor, outcome, acceptedCount, bond);
    }

    /// @inheritdoc IDatanetRegistry
    function transferCredit(address to, uint256 amount) external {
        if (to == address(0)) revert ZeroAddress();
        uint256 credit = _credits[msg.sender];
        if (amount > credit) revert InsufficientCredit(msg.sender, credit, amount);
        _credits[msg.sender] = credit - amount;
        emit CreditTransferred(msg.sender, to, amount);
        _credit(to, amount);
    }

    /// @inheritdoc IDatanetRegistry
    function withdrawCredit() external returns (uint256 amount) {
        amount = _credits[msg.sender];
        if (amount == 0) revert NoCredit(msg.sender);
        _credits[msg.sender] = 0;
        emit CreditWithdrawn(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IDatanetRegistry
    function publishVersion(uint256 datanetId, bytes32 root, uint64 count, string calldata uri)
        external
        returns (uint32 version)
    {
        if (_isPaused(_counters)) revert ProtocolPaused();
        State storage state = _onlyDatanetOwner(datanetId).state;
        if (root == bytes32(0)) revert ZeroVersionRoot();
        if (count == 0) revert EmptyVersion(datanetId);
        uint64 acceptedCount = state.acceptedCount;
        if (count > acceptedCount) revert VersionBeyondAccepted(datanetId, acceptedCount, count);
        uint32 previous = state.versionCount;
        uint64 previousCount = previous == 0 ? 0 : _versions[datanetId][previous].contributionCount;
        if (count <= previousCount) revert VersionNotNewer(datanetId, previousCount, count);
        version = previous + 1;
        state.versionCount = version;
        _versions[datanetId][version] =
            Version({root: root, contributionCount: count, publishedAt: uint40(block.timestamp)});
        emit VersionPublished(datanetId, version, root, count, uri, uint40(block.timestamp));
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDatanetRegistry
    function getDatanet(uint256 datanetId) external view returns (DatanetInfo memory info) {
        Datanet storage datanet = _existingDatanet(datanetId);
        State memory state = datanet.state;
        info = DatanetInfo({
            owner: datanet.owner,
            pendingOwner: datanet.pendingOwner,
            kind: state.kind,
            paused: state.paused,
            createdAt: state.createdAt,
            acceptedCount: state.acceptedCount,
            versionCount: state.versionCount,
            policy: _policyAt(datanet, currentEpoch(datanetId))
        });
    }

    /// @inheritdoc IDatanetRegistry
    function epochTerms(uint256 datanetId, uint256 epoch) external view returns (DatanetPolicy memory policy) {
        uint32 current = currentEpoch(datanetId);
        if (epoch < current) revert EpochTermsPassed(datanetId, epoch, current);
        // Epochs past uint32 are beyond any schedule: the latest terms.
        policy = _policyAt(_datanets[datanetId], epoch > type(uint32).max ? type(uint32).max : uint32(epoch));
    }

    /// @inheritdoc IDatanetRegistry
    function policySchedule(uint256 datanetId)
        external
        view
        returns (DatanetPolicy memory current, DatanetPolicy memory scheduled, uint32 effectiveEpoch)
    {
        Datanet storage datanet = _existingDatanet(datanetId);
        effectiveEpoch = datanet.validation.nextFrom;
        current = _policyAt(datanet, effectiveEpoch == 0 ? type(uint32).max : effectiveEpoch - 1);
        if (effectiveEpoch != 0) scheduled = _policyAt(datanet, effectiveEpoch);
    }

    /// @inheritdoc IDatanetRegistry
    function allowlistEntry(uint256 datanetId, address account) external view returns (bool listed, uint32 removedFrom) {
        _existingDatanet(datanetId);
        ContributorSlot memory slot = _contributors[datanetId][account];
        (listed, removedFrom) = (slot.allowlisted, slot.removedFrom);
    }

    /// @inheritdoc IDatanetRegistry
    function validationSettings(uint256 datanetId) external view returns (ValidationSettings memory settings) {
        Datanet storage datanet = _datanets[datanetId];
        ValidationSlot memory v = datanet.validation;
        // Every datanet has a quorum of at least 1, so the settings slot alone proves existence.
        if (v.quorum == 0) revert DatanetUnknown(datanetId);
        if (v.nextFrom != 0 && _epochAt(datanet.state.createdAt, datanet.limits.epochLength) >= v.nextFrom) {
            v = datanet.nextValidation;
        }
        settings = ValidationSettings({
            minValidatorStake: v.minValidatorStake,
            quorum: v.quorum,
            acceptanceThresholdBps: v.acceptanceThresholdBps,
            contributorRewardBps: v.contributorRewardBps
        });
    }

    /// @inheritdoc IDatanetRegistry
    function datanetCount() external view returns (uint256 count) {
        count = _counters.datanetCount;
    }

    /// @inheritdoc IDatanetRegistry
    function currentEpoch(uint256 datanetId) public view returns (uint32 epoch) {
        Datanet storage datanet = _existingDatanet(datanetId);
        epoch = _epochAt(datanet.state.createdAt, datanet.limits.epochLength);
    }

    /// @inheritdoc IDatanetRegistry
    function isAllowlisted(uint256 datanetId, address account) external view returns (bool allowed) {
        uint32 epoch = currentEpoch(datanetId);
        ContributorSlot memory slot = _contributors[datanetId][account];
        allowed = _allowlistedAt(slot.allowlisted, slot.removedFrom, epoch);
    }

    /// @inheritdoc IDatanetRegistry
    function contributorUsage(uint256 datanetId, address contributor) external view returns (QuotaUsage memory usage) {
        uint32 epoch = currentEpoch(datanetId);
        ContributorSlot memory slot = _contributors[datanetId][contributor];
        usage.epoch = epoch;
        if (slot.epoch == epoch) {
            usage.contributions = slot.contributions;
            usage.bytesUsed = slot.bytesUsed;
        }
    }

    /// @inheritdoc IDatanetRegistry
    function datanetBytesUsed(uint256 datanetId) external view returns (uint64 bytesUsed) {
        uint32 epoch = currentEpoch(datanetId);
        State memory state = _datanets[datanetId].state;
        if (state.bytesEpoch == epoch) bytesUsed = state.bytesInEpoch;
    }

    /// @inheritdoc IDatanetRegistry
    function getContribution(bytes32 contentHash) external view returns (Contribution memory contribution) {
        Record memory record = _existingContribution(contentHash);
        contribution = Contribution({
            id: record.id,
            contributor: record.contributor,
            datanetId: record.datanetId,
            status: record.status,
            committedAt: record.committedAt,
            revealedAt: record.revealedAt,
            votingOpensAt: uint40(record.revealedAt) + REVEAL_WINDOW,
            votingEndsAt: record.votingEndsAt,
            bond: record.bond,
            quorum: record.quorum,
            acceptanceThresholdBps: record.acceptanceThresholdBps,
            minValidatorStake: uint256(record.minStakeUnits) * STAKE_UNIT
        });
    }

    /// @inheritdoc IDatanetRegistry
    function contributionIdOf(bytes32 contentHash) external view returns (uint256 contributionId) {
        contributionId = _records[contentHash].id;
    }

    /// @inheritdoc IDatanetRegistry
    function contributionCount() external view returns (uint256 count) {
        count = _counters.contributionCount;
    }

    /// @inheritdoc IDatanetRegistry
    function getCommitment(address committer, bytes32 commitment) external view returns (Commitment memory info) {
        info = _commitments[committer][commitment];
    }

    /// @inheritdoc IDatanetRegistry
    function creditOf(address account) external view returns (uint256 credit) {
        credit = _credits[account];
    }

    /// @inheritdoc IDatanetRegistry
    function getVersion(uint256 datanetId, uint32 version) external view returns (Version memory info) {
        info = _versions[datanetId][version];
        if (info.root == bytes32(0)) revert VersionUnknown(datanetId, version);
    }

    /// @inheritdoc IDatanetRegistry
    function protocolPaused() external view returns (bool paused) {
        paused = _isPaused(_counters);
    }

    /// @inheritdoc IDatanetRegistry
    function validation() external view returns (IValidationTallies bound) {
        bound = _validation;
    }

    // ------------------------------------------------------------------ internals

    /// @dev Checks shared by single and batch submission that depend only on the datanet and sender,
    /// under the terms of the current epoch. Every datanet has a creation time, so the state slot
    /// already loaded proves existence.
    function _openSubmission(uint256 datanetId, Datanet storage datanet, State memory state)
        private
        view
        returns (Limits memory limits, ContributorSlot memory quota, uint32 epoch, bool next)
    {
        if (state.createdAt == 0) revert DatanetUnknown(datanetId);
        if (state.paused) revert DatanetPaused(datanetId);
        limits = datanet.limits;
        epoch = _epochAt(state.createdAt, limits.epochLength);
        bool allowlistOnly = state.allowlistOnly;
        ValidationSlot memory v = datanet.validation;
        next = v.nextFrom != 0 && epoch >= v.nextFrom;
        if (next) (limits, allowlistOnly) = (datanet.nextLimits, v.nextAllowlistOnly);
        quota = _contributors[datanetId][msg.sender];
        if (allowlistOnly && !_allowlistedAt(quota.allowlisted, quota.removedFrom, epoch)) {
            revert ContributorNotAllowlisted(datanetId, msg.sender);
        }
    }

    /// @dev Whether an allowlist entry holds in `epoch`: listed, and no removal applied by then.
    function _allowlistedAt(bool listed, uint32 removedFrom, uint32 epoch) private pure returns (bool) {
        return listed && (removedFrom == 0 || epoch < removedFrom);
    }

    /// @dev The policy that governs `epoch`: the scheduled one from its first epoch on, else the current.
    function _policyAt(Datanet storage datanet, uint32 epoch) private view returns (DatanetPolicy memory policy) {
        ValidationSlot memory current = datanet.validation;
        bool next = current.nextFrom != 0 && epoch >= current.nextFrom;
        Limits memory limits = next ? datanet.nextLimits : datanet.limits;
        ValidationSlot memory terms = next ? datanet.nextValidation : current;
        BondTerms memory bondTerms = next ? datanet.nextBondTerms : datanet.bondTerms;
        policy = DatanetPolicy({
            maxBytesPerContribution: limits.maxBytesPerContribution,
            maxContributionsPerContributorPerEpoch: limits.maxContributionsPerContributorPerEpoch,
            maxBytesPerContributorPerEpoch: limits.maxBytesPerContributorPerEpoch,
            maxBytesPerDatanetPerEpoch: limits.maxBytesPerDatanetPerEpoch,
            epochLength: limits.epochLength,
            allowlistOnly: next ? current.nextAllowlistOnly : datanet.state.allowlistOnly,
            minValidatorStake: terms.minValidatorStake,
            quorum: terms.quorum,
            acceptanceThresholdBps: terms.acceptanceThresholdBps,
            contributorRewardBps: terms.contributorRewardBps,
            submissionBond: bondTerms.submissionBond,
            validationWindow: bondTerms.validationWindow
        });
    }

    /// @dev The current terms a reveal applies: the largest item and the validation window.
    function _revealTerms(uint256 datanetId) private view returns (RevealTerms memory terms) {
        Datanet storage datanet = _datanets[datanetId];
        Limits memory limits = datanet.limits;
        terms.epoch = _epochAt(datanet.state.createdAt, limits.epochLength);
        uint32 nextFrom = datanet.validation.nextFrom;
        bool next = nextFrom != 0 && terms.epoch >= nextFrom;
        terms.maxBytesPerContribution = next ? datanet.nextLimits.maxBytesPerContribution : limits.maxBytesPerContribution;
        terms.validationWindow = (next ? datanet.nextBondTerms : datanet.bondTerms).validationWindow;
        ValidationSlot memory v = next ? datanet.nextValidation : datanet.validation;
        // Policies bound quorum by 100 and the minimum stake by the OPEN supply (1e12 units < 2^40).
        terms.quorum = uint8(v.quorum);
        terms.acceptanceThresholdBps = v.acceptanceThresholdBps;
        terms.minStakeUnits = uint40((uint256(v.minValidatorStake) + STAKE_UNIT - 1) / STAKE_UNIT);
    }

    /// @dev The commitment binds the sender and the datanet, and is stored under its committer, so a copied
    /// reveal cannot consume someone else's commitment, nor a reservation on one datanet serve another.
    /// It must be revealed after the second it was made in and within `REVEAL_WINDOW`.
    function _consumeCommitment(uint256 datanetId, bytes32 hashesDigest, bytes32 salt)
        private
        returns (bytes32 commitment, Commitment memory c)
    {
        commitment = keccak256(abi.encode(msg.sender, datanetId, hashesDigest, salt));
        c = _commitments[msg.sender][commitment];
        // The commitment names its datanet; a reservation made on another datanet does not count here.
        if (c.committedAt == 0 || c.datanetId != datanetId) revert CommitmentNotFound(commitment);
        if (c.committedAt >= block.timestamp) revert CommitmentNotMatured(commitment, c.committedAt);
        uint256 lapsesAt = uint256(c.committedAt) + REVEAL_WINDOW;
        if (block.timestamp > lapsesAt) revert CommitmentLapsed(commitment, lapsesAt);
        delete _commitments[msg.sender][commitment];
    }

    /// @dev keccak256 over the packed content hashes, in order: the digest a batch commitment covers.
    function _batchDigest(SubmissionItem[] calldata items) private pure returns (bytes32 digest) {
        bytes32[] memory hashes = new bytes32[](items.length);
        for (uint256 i = 0; i < items.length; ++i) {
            hashes[i] = items[i].contentHash;
        }
        digest = keccak256(abi.encodePacked(hashes));
    }

    /// @dev Moves the datanet and contributor counters into the current epoch, resetting them when
    /// the epoch has changed since they were last written.
    function _rollEpoch(State memory state, ContributorSlot memory quota, uint32 epoch) private pure {
        if (state.bytesEpoch != epoch) {
            state.bytesEpoch = epoch;
            state.bytesInEpoch = 0;
        }
        if (quota.epoch != epoch) {
            quota.epoch = epoch;
            quota.contributions = 0;
            quota.bytesUsed = 0;
        }
    }

    /// @dev Checks a reservation against the policy and the in-memory counters and counts it. The
    /// caller writes the counters back once.
    function _reserve(
        uint256 datanetId,
        Limits memory limits,
        State memory state,
        ContributorSlot memory quota,
        uint32 epoch,
        uint16 itemCount,
        uint64 reservedBytes
    ) private view {
        if (uint256(quota.contributions) + itemCount > limits.maxContributionsPerContributorPerEpoch) {
            revert ContributorCountQuotaExceeded(
                datanetId, msg.sender, epoch, quota.contributions, limits.maxContributionsPerContributorPerEpoch
            );
        }
        // Each sum is at most a uint64 limit plus a uint64 size, so it cannot overflow a uint256.
        if (uint256(quota.bytesUsed) + reservedBytes > limits.maxBytesPerContributorPerEpoch) {
            revert ContributorBytesQuotaExceeded(
                datanetId, msg.sender, epoch, quota.bytesUsed, reservedBytes, limits.maxBytesPerContributorPerEpoch
            );
        }
        if (uint256(state.bytesInEpoch) + reservedBytes > limits.maxBytesPerDatanetPerEpoch) {
            revert DatanetBytesQuotaExceeded(
                datanetId, epoch, state.bytesInEpoch, reservedBytes, limits.maxBytesPerDatanetPerEpoch
            );
        }
        // The checks above bound every counter by its uint32/uint64 limit, so these cannot overflow.
        unchecked {
            quota.contributions += itemCount;
            quota.bytesUsed += reservedBytes;
            state.bytesInEpoch += reservedBytes;
        }
    }

    /// @dev Checks one revealed item and writes its record.
    function _register(
        uint256 datanetId,
        RevealTerms memory terms,
        Commitment memory c,
        uint56 contributionId,
        bytes32 contentHash,
        uint64 sizeBytes,
        string calldata uri,
        bytes32 commitment
    ) private {
        if (contentHash == bytes32(0)) revert ZeroContentHash();
        if (sizeBytes == 0) revert ZeroSize(contentHash);
        if (sizeBytes > terms.maxBytesPerContribution) {
            revert ContributionTooLarge(contentHash, sizeBytes, terms.maxBytesPerContribution);
        }
        _takeHash(contentHash, c.committedAt);
        uint40 now_ = uint40(block.timestamp);
        uint40 endsAt = now_ + REVEAL_WINDOW + terms.validationWindow;
        _records[contentHash] = Record({
            contributor: msg.sender,
            id: contributionId,
            datanetId: uint32(datanetId),
            status: ContributionStatus.Pending,
            committedAt: uint32(c.committedAt),
            revealedAt: uint32(now_),
            votingEndsAt: uint32(endsAt),
            bond: c.bond,
            quorum: terms.quorum,
            acceptanceThresholdBps: terms.acceptanceThresholdBps,
            minStakeUnits: terms.minStakeUnits
        });
        emit ContributionSubmitted(
            contributionId,
            datanetId,
            msg.sender,
            contentHash,
            sizeBytes,
            uri,
            terms.epoch,
            now_,
            commitment,
            c.committedAt,
            endsAt,
            c.bond
        );
    }

    /// @dev Checks that the caller may register `contentHash` now: only a pending or accepted registration
    /// blocks it; a pending one is displaced by the reveal of an older commitment before its verdicts
    /// open (its bond to the treasury); closed or withdrawn content stays its contributor's for one reveal
    /// window after its validation window, so nobody who watched it expire or fail can take it first.
    function _takeHash(bytes32 contentHash, uint40 committedAt) private {
        Record storage record = _records[contentHash];
        ContributionStatus status = record.status;
        if (status == ContributionStatus.Accepted) revert DuplicateContent(contentHash, record.id);
        if (status == ContributionStatus.Pending) {
            if (committedAt >= record.committedAt || block.timestamp >= uint256(record.revealedAt) + REVEAL_WINDOW) {
                revert DuplicateContent(contentHash, record.id);
            }
            uint96 forfeited = record.bond;
            _credit(treasury, forfeited);
            emit ContributionDisplaced(record.id, record.datanetId, record.contributor, forfeited);
        } else if (
            status != ContributionStatus.None && record.contributor != msg.sender
                && block.timestamp < uint256(record.votingEndsAt) + REVEAL_WINDOW
        ) {
            revert DuplicateContent(contentHash, record.id);
        }
    }

    /// @dev Credits `amount` to `account`, withdrawable with `withdrawCredit`.
    function _credit(address account, uint256 amount) private {
        if (amount == 0) return;
        uint256 credit = _credits[account] + amount;
        _credits[account] = credit;
        emit Credited(account, amount, credit);
    }

    function _limitsOf(DatanetPolicy calldata policy) private pure returns (Limits memory) {
        return Limits({
            maxBytesPerContribution: policy.maxBytesPerContribution,
            maxContributionsPerContributorPerEpoch: policy.maxContributionsPerContributorPerEpoch,
            maxBytesPerContributorPerEpoch: policy.maxBytesPerContributorPerEpoch,
            maxBytesPerDatanetPerEpoch: policy.maxBytesPerDatanetPerEpoch,
            epochLength: policy.epochLength
        });
    }

    function _validationOf(DatanetPolicy calldata policy) private pure returns (ValidationSlot memory) {
        return ValidationSlot({
            minValidatorStake: policy.minValidatorStake,
            quorum: policy.quorum,
            acceptanceThresholdBps: policy.acceptanceThresholdBps,
            contributorRewardBps: policy.contributorRewardBps,
            nextFrom: 0,
            nextAllowlistOnly: false
        });
    }

    function _bondTermsOf(DatanetPolicy calldata policy) private pure returns (BondTerms memory) {
        return BondTerms({submissionBond: policy.submissionBond, validationWindow: policy.validationWindow});
    }

    function _validatePolicy(DatanetPolicy calldata policy) private pure {
        if (policy.maxBytesPerContribution == 0) revert InvalidPolicy(PolicyField.MaxBytesPerContribution, 0);
        if (policy.maxContributionsPerContributorPerEpoch == 0) {
            revert InvalidPolicy(PolicyField.MaxContributionsPerContributorPerEpoch, 0);
        }
        // A contributor limit below the single-item limit, or a datanet limit below the contributor
        // limit, would make the larger limit unreachable: almost certainly a mistake.
        if (policy.maxBytesPerContributorPerEpoch < policy.maxBytesPerContribution) {
            revert InvalidPolicy(PolicyField.MaxBytesPerContributorPerEpoch, policy.maxBytesPerContributorPerEpoch);
        }
        if (policy.maxBytesPerDatanetPerEpoch < policy.maxBytesPerContributorPerEpoch) {
            revert InvalidPolicy(PolicyField.MaxBytesPerDatanetPerEpoch, policy.maxBytesPerDatanetPerEpoch);
        }
        if (policy.epochLength < MIN_EPOCH_LENGTH || policy.epochLength > MAX_EPOCH_LENGTH) {
            revert InvalidPolicy(PolicyField.EpochLength, policy.epochLength);
        }
        if (policy.minValidatorStake == 0 || policy.minValidatorStake > MAX_MIN_VALIDATOR_STAKE) {
            revert InvalidPolicy(PolicyField.MinValidatorStake, policy.minValidatorStake);
        }
        if (policy.quorum == 0 || policy.quorum > MAX_QUORUM) revert InvalidPolicy(PolicyField.Quorum, policy.quorum);
        if (policy.acceptanceThresholdBps < MIN_ACCEPTANCE_THRESHOLD_BPS || policy.acceptanceThresholdBps > BPS) {
            revert InvalidPolicy(PolicyField.AcceptanceThresholdBps, policy.acceptanceThresholdBps);
        }
        if (policy.contributorRewardBps < MIN_CONTRIBUTOR_REWARD_BPS || policy.contributorRewardBps > BPS) {
            revert InvalidPolicy(PolicyField.ContributorRewardBps, policy.contributorRewardBps);
        }
        if (policy.validationWindow < MIN_VALIDATION_WINDOW || policy.validationWindow > MAX_VALIDATION_WINDOW) {
            revert InvalidPolicy(PolicyField.ValidationWindow, policy.validationWindow);
        }
    }

    function _isPaused(Counters memory counters) private view returns (bool) {
        return block.timestamp < counters.pausedUntil;
    }

    function _existingDatanet(uint256 datanetId) private view returns (Datanet storage datanet) {
        datanet = _datanets[datanetId];
        if (datanet.owner == address(0)) revert DatanetUnknown(datanetId);
    }

    function _onlyDatanetOwner(uint256 datanetId) private view returns (Datanet storage datanet) {
        datanet = _existingDatanet(datanetId);
        if (datanet.owner != msg.sender) revert NotDatanetOwner(datanetId, msg.sender);
    }

    function _existingContribution(bytes32 contentHash) private view returns (Record storage record) {
        record = _records[contentHash];
        if (record.status == ContributionStatus.None) revert ContributionUnknown(contentHash);
    }

    function _epochAt(uint40 createdAt, uint32 epochLength) private view returns (uint32 epoch) {
        epoch = uint32((block.timestamp - createdAt) / epochLength);
    }
}
