// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDatanetRegistry} from "./IDatanetRegistry.sol";

/// @title Attestations: validators' verdicts, quorum, finalization and contributor reputation
/// @notice A validator with active stake on a datanet gives one verdict per pending contribution:
/// accept or reject, a quality from 0 to 100, and a reason code. Verdicts arrive three ways with
/// identical effects: `attest` (direct), `attestBatch` (many contributions, one validator) and
/// `attestSigned` (EIP-712 verdicts of many validators, submitted by anyone). The verdict that
/// brings a contribution to its datanet's quorum finalizes it in the same transaction: Accepted when
/// the accepting stake reaches the acceptance threshold of the verdict stake, else Rejected.
/// Finalization updates the contributor's reputation (per datanet and overall) and every voter's
/// agreement statistic, and records reward points for the epoch it happens in: the contributor earns
/// quality × (1 + reputation) for an acceptance, each agreeing validator one point.
interface IAttestationRegistry {
    /// @notice A verdict on one contribution.
    /// @param contentHash The contribution's content hash.
    /// @param accept Whether the content should be accepted.
    /// @param quality 0 (worst) to 100 (best).
    /// @param reasonCode A validator-defined reason (format problem, duplicate, off-topic...).
    struct Verdict {
        bytes32 contentHash;
        bool accept;
        uint8 quality;
        uint16 reasonCode;
    }

    /// @notice A verdict signed off-chain (EIP-712 type `Verdict(bytes32 contentHash,bool accept,
    /// uint8 quality,uint16 reasonCode,uint32 generation,uint64 deadline)`).
    /// @param validator The signer (an EOA or an ERC-1271 contract).
    /// @param generation The validator's signature generation when signing (see IValidatorStaking).
    /// @param deadline Last second the signature is valid; required.
    struct SignedVerdict {
        address validator;
        Verdict verdict;
        uint32 generation;
        uint64 deadline;
        bytes signature;
    }

    /// @notice The running tally of a contribution.
    /// @param acceptWeight Stake weight (units of 1e12 wei OPEN) of accepting verdicts.
    /// @param rejectWeight Stake weight of rejecting verdicts.
    /// @param acceptQualityWeight Sum of weight × quality over accepting verdicts.
    /// @param verdicts Number of verdicts.
    struct Tally {
        uint56 acceptWeight;
        uint56 rejectWeight;
        uint64 acceptQualityWeight;
        uint8 verdicts;
    }

    /// @notice A contributor's record on one datanet (or overall, under datanet id 0).
    /// @param accepted Contributions finalized Accepted.
    /// @param rejected Contributions finalized Rejected.
    /// @param qualitySum Sum of the qualities of accepted contributions.
    /// @param score Reputation, 1e18 = perfect (see docs/architecture.md).
    struct Reputation {
        uint32 accepted;
        uint32 rejected;
        uint64 qualitySum;
        uint64 score;
    }

    /// @notice A validator's agreement statistic on one datanet.
    /// @param agreed Verdicts that matched the final outcome.
    /// @param disagreed Verdicts that went against it.
    struct Agreement {
        uint32 agreed;
        uint32 disagreed;
    }

    /// @notice Quality above 100.
    error InvalidQuality(uint8 quality);
    /// @notice A validator may not judge its own contribution.
    error SelfAttestation(bytes32 contentHash, address validator);
    /// @notice The contribution is not pending (already finalized or withdrawn).
    error ContributionNotPending(bytes32 contentHash, IDatanetRegistry.ContributionStatus status);
    /// @notice The validator's bonded stake on the datanet is below its minimum (or it is unbonding).
    error ValidatorNotActive(uint256 datanetId, address validator, uint256 activeStake, uint256 minStake);
    /// @notice The validator already gave a verdict on this contribution.
    error AlreadyAttested(bytes32 contentHash, address validator);
    /// @notice A batch must hold at least one verdict.
    error EmptyBatch();
    /// @notice The signed verdict's deadline has passed.
    error SignatureExpired(address validator, uint256 deadline);
    /// @notice The signed verdict carries an old generation: the validator unbonded, was slashed or
    /// cancelled its signatures since signing.
    error StaleSignatureGeneration(address validator, uint32 signed, uint32 current);
    /// @notice The signature is not the validator's over this verdict on this chain and contract.
    error InvalidSignature(address validator);
    /// @notice More validators than the uint24 index space.
    error ValidatorIndexOverflow();
    /// @notice An address that must be set is zero.
    error ZeroAddressArgument();

