// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDatanetRegistry, IValidationTallies} from "./IDatanetRegistry.sol";

/// @title Attestations: stake-weighted validation windows, settlement and contributor reputation
/// @notice Verdicts on a contribution open `REVEAL_WINDOW` after its reveal and stay open for its
/// datanet's `validationWindow`. A validator gives one verdict per contribution: accept or reject, a
/// quality from 0 to 100, and a reason code. Verdicts arrive three ways with identical effects: `attest`
/// (direct), `attestBatch` (many contributions, one validator) and `attestSigned` (EIP-712 verdicts of
/// many validators, submitted by anyone). A verdict weighs the validator's stake bonded *before the
/// contribution was revealed* (a stake checkpoint), so nobody stakes after seeing what to judge; the
/// validator must still hold the datanet's minimum stake, not unbonding, when it votes.
///
/// The outcome is decided by stake, never by who votes first. Once `quorum` distinct validators have
/// voted, a verdict closes the contribution early only when the outcome can no longer change: the
/// accepting stake already reaches the threshold of *all* stake eligible at the snapshot, or the
/// rejecting stake makes that impossible. Otherwise anyone calls `finalize` after the window: with
/// fewer than `quorum` verdicts the contribution expires (bond refunded), else it is Accepted when the
/// accepting stake reaches the threshold of the verdict stake. Closing updates the contributor's
/// reputation and points (quality × (1 + reputation) for an acceptance) and adds the accepting stake
/// of an accepted contribution to the epoch's validator points. Validators then `settle` their own
/// verdicts (anyone may do it for them): a verdict that accepted accepted work earns its weight in
/// points in the closing epoch; a verdict that rejected rejected work earns its stake share of the
/// forfeited bond (80%; the treasury takes 20%). Rejecting junk therefore pays only from the junk's own
/// bonds, and an attacker who rejects its own junk recovers at most 80% of what it bonded.
///
/// Each contribution's tally is one storage word, which the registry has this contract write when the
/// contributor commits (`reserveTallies`), so the first verdict on a contribution costs what any later
/// one does, and the stake eligible at the snapshot is read once the quorum is reached.
interface IAttestationRegistry is IValidationTallies {
    /// @notice A verdict on one contribution.
    /// @param contentHash The contribution's content hash.
    /// @param accept Whether the content should be accepted.
    /// @param quality 0 (worst) to 100 (best).
    /// @param reasonCode A validator-defined reason (format problem, duplicate, size mismatch...).
    struct Verdict {
        bytes32 contentHash;
        bool accept;
        uint8 quality;
        uint16 reasonCode;
    }

    /// @notice A verdict signed off-chain (EIP-712 type `Verdict(bytes32 contentHash,uint256 contributionId,
    /// bool accept,uint8 quality,uint16 reasonCode,uint32 generation,uint64 deadline)`); the contribution id
    /// is the one registered for the hash when it is submitted, so a signature never counts on the same
    /// content submitted again.
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

    /// @notice A contribution's validation, by contribution id (zero before its first verdict).
    /// @param acceptWeight Stake weight (units of `WEIGHT_UNIT` wei OPEN) of accepting verdicts.
    /// @param rejectWeight Stake weight of rejecting verdicts.
    /// @param acceptQualityWeight Sum of weight × quality over accepting verdicts (0 once closed).
    /// @param verdicts Number of verdicts.
    /// @param eligibleWeight All stake bonded on the datanet at the snapshot, in weight units.
    /// @param outcome `Pending` while open, then `Accepted`, `Rejected` or `Expired`.
    /// @param epoch The epoch it closed in (0 while open).
    /// @param datanetId The datanet.
    /// @param snapshotAt Stake is weighed as bonded at the end of this second (the reveal's second − 1).
    struct Tally {
        uint256 acceptWeight;
        uint256 rejectWeight;
        uint256 acceptQualityWeight;
        uint256 verdicts;
        uint256 eligibleWeight;
        IDatanetRegistry.ContributionStatus outcome;
        uint32 epoch;
        uint32 datanetId;
        uint32 snapshotAt;
    }

    /// @notice A contributor's record on one datanet (or overall, under datanet id 0).
    /// @param accepted Contributions closed Accepted.
    /// @param rejected Contributions closed Rejected.
    /// @param qualitySum Sum of the qualities of accepted contributions.
    /// @param score Reputation, 1e18 = perfect (see docs/architecture.md).
    struct Reputation {
        uint32 accepted;
        uint32 rejected;
        uint64 qualitySum;
        uint64 score;
    }

    /// @notice A validator's settled agreement statistic on one datanet.
    /// @param agreed Settled verdicts that matched the outcome.
    /// @param disagreed Settled verdicts that went against it (expired contributions count in neither).
    struct Agreement {
        uint32 agreed;
        uint32 disagreed;
    }

