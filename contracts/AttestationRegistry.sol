// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAttestationRegistry} from "./interfaces/IAttestationRegistry.sol";
import {IDatanetRegistry} from "./interfaces/IDatanetRegistry.sol";
import {IValidatorStaking} from "./interfaces/IValidatorStaking.sol";
import {ReputationMath} from "./libraries/ReputationMath.sol";

/// @title AttestationRegistry
/// @notice Verdicts, quorum, finalization and reputation. See IAttestationRegistry.
/// @dev Gas shape: "already attested" is one bit in a per-validator bitmap keyed by the sequential
/// contribution id, so a validator working through a datanet pays for a new word once per 256
/// contributions. A contribution's tally and its first three voters share one slot; further voters
/// go ten to a slot. Finalization walks the voters (at most the quorum, itself at most 100).
contract AttestationRegistry is IAttestationRegistry, EIP712 {
    using SafeCast for uint256;

    /// @notice The EIP-712 type of a signed verdict.
    bytes32 public constant VERDICT_TYPEHASH = keccak256(
        "Verdict(bytes32 contentHash,bool accept,uint8 quality,uint16 reasonCode,uint32 generation,uint64 deadline)"
    );
    /// @notice Stake is weighed in units of 1e12 wei (a millionth of an OPEN), so weights fit 56 bits.
    uint256 public constant WEIGHT_UNIT = 1e12;
    /// @notice Highest quality.
    uint8 public constant MAX_QUALITY = 100;
    uint256 private constant BPS = 10_000;
    uint256 private constant INLINE_VOTERS = 3;
    uint256 private constant VOTERS_PER_SLOT = 10;
    /// @dev A voter entry is a 24-bit validator index whose top bit records an accepting verdict.
    uint24 private constant ACCEPTED_FLAG = 1 << 23;
    uint24 private constant MAX_VALIDATOR_INDEX = ACCEPTED_FLAG - 1;

    /// @notice The registry whose contributions are judged (this contract holds its FINALIZER_ROLE).
    IDatanetRegistry public immutable registry;
    /// @notice Where validators' stakes are held.
    IValidatorStaking public immutable staking;

    /// @dev Slot: acceptWeight (56) | rejectWeight (56) | acceptQualityWeight (64) | verdicts (8) |
    /// voter0 (24) | voter1 (24) | voter2 (24).
    struct TallySlot {
        uint56 acceptWeight;
        uint56 rejectWeight;
        uint64 acceptQualityWeight;
        uint8 verdicts;
        uint24 voter0;
        uint24 voter1;
        uint24 voter2;
    }

    /// @dev What a batch has already loaded, so consecutive verdicts on one datanet by one validator
    /// read the registry and the staking contract once.
    struct Context {
        uint256 datanetId;
        IDatanetRegistry.ValidationSettings settings;
        address validator;
        uint56 weight;
        uint32 generation;
        uint24 index;
    }

    mapping(bytes32 contentHash => TallySlot) private _tallies;
    mapping(bytes32 contentHash => mapping(uint256 slot => uint256 entries)) private _moreVoters;
    mapping(address validator => mapping(uint256 word => uint256 bits)) private _attested;
    mapping(address validator => uint24 index) private _validatorIndex;
    mapping(uint24 index => address validator) private _validatorAt;
    uint24 private _validatorCount;
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

    /// @dev Slot: agreed (32) | disagreed (32) | pointsEpoch (32) | epochPoints (96).
    struct AgreementSlot {
        uint32 agreed;
        uint32 disagreed;
        uint32 pointsEpoch;
        uint96 epochPoints;
    }

    /// @dev An account's points in an epoch it has moved past.
    struct ClosedPoints {
        uint64 contributor;
        uint96 validator;
    }

    /// @dev Slot: contributor points (128) | validator points (128) of one datanet epoch.
    struct EpochTotals {
        uint128 contributor;
        uint128 validator;
    }

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

    /// @inheritdoc IAttestationRegistry
    function attest(Verdict calldata verdict) external {
        Context memory ctx;
        _record(msg.sender, verdict, ctx, false);
    }

    /// @inheritdoc IAttestationRegistry
    function attestBatch(Verdict[] calldata verdicts) external {
        if (verdicts.length == 0) revert EmptyBatch();
        Context memory ctx;
        for (uint256 i = 0; i < verdicts.length; ++i) {
            _record(msg.sender, verdicts[i], ctx, true);
        }
    }

    /// @inheritdoc IAttestationRegistry
    function attestSigned(SignedVerdict[] calldata signed) external {
        if (signed.length == 0) revert EmptyBatch();
        Context memory ctx;
        for (uint256 i = 0; i < signed.length; ++i) {
            SignedVerdict calldata s = signed[i];
            if (block.timestamp > s.deadline) revert SignatureExpired(s.validator, s.deadline);
            bytes32 digest = _hashTypedDataV4(_structHash(s.verdict, s.generation, s.deadline));
            if (!SignatureChecker.isValidSignatureNow(s.validator, digest, s.signature)) {
                revert InvalidSignature(s.validator);
            }
            // A skipped verdict changes nothing, so its generation does not matter.
            if (!_record(s.validator, s.verdict, ctx, true)) continue;
            if (s.generation != ctx.generation) {
                revert StaleSignatureGeneration(s.validator, s.generation, ctx.generation);
            }
        }
    }

    /// @inheritdoc IAttestationRegistry
    function verdictDigest(Verdict calldata verdict, uint32 generation, uint64 deadline)
        external
        view
        returns (bytes32 digest)
    {
        digest = _hashTypedDataV4(_structHash(verdict, generation, deadline));
    }

    /// @inheritdoc IAttestationRegistry
    function tallyOf(bytes32 contentHash) external view returns (Tally memory tally) {
        TallySlot memory slot = _tallies[contentHash];
        tally = Tally({
            acceptWeight: slot.acceptWeight,
            rejectWeight: slot.rejectWeight,
            acceptQualityWeight: slot.acceptQualityWeight,
            verdicts: slot.verdicts
        });
    }

    /// @inheritdoc IAttestationRegistry
    function hasAttested(bytes32 contentHash, address validator) external view returns (bool attested) {
        uint256 id = registry.contributionIdOf(contentHash);
        attested = id != 0 && _attested[validator][id >> 8] & (1 << (id & 0xff)) != 0;
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
        // Points are filed away only for epochs before the latest one an account earned in.
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

    function _structHash(Verdict calldata v, uint32 generation, uint64 deadline) private pure returns (bytes32) {
        return keccak256(
            abi.encode(VERDICT_TYPEHASH, v.contentHash, v.accept, v.quality, v.reasonCode, generation, deadline)
        );
    }

    /// @dev Every check and effect of one verdict, shared by the three entry points. With `skippable`
    /// (batches), a verdict the chain has moved past (already recorded, contribution no longer pending)
    /// is skipped with an event instead of reverting the batch; returns whether it was recorded.
    function _record(address validator, Verdict calldata v, Context memory ctx, bool skippable)
        private
        returns (bool recorded)
    {
        if (v.quality > MAX_QUALITY) revert InvalidQuality(v.quality);
        bytes32 contentHash = v.contentHash;
        IDatanetRegistry.Contribution memory c = registry.getContribution(contentHash);
        if (c.status != IDatanetRegistry.ContributionStatus.Pending) {
            if (skippable) return _skip(contentHash, validator, SkipReason.NotPending);
            revert ContributionNotPending(contentHash, c.status);
        }
        if (c.contributor == validator) revert SelfAttestation(contentHash, validator);
        _loadContext(ctx, c.datanetId, validator);

        mapping(uint256 => uint256) storage words = _attested[validator];
        uint256 bit = 1 << (c.id & 0xff);
        uint256 word = words[c.id >> 8];
        if (word & bit != 0) {
            if (skippable) return _skip(contentHash, validator, SkipReason.AlreadyAttested);
            revert AlreadyAttested(contentHash, validator);
        }
        words[c.id >> 8] = word | bit;
        recorded = true;

        TallySlot memory tally = _tallies[contentHash];
        uint24 entry = v.accept ? ctx.index | ACCEPTED_FLAG : ctx.index;
        uint256 position = tally.verdicts;
        if (position == 0) tally.voter0 = entry;
        else if (position == 1) tally.voter1 = entry;
        else if (position == 2) tally.voter2 = entry;
        else _storeExtraVoter(contentHash, position - INLINE_VOTERS, entry);
        // Weights and qualities are bounded by the OPEN supply (1e15 weight units), far below 2^56.
        if (v.accept) {
            tally.acceptWeight += ctx.weight;
            tally.acceptQualityWeight += uint64(ctx.weight) * v.quality;
        } else {
            tally.rejectWeight += ctx.weight;
        }
        ++tally.verdicts;
        emit VerdictRecorded(
            contentHash, validator, c.datanetId, v.accept, v.quality, v.reasonCode, ctx.weight, msg.sender
        );

        if (tally.verdicts >= ctx.settings.quorum) {
            _tallies[contentHash] = tally;
            _finalize(contentHash, c, tally, ctx.settings.acceptanceThresholdBps);
        } else {
            _tallies[contentHash] = tally;
        }
    }

    function _skip(bytes32 contentHash, address validator, SkipReason reason) private returns (bool) {
        emit VerdictSkipped(contentHash, validator, reason);
        return false;
    }

    /// @dev Loads the datanet's settings and the validator's power unless the batch already has them.
    function _loadContext(Context memory ctx, uint256 datanetId, address validator) private {
        bool newDatanet = ctx.datanetId != datanetId;
        if (newDatanet) {
            ctx.settings = registry.validationSettings(datanetId);
            ctx.datanetId = datanetId;
        }
        if (newDatanet || ctx.validator != validator) {
            (uint256 activeStake, uint32 generation) = staking.attestingPower(datanetId, validator);
            uint256 weight = activeStake / WEIGHT_UNIT;
            if (activeStake < ctx.settings.minValidatorStake || weight == 0) {
                revert ValidatorNotActive(datanetId, validator, activeStake, ctx.settings.minValidatorStake);
            }
            ctx.weight = weight.toUint56();
            ctx.generation = generation;
            ctx.validator = validator;
            ctx.index = _indexOf(validator);
        }
    }

    function _indexOf(address validator) private returns (uint24 index) {
        index = _validatorIndex[validator];
        if (index == 0) {
            uint24 count = _validatorCount;
            if (count == MAX_VALIDATOR_INDEX) revert ValidatorIndexOverflow();
            index = count + 1;
            _validatorCount = index;
            _validatorIndex[validator] = index;
            _validatorAt[index] = validator;
        }
    }

    function _storeExtraVoter(bytes32 contentHash, uint256 extra, uint24 entry) private {
        uint256 shift = (extra % VOTERS_PER_SLOT) * 24;
        _moreVoters[contentHash][extra / VOTERS_PER_SLOT] |= uint256(entry) << shift;
    }

    function _voterAt(bytes32 contentHash, TallySlot memory tally, uint256 position) private view returns (uint24) {
        if (position == 0) return tally.voter0;
        if (position == 1) return tally.voter1;
        if (position == 2) return tally.voter2;
        uint256 extra = position - INLINE_VOTERS;
        return uint24(_moreVoters[contentHash][extra / VOTERS_PER_SLOT] >> ((extra % VOTERS_PER_SLOT) * 24));
    }

    /// @dev Decides the outcome, tells the registry, and updates reputation and agreement.
    function _finalize(
        bytes32 contentHash,
        IDatanetRegistry.Contribution memory c,
        TallySlot memory tally,
        uint16 thresholdBps
    ) private {
        uint256 total = uint256(tally.acceptWeight) + tally.rejectWeight;
        bool accepted = uint256(tally.acceptWeight) * BPS >= uint256(thresholdBps) * total;
        // The threshold is above half, so an accepted contribution has a non-zero accepting weight.
        uint8 quality = accepted ? uint8(tally.acceptQualityWeight / tally.acceptWeight) : 0;
        uint32 epoch = registry.finalize(contentHash, accepted);

        uint256 datanetId = c.datanetId;
        uint256 contributorPoints = _updateReputation(datanetId, c.contributor, accepted, quality, epoch);
        _updateReputation(0, c.contributor, accepted, quality, epoch);

        uint256 validatorPoints;
        mapping(address => AgreementSlot) storage agreements = _agreement[datanetId];
        for (uint256 i = 0; i < tally.verdicts; ++i) {
            uint24 entry = _voterAt(contentHash, tally, i);
            address validator = _validatorAt[entry & MAX_VALIDATOR_INDEX];
            AgreementSlot memory a = agreements[validator];
            if ((entry & ACCEPTED_FLAG != 0) == accepted) {
                // One point per verdict that agreed with the outcome (each needed the minimum stake).
                ++a.agreed;
                _rollPoints(datanetId, validator, epoch, a.pointsEpoch, false, a.epochPoints);
                a.epochPoints = (a.pointsEpoch == epoch ? a.epochPoints : 0) + 1;
                a.pointsEpoch = epoch;
                ++validatorPoints;
            } else {
                ++a.disagreed;
            }
            agreements[validator] = a;
        }

        EpochTotals storage totals = _epochTotals[datanetId][epoch];
        // Points per epoch are bounded by the finalizations in it times 20,000 (contributors) and
        // times the quorum (validators): far below 2^128.
        totals.contributor += uint128(contributorPoints);
        totals.validator += uint128(validatorPoints);
        emit QuorumReached(
            contentHash,
            datanetId,
            c.contributor,
            accepted,
            quality,
            tally.acceptWeight,
            tally.rejectWeight,
            tally.verdicts,
            epoch,
            contributorPoints
        );
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
        _reputation[datanetId][contributor] = r;
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
        else closed.validator = uint96(epochPoints);
    }

}