    /// @notice Why a verdict of a batch was not counted.
    enum SkipReason {
        AlreadyAttested,
        NotPending
    }

    /// @notice A verdict of a batch was left out because the chain moved on since it was signed or sent:
    /// the validator's verdict is already recorded (perhaps copied onto the chain by someone else), or
    /// the contribution is no longer pending. The rest of the batch still counts.
    event VerdictSkipped(bytes32 indexed contentHash, address indexed validator, SkipReason reason);
    /// @notice A verdict was counted. `weight` is the validator's stake weight at that moment.
    event VerdictRecorded(
        bytes32 indexed contentHash,
        address indexed validator,
        uint256 indexed datanetId,
        bool accept,
        uint8 quality,
        uint16 reasonCode,
        uint256 weight,
        address submitter
    );
    /// @notice A contribution reached quorum and was finalized in `epoch`; `quality` is the weighted
    /// mean of the accepting verdicts (0 when rejected) and `contributorPoints` what it earned.
    event QuorumReached(
        bytes32 indexed contentHash,
        uint256 indexed datanetId,
        address indexed contributor,
        bool accepted,
        uint8 quality,
        uint256 acceptWeight,
        uint256 rejectWeight,
        uint256 verdicts,
        uint32 epoch,
        uint256 contributorPoints
    );

    /// @notice Gives the caller's verdict.
    /// @param verdict The verdict.
    function attest(Verdict calldata verdict) external;

    /// @notice Gives the caller's verdicts on several contributions. A verdict already recorded, or on
    /// a contribution no longer pending, is skipped (`VerdictSkipped`); any other failure reverts all.
    /// @param verdicts The verdicts.
    function attestBatch(Verdict[] calldata verdicts) external;

    /// @notice Submits verdicts signed by validators; anyone may submit. A verdict already recorded
    /// (for instance copied onto the chain first by whoever saw it) or on a contribution no longer
    /// pending is skipped (`VerdictSkipped`), so one copied verdict cannot sink a relayer's batch; a bad
    /// signature, an expired deadline or any other failure reverts all.
    /// @param signed The signed verdicts.
    function attestSigned(SignedVerdict[] calldata signed) external;

    /// @notice The EIP-712 digest a validator signs for a verdict.
    /// @param verdict The verdict.
    /// @param generation The validator's signature generation.
    /// @param deadline The signature's last valid second.
    /// @return digest The digest.
    function verdictDigest(Verdict calldata verdict, uint32 generation, uint64 deadline)
        external
        view
        returns (bytes32 digest);

    /// @notice A contribution's running tally (zero before its first verdict).
    /// @param contentHash The contribution.
    /// @return tally The tally.
    function tallyOf(bytes32 contentHash) external view returns (Tally memory tally);

    /// @notice Whether a validator has given a verdict on a contribution.
    /// @param contentHash The contribution.
    /// @param validator The validator.
    /// @return attested True when it has.
    function hasAttested(bytes32 contentHash, address validator) external view returns (bool attested);

    /// @notice A contributor's reputation on a datanet, or overall with `datanetId` 0.
    /// @param datanetId The datanet, or 0.
    /// @param contributor The contributor.
    /// @return reputation Counts and score.
    function reputationOf(uint256 datanetId, address contributor) external view returns (Reputation memory reputation);

    /// @notice A validator's agreement with final outcomes on a datanet.
    /// @param datanetId The datanet.
    /// @param validator The validator.
    /// @return agreement Agreed and disagreed counts.
    function agreementOf(uint256 datanetId, address validator) external view returns (Agreement memory agreement);

    /// @notice The reward points an account earned in a datanet epoch.
    /// @param datanetId The datanet.
    /// @param epoch The datanet epoch.
    /// @param account A contributor, a validator, or both.
    /// @return contributorPoints Points from its accepted contributions.
    /// @return validatorPoints Points from its verdicts that agreed with the outcome.
    function pointsOf(uint256 datanetId, uint256 epoch, address account)
        external
        view
        returns (uint256 contributorPoints, uint256 validatorPoints);

    /// @notice All points earned in a datanet epoch.
    /// @param datanetId The datanet.
    /// @param epoch The datanet epoch.
    /// @return contributorPoints The contributors' total.
    /// @return validatorPoints The validators' total.
    function epochTotals(uint256 datanetId, uint256 epoch)
        external
        view
        returns (uint256 contributorPoints, uint256 validatorPoints);
}