    /// @notice Quality above 100.
    error InvalidQuality(uint8 quality);
    /// @notice A validator may not judge its own contribution.
    error SelfAttestation(bytes32 contentHash, address validator);
    /// @notice The contribution is not pending (closed, withdrawn or displaced).
    error ContributionNotPending(bytes32 contentHash, IDatanetRegistry.ContributionStatus status);
    /// @notice The validator's stake at the snapshot is below the minimum frozen at the reveal, or it no
    /// longer holds that snapshot stake bonded now (unbonding, withdrawn or slashed since), so its whole
    /// weight would not be slashable.
    error ValidatorNotActive(uint256 datanetId, address validator, uint256 stakeAtSnapshot, uint256 activeStake, uint256 minStake);
    /// @notice The validator already gave a verdict on this contribution.
    error AlreadyAttested(bytes32 contentHash, address validator);
    /// @notice Verdicts on this contribution open at `opensAt` (`REVEAL_WINDOW` after its reveal).
    error VotingNotOpen(bytes32 contentHash, uint256 opensAt);
    /// @notice The contribution's validation window closed at `endedAt`; call `finalize`.
    error VotingClosed(bytes32 contentHash, uint256 endedAt);
    /// @notice The validation window is open until `endsAt` and the outcome can still change.
    error VotingStillOpen(bytes32 contentHash, uint256 endsAt);
    /// @notice The contribution has not been closed yet, so its verdicts cannot be settled.
    error NotClosed(uint256 contributionId);
    /// @notice The validator gave no verdict on this contribution.
    error NotAttested(uint256 contributionId, address validator);
    /// @notice A batch must hold at least one verdict or contribution.
    error EmptyBatch();
    /// @notice Only the registry reserves tally words.
    error NotRegistry(address caller);
    /// @notice The signed verdict's deadline has passed.
    error SignatureExpired(address validator, uint256 deadline);
    /// @notice The signature is not the validator's over this verdict on this chain and contract.
    error InvalidSignature(address validator);
    /// @notice An address that must be set is zero.
    error ZeroAddressArgument();

    /// @notice Why an item of a batch was not counted.
    enum SkipReason {
        AlreadyAttested,
        NotPending,
        VotingClosed,
        ValidatorNotActive,
        StaleSignature
    }

    /// @notice An item of a batch was left out because the chain moved on since it was signed or sent:
    /// the validator's verdict is already recorded (perhaps copied onto the chain by someone else), the
    /// contribution is no longer pending, its window has closed, the validator's stake is no longer
    /// bonded, or it voided its signatures (a new generation). The rest of the batch still counts.
    event VerdictSkipped(bytes32 indexed contentHash, address indexed validator, SkipReason reason);
    /// @notice A verdict was counted with `weight`, the validator's stake at the snapshot.
    event VerdictRecorded(
        bytes32 indexed contentHash,
        address indexed validator,
        uint256 indexed datanetId,
        uint256 contributionId,
        bool accept,
        uint8 quality,
        uint16 reasonCode,
        uint256 weight,
        address submitter
    );
    /// @notice A contribution's validation closed in `epoch` as `outcome` (early, once the outcome
    /// could no longer change, or by `finalize` after the window). `quality` is the weighted mean of the
    /// accepting verdicts (0 unless accepted), `contributorPoints` what the contributor earned,
    /// `eligibleWeight` the stake that could have voted, and `validatorsShare` the forfeited bond the
    /// rejecting validators settle.
    event ValidationClosed(
        bytes32 indexed contentHash,
        uint256 indexed contributionId,
        uint256 indexed datanetId,
        address contributor,
        IDatanetRegistry.ContributionStatus outcome,
        uint8 quality,
        uint256 acceptWeight,
        uint256 rejectWeight,
        uint256 eligibleWeight,
        uint256 verdicts,
        uint32 epoch,
        uint256 contributorPoints,
        uint256 validatorsShare
    );
    /// @notice A validator's verdict on a closed contribution was settled: `agreed` with the outcome or
    /// not, the validator points it earned in `epoch`, and the forfeited bond credited to it.
    event VerdictSettled(
        uint256 indexed contributionId,
        address indexed validator,
        uint256 indexed datanetId,
        bool agreed,
        uint256 points,
        uint256 credit,
        uint32 epoch
    );

    /// @notice Gives the caller's verdict.
    /// @param verdict The verdict.
    function attest(Verdict calldata verdict) external;

    /// @notice Gives the caller's verdicts on several contributions. A verdict already recorded, or on
    /// a contribution no longer pending or past its window, is skipped (`VerdictSkipped`); any other
    /// failure reverts all.
    /// @param verdicts The verdicts.
    function attestBatch(Verdict[] calldata verdicts) external;

