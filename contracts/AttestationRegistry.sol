// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAttestationRegistry} from "./interfaces/IAttestationRegistry.sol";
import {IDatanetRegistry, IValidationTallies} from "./interfaces/IDatanetRegistry.sol";
import {IValidatorStaking} from "./interfaces/IValidatorStaking.sol";
import {ReputationMath} from "./libraries/ReputationMath.sol";

/// @title AttestationRegistry
/// @notice Stake-weighted validation windows, closing, settlement and reputation. See IAttestationRegistry.
/// @dev Gas shape: a verdict is three bits (attested, accepted, settled) in a per-validator bitmap keyed
/// by the sequential contribution id, and a contribution's whole validation is one slot, which the
/// contributor's commitment already wrote (`reserveTallies`), so a verdict writes no new slot and no
/// verdict list exists: closing never loops over voters, and each validator settles its own verdicts
/// afterwards, recomputing its weight from its stake checkpoint. The stake eligible at the snapshot is
/// read when it first decides something (the verdict that reaches the quorum, or the closing).
contract AttestationRegistry is IAttestationRegistry, EIP712 {
    using SafeCast for uint256;

    /// @notice The EIP-712 type of a signed verdict.
    bytes32 public constant VERDICT_TYPEHASH = keccak256(
        "Verdict(bytes32 contentHash,uint256 contributionId,bool accept,uint8 quality,uint16 reasonCode,uint32 generation,uint64 deadline)"
    );
    /// @notice Stake is weighed in units of 1e15 wei (a thousandth of an OPEN): the whole OPEN supply
    /// (1e27 wei) is 1e12 units, below 2^40, so weights fit 40 bits.
    uint256 public constant WEIGHT_UNIT = 1e15;
    /// @notice Highest quality.
    uint8 public constant MAX_QUALITY = 100;
    uint256 private constant BPS = 10_000;
    /// @dev A verdict's bits in the validator's bitmap: four per contribution id, 64 ids per word.
    uint256 private constant ATTESTED = 1;
    uint256 private constant ACCEPTED = 2;
    uint256 private constant SETTLED = 4;
    /// @dev A tally's eligible weight before it is read (the whole supply is 1e12 units, below it). A
    /// reserved tally word holds only this, so it is non-zero before any verdict.
    uint40 private constant ELIGIBLE_UNREAD = type(uint40).max;

    /// @notice The registry whose contributions are judged (this contract holds its FINALIZER_ROLE).
    IDatanetRegistry public immutable registry;
    /// @notice Where validators' stakes and their checkpoints are held.
    IValidatorStaking public immutable staking;

    /// @dev One slot per contribution: acceptWeight (40) | rejectWeight (40) | acceptQualityWeight (48;
    /// the closing epoch once closed, when the quality sum is no longer needed) | verdicts (16) |
    /// eligibleWeight (40) | outcome (8) | datanetId (32) | snapshotAt (32).
    struct TallySlot {
        uint40 acceptWeight;
        uint40 rejectWeight;
        uint48 qualityOrEpoch;
        uint16 verdicts;
        uint40 eligibleWeight;
        IDatanetRegistry.ContributionStatus outcome;
        uint32 datanetId;
        uint32 snapshotAt;
    }

    /// @dev A signed verdict's signer data, checked once its contribution and the validator's power are known.
    struct Signed {
        bool present;
        uint32 generation;
    }

    /// @dev Slot: accepted (32) | rejected (32) | qualitySum (40) | score (64) | pointsEpoch (32) |
    /// epochPoints (56). The points of the latest epoch live here; older ones in `_closedPoints`.
    /// Bounds: qualitySum ≤ 100 × accepted < 2^39; one acceptance earns at most 20,000 points, so an
    /// epoch's points stay below 2^56 for up to 3.6e12 acceptances, far beyond any uint32 quota.
    struct ReputationSlot {
        uint32 accepted;
        uint32 rejected;
        uint40 qualitySum;
        uint64 score;
        uint32 pointsEpoch;
        uint56 epochPoints;
    }

    /// @dev Slot: agreed (32) | disagreed (32) | pointsEpoch (32) | epochPoints (96). Validator points
    /// are stake weights (< 2^40 each), so an epoch's sum stays below 2^96 for 2^56 settled verdicts.
    struct AgreementSlot {
        uint32 agreed;
        uint32 disagreed;
        uint32 pointsEpoch;
        uint96 epochPoints;
    }

    /// @dev An account's points in an epoch it has moved past (or settled late).
    struct ClosedPoints {
        uint64 contributor;
        uint96 validator;
    }

    /// @dev Slot: contributor points (128) | validator points (128) of one datanet epoch.
    struct EpochTotals {
        uint128 contributor;
        uint128 validator;
    }

    /// @dev The highest contribution id whose tally word is reserved. Each commitment reserves as many ids
    /// as it has items and each reveal takes the next id, so reservations stay ahead of the contribution
    /// count once the registry is bound to this contract (ids of commitments made before may find no
    /// word reserved; their first verdicts create it).
    uint256 private _reservedUpTo;
    mapping(uint256 contributionId => TallySlot) private _tallies;
    mapping(uint256 contributionId => uint256 amount) private _forfeits;
    mapping(address validator => mapping(uint256 word => uint256 bits)) private _verdicts;
    mapping(uint256 datanetId => mapping(address contributor => ReputationSlot)) private _reputation;
    mapping(uint256 datanetId => mapping(address validator => AgreementSlot)) private _agreement;
    mapping(uint256 datanetId => mapping(address account => mapping(uint256 epoch => ClosedPoints))) private
        _closedPoints;
    mapping(uint256 datanetId => mapping(uint256 epoch => EpochTotals)) private _epochTotals;

    /// @param registry_ The datanet registry.
    /// @param staking_ The validator staking contract.
    constructor(IDatanetRegistry registry_, IValidatorStaking staking_) EIP712("OpenLedger Attestations", "1") {
        if (address(registry_) == address(0) || address(staking_) == address(0)) revert ZeroAddressArgument();
        registry = registry_;
        staking = staking_;
    }

    /// @inheritdoc IValidationTallies
    function reserveTallies(uint256 count) external {
        if (msg.sender != address(registry)) revert NotRegistry(msg.sender);
        uint256 first = _reservedUpTo + 1;
        uint256 end = first + count;
        _reservedUpTo = end - 1;
        // Bounded by the commitment's item count (uint16), which its committer pays for.
        for (uint256 id = first; id < end; ++id) {
            _tallies[id].eligibleWeight = ELIGIBLE_UNREAD;
        }
    }

    /// @inheritdoc IAttestationRegistry
    function attest(Verdict calldata verdict) external {
        Signed memory none;
        _record(msg.sender, verdict, none, false);
    }

    /// @inheritdoc IAttestationRegistry
    function attestBatch(Verdict[] calldata verdicts) external {
        if (verdicts.length == 0) revert EmptyBatch();
        Signed memory none;
        for (uint256 i = 0; i < verdicts.length; ++i) {
            _record(msg.sender, verdicts[i], none, true);
        }
    }

    /// @inheritdoc IAttestationRegistry
    function attestSigned(SignedVerdict[] calldata signed) external {
        if (signed.length == 0) revert EmptyBatch();
        for (uint256 i = 0; i < signed.length; ++i) {
            SignedVerdict calldata s = signed[i];
            if (block.timestamp > s.deadline) revert SignatureExpired(s.validator, s.deadline);
            // The signature names the contribution id, so it cannot be replayed on the same content
            // submitted again later (a new id, perhaps in another datanet).
            uint256 id = registry.contributionIdOf(s.verdict.contentHash);
            bytes32 digest = _hashTypedDataV4(_structHash(s.verdict, id, s.generation, s.deadline));
            if (!SignatureChecker.isValidSignatureNow(s.validator, digest, s.signature)) {
                revert InvalidSignature(s.validator);
            }
            _record(s.validator, s.verdict, Signed({present: true, generation: s.generation}), true);
        }
    }

    /// @inheritdoc IAttestationRegistry
    function finalize(bytes32 contentHash) external {
        _finalizeAfterWindow(contentHash, false);
    }

    /// @inheritdoc IAttestationRegistry
    function finalizeBatch(bytes32[] calldata contentHashes) external {
        if (contentHashes.length == 0) revert EmptyBatch();
        for (uint256 i = 0; i < contentHashes.length; ++i) {
            _finalizeAfterWindow(contentHashes[i], true);
        }
    }

    /// @inheritdoc IAttestationRegistry
    function settle(address validator, uint256[] calldata contributionIds)
        external
        returns (uint256 points, uint256 credit)
    {
        if (contributionIds.length == 0) revert EmptyBatch();
        mapping(uint256 => uint256) storage words = _verdicts[validator];
        for (uint256 i = 0; i < contributionIds.length; ++i) {
            uint256 id = contributionIds[i];
            uint256 shift = (id & 63) * 4;
            uint256 word = words[id >> 6];
            uint256 bits = word >> shift;
            if (bits & ATTESTED == 0) revert NotAttested(id, validator);
            if (bits & SETTLED != 0) continue;
            TallySlot memory tally = _tallies[id];
            IDatanetRegistry.ContributionStatus outcome = tally.outcome;
            if (outcome == IDatanetRegistry.ContributionStatus.Pending) revert NotClosed(id);
            words[id >> 6] = word | (SETTLED << shift);
            (uint256 earned, uint256 share) = _settleOne(validator, id, tally, bits & ACCEPTED != 0);
            points += earned;
            credit += share;
        }
        // Forfeit shares round down, so their sum never exceeds what the registry credited here.
        if (credit != 0) registry.transferCredit(validator, credit);
    }

    /// @inheritdoc IAttestationRegistry
    function verdictDigest(Verdict calldata verdict, uint256 contributionId, uint32 generation, uint64 deadline)
        external
        view
        returns (bytes32 digest)
    {
        digest = _hashTypedDataV4(_structHash(verdict, contributionId, generation, deadline));
    }

    /// @inheritdoc IAttestationRegistry
    function tallyOf(uint256 contributionId) external view returns (Tally memory tally) {
        TallySlot memory slot = _tallies[contributionId];
        bool open = slot.outcome == IDatanetRegistry.ContributionStatus.Pending;
        // Not yet read (a reserved word, or verdicts below the quorum): the snapshot's, as it will be.
        if (slot.eligibleWeight == ELIGIBLE_UNREAD) slot.eligibleWeight = slot.verdicts == 0 ? 0 : _eligibleWeight(slot);
        tally = Tally({
            acceptWeight: slot.acceptWeight,
            rejectWeight: slot.rejectWeight,
            acceptQualityWeight: open ? slot.qualityOrEpoch : 0,
            verdicts: slot.verdicts,
            eligibleWeight: slot.eligibleWeight,
            outcome: slot.outcome,
            epoch: open ? 0 : uint32(slot.qualityOrEpoch),
            datanetId: slot.datanetId,
            snapshotAt: slot.snapshotAt
        });
    }

    /// @inheritdoc IAttestationRegistry
    function verdictOf(uint256 contributionId, address validator)
        external
        view
        returns (bool attested, bool accepted, bool settled)
    {
        uint256 bits = _verdicts[validator][contributionId >> 6] >> ((contributionId & 63) * 4);
        (attested, accepted, settled) = (bits & ATTESTED != 0, bits & ACCEPTED != 0, bits & SETTLED != 0);
    }

    /// @inheritdoc IAttestationRegistry
    function hasAttested(bytes32 contentHash, address validator) external view returns (bool attested) {
        uint256 id = registry.contributionIdOf(contentHash);
        attested = id != 0 && (_verdicts[validator][id >> 6] >> ((id & 63) * 4)) & ATTESTED != 0;
    }

    /// @inheritdoc IAttestationRegistry
    function forfeitOf(uint256 contributionId) external view returns (uint256 amount) {
        amount = _forfeits[contributionId];
    }

    /// @inheritdoc IAttestationRegistry
    function reputationOf(uint256 datanetId, address contributor) external view returns (Reputation memory reputation) {
        ReputationSlot memory r = _reputation[datanetId][contributor];
        reputation = Reputation({accepted: r.accepted, rejected: r.rejected, qualitySum: r.qualitySum, score: r.score});
    }

    /// @inheritdoc IAttestationRegistry
    function agreementOf(uint256 datanetId, address validator) external view returns (Agreement memory agreement) {
        AgreementSlot memory a = _agreement[datanetId][validator];
        agreement = Agreement({agreed: a.agreed, disagreed: a.disagreed});
    }

    /// @inheritdoc IAttestationRegistry
    function pointsOf(uint256 datanetId, uint256 epoch, address account)
        external
        view
        returns (uint256 contributorPoints, uint256 validatorPoints)
    {
        ReputationSlot memory r = _reputation[datanetId][account];
        AgreementSlot memory a = _agreement[datanetId][account];
        if (r.pointsEpoch == epoch) contributorPoints = r.epochPoints;
        if (a.pointsEpoch == epoch) validatorPoints = a.epochPoints;
        // Points are filed away only for epochs before the latest one an account earned in (late
        // settlements of such an epoch land there too), so the latest epoch's are all in the slot.
        if (r.pointsEpoch > epoch || a.pointsEpoch > epoch) {
            ClosedPoints memory closed = _closedPoints[datanetId][account][epoch];
            if (r.pointsEpoch > epoch) contributorPoints = closed.contributor;
            if (a.pointsEpoch > epoch) validatorPoints = closed.validator;
        }
    }

    /// @inheritdoc IAttestationRegistry
    function epochTotals(uint256 datanetId, uint256 epoch)
        external
        view
        returns (uint256 contributorPoints, uint256 validatorPoints)
    {
        EpochTotals memory totals = _epochTotals[datanetId][epoch];
        (contributorPoints, validatorPoints) = (totals.contributor, totals.validator);
    }

    // ------------------------------------------------------------------ internals

    function _structHash(Verdict calldata v, uint256 contributionId, uint32 generation, uint64 deadline)
        private
        pure
        returns (bytes32)
    {
        return keccak256(
            abi.encode(
                VERDICT_TYPEHASH, v.contentHash, contributionId, v.accept, v.quality, v.reasonCode, generation, deadline
            )
        );
    }

    /// @dev Every check and effect of one verdict, shared by the three entry points. With `skippable`
    /// (batches), a verdict the chain has moved past (already recorded, contribution no longer pending,
    /// window closed) or that its validator voided (a signature of an old generation, stake no longer
    /// bonded) is skipped with an event instead of reverting the batch, so no signer and no copier can
    /// sink a relayer's batch; returns whether it was recorded.
    function _record(address validator, Verdict calldata v, Signed memory signed, bool skippable)
        private
        returns (bool recorded)
    {
        if (v.quality > MAX_QUALITY) revert InvalidQuality(v.quality);
        if (registry.protocolPaused()) revert IDatanetRegistry.ProtocolPaused();
        bytes32 contentHash = v.contentHash;
        IDatanetRegistry.Contribution memory c = registry.getContribution(contentHash);
        if (c.status != IDatanetRegistry.ContributionStatus.Pending) {
            if (skippable) return _skip(contentHash, validator, SkipReason.NotPending);
            revert ContributionNotPending(contentHash, c.status);
        }
        if (block.timestamp < c.votingOpensAt) revert VotingNotOpen(contentHash, c.votingOpensAt);
        if (block.timestamp >= c.votingEndsAt) {
            if (skippable) return _skip(contentHash, validator, SkipReason.VotingClosed);
            revert VotingClosed(contentHash, c.votingEndsAt);
        }
        if (c.contributor == validator) revert SelfAttestation(contentHash, validator);

        uint256 id = c.id;
        mapping(uint256 => uint256) storage words = _verdicts[validator];
        uint256 shift = (id & 63) * 4;
        uint256 word = words[id >> 6];
        if ((word >> shift) & ATTESTED != 0) {
            if (skippable) return _skip(contentHash, validator, SkipReason.AlreadyAttested);
            revert AlreadyAttested(contentHash, validator);
        }
        uint32 snapshotAt = uint32(c.revealedAt - 1);
        (uint256 weight, SkipReason voided) = _weightOf(c, validator, snapshotAt, signed, skippable);
        if (weight == 0) return _skip(contentHash, validator, voided);
        words[id >> 6] = word | ((v.accept ? ATTESTED | ACCEPTED : ATTESTED) << shift);
        recorded = true;

        TallySlot memory tally = _tallies[id];
        if (tally.verdicts == 0) {
            tally.eligibleWeight = ELIGIBLE_UNREAD;
            tally.outcome = IDatanetRegistry.ContributionStatus.Pending;
            tally.datanetId = c.datanetId;
            tally.snapshotAt = snapshotAt;
        }
        // Weights are bounded by the eligible stake (< 2^40 units), qualities by 100 × that (< 2^48).
        if (v.accept) {
            tally.acceptWeight += uint40(weight);
            tally.qualityOrEpoch += uint48(weight * v.quality);
        } else {
            tally.rejectWeight += uint40(weight);
        }
        // Saturates: the participation floor is at most 100, so the count past 65,535 decides nothing.
        if (tally.verdicts != type(uint16).max) ++tally.verdicts;
        emit VerdictRecorded(
            contentHash, validator, c.datanetId, id, v.accept, v.quality, v.reasonCode, weight, msg.sender
        );

        IDatanetRegistry.ContributionStatus decided = _earlyOutcome(tally, c);
        if (decided == IDatanetRegistry.ContributionStatus.Pending) {
            _storeTally(id, tally);
        } else {
            _close(contentHash, c, tally, decided);
        }
    }

    /// @dev The validator's weight: its stake bonded at the snapshot, which must reach the minimum frozen
    /// at the reveal and still be bonded now, so the whole weight a verdict carries stays slashable. A
    /// signed verdict must also carry the current signature generation (batches only; it is skipped
    /// otherwise). Returns weight 0 and the reason when a batch skips the verdict.
    function _weightOf(
        IDatanetRegistry.Contribution memory c,
        address validator,
        uint32 snapshotAt,
        Signed memory signed,
        bool skippable
    ) private view returns (uint256 weight, SkipReason voided) {
        (uint256 stakeAtSnapshot, uint256 activeStake, uint32 generation) =
            staking.votingPower(c.datanetId, validator, snapshotAt);
        weight = stakeAtSnapshot / WEIGHT_UNIT;
        if (stakeAtSnapshot < c.minValidatorStake || activeStake < stakeAtSnapshot || weight == 0) {
            if (skippable) return (0, SkipReason.ValidatorNotActive);
            revert ValidatorNotActive(c.datanetId, validator, stakeAtSnapshot, activeStake, c.minValidatorStake);
        }
        // Signed verdicts arrive only in batches, so an old generation is always skipped.
        if (signed.present && signed.generation != generation) return (0, SkipReason.StaleSignature);
    }

    /// @dev The outcome once it can no longer change whatever the stake that has not voted does, else
    /// `Pending`. Verdict weights are snapshot stakes, so the stake still able to vote is at most
    /// eligible − accept − reject. Reads the eligible stake into the tally once the quorum is reached.
    function _earlyOutcome(TallySlot memory tally, IDatanetRegistry.Contribution memory c)
        private
        view
        returns (IDatanetRegistry.ContributionStatus)
    {
        if (tally.verdicts < c.quorum) return IDatanetRegistry.ContributionStatus.Pending;
        if (tally.eligibleWeight == ELIGIBLE_UNREAD) tally.eligibleWeight = _eligibleWeight(tally);
        uint256 needed = uint256(c.acceptanceThresholdBps) * tally.eligibleWeight;
        // Accepted even if all remaining stake rejects.
        if (uint256(tally.acceptWeight) * BPS >= needed) return IDatanetRegistry.ContributionStatus.Accepted;
        // Rejected even if all remaining stake accepts.
        if ((uint256(tally.eligibleWeight) - tally.rejectWeight) * BPS < needed) {
            return IDatanetRegistry.ContributionStatus.Rejected;
        }
        return IDatanetRegistry.ContributionStatus.Pending;
    }

    function _finalizeAfterWindow(bytes32 contentHash, bool skippable) private {
        IDatanetRegistry.Contribution memory c = registry.getContribution(contentHash);
        if (c.status != IDatanetRegistry.ContributionStatus.Pending) {
            if (skippable) {
                _skip(contentHash, address(0), SkipReason.NotPending);
                return;
            }
            revert ContributionNotPending(contentHash, c.status);
        }
        if (block.timestamp < c.votingEndsAt) revert VotingStillOpen(contentHash, c.votingEndsAt);
        TallySlot memory tally = _tallies[c.id];
        IDatanetRegistry.ContributionStatus outcome;
        if (tally.verdicts < c.quorum) {
            outcome = IDatanetRegistry.ContributionStatus.Expired;
            tally.datanetId = c.datanetId;
            tally.snapshotAt = uint32(c.revealedAt - 1);
            // Below the quorum the eligible stake decided nothing: read it for the record, as the
            // verdicts' snapshot (none without verdicts).
            tally.eligibleWeight = tally.verdicts == 0 ? 0 : _eligibleWeight(tally);
        } else {
            uint256 total = uint256(tally.acceptWeight) + tally.rejectWeight;
            outcome = uint256(tally.acceptWeight) * BPS >= uint256(c.acceptanceThresholdBps) * total
                ? IDatanetRegistry.ContributionStatus.Accepted
                : IDatanetRegistry.ContributionStatus.Rejected;
        }
        _close(contentHash, c, tally, outcome);
    }

    /// @dev Writes a tally in one SSTORE: a memory-to-storage struct copy writes member by member. The
    /// shifts follow the declaration order of `TallySlot`, lowest bits first.
    function _storeTally(uint256 id, TallySlot memory t) private {
        uint256 packed = uint256(t.acceptWeight) | uint256(t.rejectWeight) << 40 | uint256(t.qualityOrEpoch) << 80
            | uint256(t.verdicts) << 128 | uint256(t.eligibleWeight) << 144 | uint256(uint8(t.outcome)) << 184
            | uint256(t.datanetId) << 192 | uint256(t.snapshotAt) << 224;
        TallySlot storage slot = _tallies[id];
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            sstore(slot.slot, packed)
        }
    }

    /// @dev The stake eligible on the tally's datanet at its snapshot, in weight units.
    function _eligibleWeight(TallySlot memory tally) private view returns (uint40) {
        return (staking.totalStakeAt(tally.datanetId, tally.snapshotAt) / WEIGHT_UNIT).toUint40();
    }

    function _skip(bytes32 contentHash, address validator, SkipReason reason) private returns (bool) {
        emit VerdictSkipped(contentHash, validator, reason);
        return false;
    }

    /// @dev Closes a contribution: tells the registry (which settles the bond), updates the
    /// contributor's reputation and points, and counts the accepting stake into the epoch's validator
    /// total. Validators' own points and forfeit shares wait for `settle`.
    function _close(
        bytes32 contentHash,
        IDatanetRegistry.Contribution memory c,
        TallySlot memory tally,
        IDatanetRegistry.ContributionStatus outcome
    ) private {
        bool accepted = outcome == IDatanetRegistry.ContributionStatus.Accepted;
        // The threshold is above half, so an accepted contribution has a non-zero accepting weight.
        uint8 quality = accepted ? uint8(tally.qualityOrEpoch / tally.acceptWeight) : 0;
        (uint32 epoch, uint256 validatorsShare) = registry.finalize(contentHash, outcome);
        uint256 id = c.id;
        tally.outcome = outcome;
        tally.qualityOrEpoch = epoch;
        _storeTally(id, tally);
        if (validatorsShare != 0) _forfeits[id] = validatorsShare;

        uint256 datanetId = c.datanetId;
        uint256 contributorPoints;
        if (outcome != IDatanetRegistry.ContributionStatus.Expired) {
            contributorPoints = _updateReputation(datanetId, c.contributor, accepted, quality, epoch);
            _updateReputation(0, c.contributor, accepted, quality, epoch);
            EpochTotals storage totals = _epochTotals[datanetId][epoch];
            // Points per epoch are bounded by the closings in it times 20,000 (contributors) and times
            // the eligible stake (validators): far below 2^128.
            totals.contributor += uint128(contributorPoints);
            if (accepted) totals.validator += tally.acceptWeight;
        }
        emit ValidationClosed(
            contentHash,
            id,
            datanetId,
            c.contributor,
            outcome,
            quality,
            tally.acceptWeight,
            tally.rejectWeight,
            tally.eligibleWeight,
            tally.verdicts,
            epoch,
            contributorPoints,
            validatorsShare
        );
    }

    /// @dev Settles one verdict on a closed contribution.
    function _settleOne(address validator, uint256 id, TallySlot memory tally, bool accepted)
        private
        returns (uint256 points, uint256 share)
    {
        IDatanetRegistry.ContributionStatus outcome = tally.outcome;
        uint256 datanetId = tally.datanetId;
        uint32 epoch = uint32(tally.qualityOrEpoch);
        bool agreed;
        if (outcome != IDatanetRegistry.ContributionStatus.Expired) {
            agreed = accepted == (outcome == IDatanetRegistry.ContributionStatus.Accepted);
            AgreementSlot memory a = _agreement[datanetId][validator];
            if (agreed) {
                ++a.agreed;
                // The weight the verdict carried: the stake checkpoint at the snapshot never changes.
                uint256 weight = staking.stakeAt(datanetId, validator, tally.snapshotAt) / WEIGHT_UNIT;
                if (accepted) {
                    points = weight;
                    _addValidatorPoints(datanetId, validator, epoch, a, weight);
                } else {
                    share = _forfeits[id] * weight / tally.rejectWeight;
                }
            } else {
                ++a.disagreed;
            }
            _agreement[datanetId][validator] = a;
        }
        emit VerdictSettled(id, validator, datanetId, agreed, points, share, epoch);
    }

    /// @dev Adds settled validator points to `epoch`: in the slot when it is the latest epoch the
    /// validator earned in (filing the previous one away when it moves on), else in `_closedPoints`.
    function _addValidatorPoints(
        uint256 datanetId,
        address validator,
        uint32 epoch,
        AgreementSlot memory a,
        uint256 weight
    ) private {
        if (a.pointsEpoch == epoch) {
            a.epochPoints += uint96(weight);
        } else if (epoch > a.pointsEpoch) {
            _rollPoints(datanetId, validator, epoch, a.pointsEpoch, false, a.epochPoints);
            a.pointsEpoch = epoch;
            a.epochPoints = uint96(weight);
        } else {
            _closedPoints[datanetId][validator][epoch].validator += uint96(weight);
        }
    }

    /// @dev Updates a contributor's record on `datanetId` (0: overall) and, on a datanet, adds the
    /// points of an acceptance, quality × (1 + score) with score in WAD, scaled to 0..20,000.
    function _updateReputation(uint256 datanetId, address contributor, bool accepted, uint8 quality, uint32 epoch)
        private
        returns (uint256 points)
    {
        ReputationSlot memory r = _reputation[datanetId][contributor];
        if (accepted) {
            ++r.accepted;
            r.qualitySum += quality;
        } else {
            ++r.rejected;
        }
        r.score = uint64(ReputationMath.score(r.accepted, r.rejected, r.qualitySum));
        if (datanetId != 0 && accepted) {
            points = (uint256(quality) * (1e18 + r.score)) / 1e16;
            _rollPoints(datanetId, contributor, epoch, r.pointsEpoch, true, r.epochPoints);
            r.epochPoints = (r.pointsEpoch == epoch ? r.epochPoints : 0) + uint56(points);
            r.pointsEpoch = epoch;
        }
        // One SSTORE: a memory-to-storage struct copy writes member by member (three writes here).
        // The shifts follow the declaration order of `ReputationSlot`, lowest bits first.
        uint256 packed = uint256(r.accepted) | uint256(r.rejected) << 32 | uint256(r.qualitySum) << 64
            | uint256(r.score) << 104 | uint256(r.pointsEpoch) << 168 | uint256(r.epochPoints) << 200;
        ReputationSlot storage slot = _reputation[datanetId][contributor];
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            sstore(slot.slot, packed)
        }
    }

    /// @dev When an account earns points in a new epoch, files the previous epoch's points away.
    function _rollPoints(
        uint256 datanetId,
        address account,
        uint32 epoch,
        uint32 pointsEpoch,
        bool asContributor,
        uint256 epochPoints
    ) private {
        if (pointsEpoch == epoch || epochPoints == 0) return;
        ClosedPoints storage closed = _closedPoints[datanetId][account][pointsEpoch];
        if (asContributor) closed.contributor = uint64(epochPoints);
        else closed.validator += uint96(epochPoints);
    }
}
