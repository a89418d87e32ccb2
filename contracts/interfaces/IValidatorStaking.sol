// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Validator staking: OPEN held as collateral by validators, per datanet
/// @notice A validator stakes OPEN on a datanet to be allowed to attest there (at least the datanet's
/// `minValidatorStake`). The whole stake unbonds at once: `requestUnbond`, wait `unbondingPeriod`,
/// `withdraw`. Stake stays slashable while unbonding. Each validator has a signature generation per
/// datanet that signed verdicts must carry; unbonding, any slash, and `invalidateSignatures` bump it,
/// so verdicts signed before those events no longer count. It survives withdrawal, so re-staking
/// does not revive old signatures.
interface IValidatorStaking {
    /// @notice A validator's stake on one datanet (one storage slot).
    /// @param amount OPEN held, in wei.
    /// @param unbondingEndsAt When the stake can be withdrawn; 0 while bonded.
    /// @param generation The signature generation verdicts on this datanet must carry.
    struct StakeInfo {
        uint96 amount;
        uint40 unbondingEndsAt;
        uint32 generation;
    }

    /// @notice An amount of zero.
    error ZeroAmount();
    /// @notice An address that must be set is zero.
    error ZeroAddress();
    /// @notice The unbonding period is outside 1 hour .. 365 days.
    error InvalidUnbondingPeriod(uint256 period);
    /// @notice The stake is unbonding: no top-up, no second request.
    error StakeUnbonding(uint256 datanetId, address validator, uint256 unlocksAt);
    /// @notice `withdraw` before `requestUnbond`.
    error NotUnbonding(uint256 datanetId, address validator);
    /// @notice `withdraw` before the unbonding period ended.
    error UnbondingNotFinished(uint256 datanetId, address validator, uint256 unlocksAt);
    /// @notice The validator has no stake on the datanet.
    error NoStake(uint256 datanetId, address validator);
    /// @notice A slash above the per-incident cap (`MAX_SLASH_BPS` of the stake at the time).
    error SlashAboveIncidentCap(uint256 datanetId, address validator, uint256 amount, uint256 cap);
    /// @notice This incident was already used to slash this validator on this datanet.
    error IncidentAlreadySlashed(uint256 datanetId, address validator, bytes32 incidentId);
    /// @notice An incident id of zero names no incident.
    error ZeroIncidentId();
    /// @notice A stake that would not fit the uint96 accounting (more than the OPEN supply).
    error StakeOverflow(uint256 amount);

    /// @notice Stake was added.
    event Staked(uint256 indexed datanetId, address indexed validator, uint256 amount, uint256 newStake);
    /// @notice The whole stake started unbonding.
    event UnbondRequested(uint256 indexed datanetId, address indexed validator, uint256 amount, uint40 unlocksAt);
    /// @notice An unbonded stake was paid out.
    event StakeWithdrawn(uint256 indexed datanetId, address indexed validator, uint256 amount);
    /// @notice A slasher took part of a stake for an incident and sent it to the treasury.
    event Slashed(
        uint256 indexed datanetId,
        address indexed validator,
        address indexed slasher,
        uint256 amount,
        uint256 remaining,
        bytes32 incidentId,
        address treasury
    );
    /// @notice Verdicts on the datanet signed with an older generation no longer count.
    event SignatureGenerationBumped(uint256 indexed datanetId, address indexed validator, uint32 generation);

    /// @notice Stakes `amount` OPEN (approved beforehand) on a datanet.
    /// @param datanetId The datanet, which must exist.
    /// @param amount OPEN in wei.
    function stake(uint256 datanetId, uint256 amount) external;