    /// @notice Submits verdicts signed by validators; anyone may submit. A verdict already recorded
    /// (for instance copied onto the chain first by whoever saw it), on a contribution no longer pending
    /// or past its window is skipped (`VerdictSkipped`), so one copied verdict cannot sink a relayer's
    /// batch; a bad signature, an expired deadline or any other failure reverts all.
    /// @param signed The signed verdicts.
    function attestSigned(SignedVerdict[] calldata signed) external;

    /// @notice Closes a contribution whose validation window has ended. Anyone may call it.
    /// @param contentHash The contribution.
    function finalize(bytes32 contentHash) external;

    /// @notice Closes several contributions; those no longer pending are skipped (`VerdictSkipped`
    /// with the zero validator), a window still open reverts all.
    /// @param contentHashes The contributions.
    function finalizeBatch(bytes32[] calldata contentHashes) external;

    /// @notice Settles a validator's verdicts on closed contributions: points for accepting accepted
    /// work, forfeit shares for rejecting rejected work (credited in the registry), agreement counts.
    /// Anyone may settle for a validator; what it earns is the validator's. Settle before claiming an
    /// epoch's rewards: a claim pays the points settled by then. Verdicts already settled are skipped.
    /// @param validator The validator.
    /// @param contributionIds The contributions it judged.
    /// @return points Validator points earned (over all epochs settled).
    /// @return credit OPEN credited in the registry.
    function settle(address validator, uint256[] calldata contributionIds)
        external
        returns (uint256 points, uint256 credit);

    /// @notice The EIP-712 digest a validator signs for a verdict.
    /// @param verdict The verdict.
    /// @param contributionId The id registered for the verdict's content hash.
    /// @param generation The validator's signature generation.
    /// @param deadline The signature's last valid second.
    /// @return digest The digest.
    function verdictDigest(Verdict calldata verdict, uint256 contributionId, uint32 generation, uint64 deadline)
        external
        view
        returns (bytes32 digest);

    /// @notice A contribution's tally (zero before its first verdict).
    /// @param contributionId The contribution's id.
    /// @return tally The tally.
    function tallyOf(uint256 contributionId) external view returns (Tally memory tally);

    /// @notice A validator's verdict on a contribution, as stored.
    /// @param contributionId The contribution's id.
    /// @param validator The validator.
    /// @return attested Whether it gave one.
    /// @return accepted Whether it accepted.
    /// @return settled Whether it has been settled.
    function verdictOf(uint256 contributionId, address validator)
        external
        view
        returns (bool attested, bool accepted, bool settled);

    /// @notice Whether a validator has given a verdict on the contribution now registered for a hash.
    /// @param contentHash The contribution.
    /// @param validator The validator.
    /// @return attested True when it has.
    function hasAttested(bytes32 contentHash, address validator) external view returns (bool attested);

    /// @notice The forfeited bond a rejected contribution left to its rejecting validators.
    /// @param contributionId The contribution's id.
    /// @return amount OPEN shared by stake among the rejecting verdicts.
    function forfeitOf(uint256 contributionId) external view returns (uint256 amount);

    /// @notice A contributor's reputation on a datanet, or overall with `datanetId` 0.
    /// @param datanetId The datanet, or 0.
    /// @param contributor The contributor.
    /// @return reputation Counts and score.
    function reputationOf(uint256 datanetId, address contributor) external view returns (Reputation memory reputation);

    /// @notice A validator's settled agreement with outcomes on a datanet.
    /// @param datanetId The datanet.
    /// @param validator The validator.
    /// @return agreement Agreed and disagreed counts.
    function agreementOf(uint256 datanetId, address validator) external view returns (Agreement memory agreement);

    /// @notice The reward points an account earned in a datanet epoch (validator points once settled).
    /// @param datanetId The datanet.
    /// @param epoch The datanet epoch.
    /// @param account A contributor, a validator, or both.
    /// @return contributorPoints Points from its accepted contributions.
    /// @return validatorPoints Stake weight of its settled accepting verdicts on accepted work.
    function pointsOf(uint256 datanetId, uint256 epoch, address account)
        external
        view
        returns (uint256 contributorPoints, uint256 validatorPoints);

    /// @notice All points earned in a datanet epoch. The validators' total counts at closing, so it
    /// never grows after the epoch: a verdict nobody settles leaves its share in the pool.
    /// @param datanetId The datanet.
    /// @param epoch The datanet epoch.
    /// @return contributorPoints The contributors' total.
    /// @return validatorPoints The validators' total.
    function epochTotals(uint256 datanetId, uint256 epoch)
        external
        view
        returns (uint256 contributorPoints, uint256 validatorPoints);
}