    /// @notice `stake` with an ERC-2612 permit for the same amount, in one transaction.
    /// @param datanetId The datanet.
    /// @param amount OPEN in wei.
    /// @param deadline The permit's deadline.
    /// @param v Signature v.
    /// @param r Signature r.
    /// @param s Signature s.
    function stakeWithPermit(uint256 datanetId, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external;

    /// @notice Starts unbonding the caller's whole stake on a datanet; it stops counting for attestations.
    /// @param datanetId The datanet.
    function requestUnbond(uint256 datanetId) external;

    /// @notice Pays out an unbonded stake once the unbonding period is over.
    /// @param datanetId The datanet.
    function withdraw(uint256 datanetId) external;

    /// @notice Takes `amount` of a validator's stake (bonded or unbonding) to the treasury, for one
    /// incident. Only SLASHER_ROLE. Bounded: at most `MAX_SLASH_BPS` of the stake per incident, and
    /// each incident slashes a validator on a datanet once, so no single decision can take a whole stake.
    /// @param datanetId The datanet.
    /// @param validator The validator.
    /// @param amount OPEN in wei, at most the per-incident cap.
    /// @param incidentId The incident (e.g. the hash of the dispute record); used once per validator and datanet.
    function slash(uint256 datanetId, address validator, uint256 amount, bytes32 incidentId) external;

    /// @notice Voids every verdict on a datanet the caller has signed but not yet had submitted.
    /// @param datanetId The datanet.
    function invalidateSignatures(uint256 datanetId) external;

    /// @notice A validator's stake on a datanet.
    /// @param datanetId The datanet.
    /// @param validator The validator.
    /// @return info Amount and unbonding time.
    function stakeOf(uint256 datanetId, address validator) external view returns (StakeInfo memory info);

    /// @notice What the attestation contract needs in one call: the stake counting for attestations
    /// (0 while unbonding) and the validator's signature generation.
    /// @param datanetId The datanet.
    /// @param validator The validator.
    /// @return activeStake The bonded stake, or 0 while unbonding.
    /// @return generation The current signature generation.
    function attestingPower(uint256 datanetId, address validator)
        external
        view
        returns (uint256 activeStake, uint32 generation);

    /// @notice A validator's current signature generation on a datanet.
    /// @param datanetId The datanet.
    /// @param validator The validator.
    /// @return generation The generation signed verdicts must carry.
    function signatureGeneration(uint256 datanetId, address validator) external view returns (uint32 generation);

    /// @notice Whether an incident was used to slash a validator on a datanet.
    /// @param datanetId The datanet.
    /// @param validator The validator.
    /// @param incidentId The incident.
    /// @return used True once slashed for it.
    function isIncidentSlashed(uint256 datanetId, address validator, bytes32 incidentId)
        external
        view
        returns (bool used);

    /// @notice The validator's bonded (not unbonding) stake at the end of second `timepoint`, from its
    /// checkpoints: what its verdicts weigh on a contribution revealed after that second.
    /// @param datanetId The datanet.
    /// @param validator The validator.
    /// @param timepoint A past or current timestamp.
    /// @return amount The stake then.
    function stakeAt(uint256 datanetId, address validator, uint256 timepoint) external view returns (uint256 amount);

    /// @notice All bonded stake on a datanet at the end of second `timepoint`: the eligible stake a
    /// validation window is measured against.
    /// @param datanetId The datanet.
    /// @param timepoint A past or current timestamp.
    /// @return amount The total then.
    function totalStakeAt(uint256 datanetId, uint256 timepoint) external view returns (uint256 amount);

    /// @notice What the attestation contract reads for one verdict, in one call.
    /// @param datanetId The datanet.
    /// @param validator The validator.
    /// @param timepoint The contribution's snapshot second.
    /// @return stakeAtSnapshot The stake bonded at the end of `timepoint`.
    /// @return activeStake The stake bonded now (0 while unbonding).
    /// @return generation The validator's signature generation.
    function votingPower(uint256 datanetId, address validator, uint256 timepoint)
        external
        view
        returns (uint256 stakeAtSnapshot, uint256 activeStake, uint32 generation);

    /// @notice OPEN held for all stakes; always equal to the sum of `stakeOf(...).amount`.
    /// @return total The total.
    function totalStaked() external view returns (uint256 total);
}
