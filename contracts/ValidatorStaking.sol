// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";

import {IDatanetRegistry} from "./interfaces/IDatanetRegistry.sol";
import {IValidatorStaking} from "./interfaces/IValidatorStaking.sol";
import {TokenPull} from "./libraries/TokenPull.sol";
import {BoundedPause} from "./utils/BoundedPause.sol";

/// @title ValidatorStaking
/// @notice Custody of validators' OPEN stakes per datanet. See IValidatorStaking.
/// @dev Every stake change moves `totalStaked` by the same amount, so `totalStaked` equals the sum
/// of all stakes and the OPEN this contract holds for them. Tokens move last (checks-effects-
/// interactions) under a reentrancy guard. The admin role moves in two steps with a delay (OpenZeppelin
/// AccessControlDefaultAdminRules); slashing is capped per incident and always pays the treasury.
/// Bonded stake is checkpointed by timestamp, per validator and per datanet, so verdicts weigh the stake
/// bonded before a contribution was revealed (OpenZeppelin Checkpoints, as in ERC20Votes).
contract ValidatorStaking is IValidatorStaking, AccessControlDefaultAdminRules, BoundedPause, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using Checkpoints for Checkpoints.Trace208;

    /// @notice May slash stakes (governance or a dispute-resolution contract).
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @notice Bounds of the unbonding period.
    uint32 public constant MIN_UNBONDING_PERIOD = 1 hours;
    uint32 public constant MAX_UNBONDING_PERIOD = 365 days;
    /// @notice The most one incident can take: 10% of the stake at the time.
    uint16 public constant MAX_SLASH_BPS = 1_000;
    uint16 private constant BPS = 10_000;

    /// @notice The staked token (OPEN).
    IERC20 public immutable token;
    /// @notice The registry whose datanets validators stake on.
    IDatanetRegistry public immutable registry;
    /// @notice Seconds between `requestUnbond` and the earliest `withdraw`.
    uint32 public immutable unbondingPeriod;

    /// @notice Where slashed stake goes, fixed at deployment.
    address public immutable treasury;
    uint256 private _totalStaked;
    /// Slot: amount (96) | unbondingEndsAt (40) | generation (32).
    mapping(uint256 datanetId => mapping(address validator => StakeInfo)) private _stakes;
    mapping(uint256 datanetId => mapping(address validator => mapping(bytes32 incidentId => bool))) private _incidents;
    mapping(uint256 datanetId => mapping(address validator => Checkpoints.Trace208)) private _bondedHistory;
    mapping(uint256 datanetId => Checkpoints.Trace208) private _totalBondedHistory;

    /// @param token_ The OPEN token.
    /// @param registry_ The datanet registry.
    /// @param admin Receives DEFAULT_ADMIN_ROLE, SLASHER_ROLE and PAUSER_ROLE.
    /// @param treasury_ Where slashed stake goes.
    /// @param unbondingPeriod_ Seconds a stake waits between unbond request and withdrawal.
    /// @param adminDelay Seconds a new admin waits before accepting the role.
    constructor(
        IERC20 token_,
        IDatanetRegistry registry_,
        address admin,
        address treasury_,
        uint32 unbondingPeriod_,
        uint48 adminDelay
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (address(token_) == address(0) || address(registry_) == address(0)) revert ZeroAddress();
        if (treasury_ == address(0)) revert ZeroAddress();
        if (unbondingPeriod_ < MIN_UNBONDING_PERIOD || unbondingPeriod_ > MAX_UNBONDING_PERIOD) {
            revert InvalidUnbondingPeriod(unbondingPeriod_);
        }
        token = token_;
        registry = registry_;
        unbondingPeriod = unbondingPeriod_;
        treasury = treasury_;
        _grantRole(SLASHER_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    /// @inheritdoc IValidatorStaking
    function stake(uint256 datanetId, uint256 amount) external whenNotPaused nonReentrant {
        _stake(datanetId, amount);
    }

    /// @inheritdoc IValidatorStaking
    function stakeWithPermit(uint256 datanetId, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        whenNotPaused
        nonReentrant
    {
        TokenPull.tryPermit(address(token), amount, deadline, v, r, s);
        _stake(datanetId, amount);
    }

    /// @inheritdoc IValidatorStaking
    function requestUnbond(uint256 datanetId) external whenNotPaused {
        StakeInfo storage info = _stakes[datanetId][msg.sender];
        uint96 amount = info.amount;
        if (amount == 0) revert NoStake(datanetId, msg.sender);
        if (info.unbondingEndsAt != 0) revert StakeUnbonding(datanetId, msg.sender, info.unbondingEndsAt);
        uint40 unlocksAt = uint40(block.timestamp + unbondingPeriod);
        info.unbondingEndsAt = unlocksAt;
        _checkpoint(datanetId, msg.sender, amount, 0);
        _bumpGeneration(datanetId, msg.sender, info);
        emit UnbondRequested(datanetId, msg.sender, amount, unlocksAt);
    }

    /// @inheritdoc IValidatorStaking
    function withdraw(uint256 datanetId) external whenNotPaused nonReentrant {
        StakeInfo storage info = _stakes[datanetId][msg.sender];
        uint96 amount = info.amount;
        uint40 unlocksAt = info.unbondingEndsAt;
        if (amount == 0) revert NoStake(datanetId, msg.sender);
        if (unlocksAt == 0) revert NotUnbonding(datanetId, msg.sender);
        if (block.timestamp < unlocksAt) revert UnbondingNotFinished(datanetId, msg.sender, unlocksAt);
        // The generation stays: signatures from before the unbonding must not count after a re-stake.
        info.amount = 0;
        info.unbondingEndsAt = 0;
        _totalStaked -= amount;
        emit StakeWithdrawn(datanetId, msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IValidatorStaking
    function slash(uint256 datanetId, address validator, uint256 amount, bytes32 incidentId)
        external
        onlyRole(SLASHER_ROLE)
        nonReentrant
    {
        if (amount == 0) revert ZeroAmount();
        if (incidentId == bytes32(0)) revert ZeroIncidentId();
        StakeInfo storage info = _stakes[datanetId][validator];
        uint96 current = info.amount;
        if (current == 0) revert NoStake(datanetId, validator);
        uint256 cap = uint256(current) * MAX_SLASH_BPS / BPS;
        if (amount > cap) revert SlashAboveIncidentCap(datanetId, validator, amount, cap);
        mapping(bytes32 => bool) storage incidents = _incidents[datanetId][validator];
        if (incidents[incidentId]) revert IncidentAlreadySlashed(datanetId, validator, incidentId);
        incidents[incidentId] = true;
        // amount <= cap < current <= type(uint96).max, checked just above.
        uint96 remaining = current - uint96(amount);
        info.amount = remaining;
        if (info.unbondingEndsAt == 0) _checkpoint(datanetId, validator, current, remaining);
        _totalStaked -= amount;
        _bumpGeneration(datanetId, validator, info);
        emit Slashed(datanetId, validator, msg.sender, amount, remaining, incidentId, treasury);
        token.safeTransfer(treasury, amount);
    }

    /// @inheritdoc IValidatorStaking
    function invalidateSignatures(uint256 datanetId) external {
        _bumpGeneration(datanetId, msg.sender, _stakes[datanetId][msg.sender]);
    }

    /// @inheritdoc IValidatorStaking
    function stakeOf(uint256 datanetId, address validator) external view returns (StakeInfo memory info) {
        info = _stakes[datanetId][validator];
    }

    /// @inheritdoc IValidatorStaking
    function attestingPower(uint256 datanetId, address validator)
        external
        view
        returns (uint256 activeStake, uint32 generation)
    {
        StakeInfo memory info = _stakes[datanetId][validator];
        activeStake = info.unbondingEndsAt == 0 ? info.amount : 0;
        generation = info.generation;
    }

    /// @inheritdoc IValidatorStaking
    function signatureGeneration(uint256 datanetId, address validator) external view returns (uint32 generation) {
        generation = _stakes[datanetId][validator].generation;
    }

    /// @inheritdoc IValidatorStaking
    function isIncidentSlashed(uint256 datanetId, address validator, bytes32 incidentId)
        external
        view
        returns (bool used)
    {
        used = _incidents[datanetId][validator][incidentId];
    }

    /// @inheritdoc IValidatorStaking
    function stakeAt(uint256 datanetId, address validator, uint256 timepoint) external view returns (uint256 amount) {
        amount = _lookup(_bondedHistory[datanetId][validator], timepoint);
    }

    /// @inheritdoc IValidatorStaking
    function totalStakeAt(uint256 datanetId, uint256 timepoint) external view returns (uint256 amount) {
        amount = _lookup(_totalBondedHistory[datanetId], timepoint);
    }

    /// @inheritdoc IValidatorStaking
    function votingPower(uint256 datanetId, address validator, uint256 timepoint)
        external
        view
        returns (uint256 stakeAtSnapshot, uint256 activeStake, uint32 generation)
    {
        StakeInfo memory info = _stakes[datanetId][validator];
        stakeAtSnapshot = _lookup(_bondedHistory[datanetId][validator], timepoint);
        activeStake = info.unbondingEndsAt == 0 ? info.amount : 0;
        generation = info.generation;
    }

    /// @inheritdoc IValidatorStaking
    function totalStaked() external view returns (uint256 total) {
        total = _totalStaked;
    }

    function _stake(uint256 datanetId, uint256 amount) private {
        if (amount == 0) revert ZeroAmount();
        registry.validationSettings(datanetId); // reverts DatanetUnknown
        StakeInfo storage info = _stakes[datanetId][msg.sender];
        if (info.unbondingEndsAt != 0) revert StakeUnbonding(datanetId, msg.sender, info.unbondingEndsAt);
        uint256 newStake = uint256(info.amount) + amount;
        if (newStake > type(uint96).max) revert StakeOverflow(newStake);
        info.amount = uint96(newStake);
        _totalStaked += amount;
        _checkpoint(datanetId, msg.sender, newStake - amount, newStake);
        emit Staked(datanetId, msg.sender, amount, newStake);
        TokenPull.pullExactly(token, msg.sender, address(this), amount);
    }

    function _authorizePause() internal view override {
        _checkRole(PAUSER_ROLE);
    }

    /// @dev The value at `timepoint`, trying the latest checkpoint first: stakes change rarely and
    /// verdicts ask about recent reveals, so the answer is almost always the latest checkpoint, found in
    /// two reads instead of a search over the whole history.
    function _lookup(Checkpoints.Trace208 storage history, uint256 timepoint) private view returns (uint256 value) {
        uint48 key = SafeCast.toUint48(timepoint);
        (bool exists, uint48 latestKey, uint208 latestValue) = history.latestCheckpoint();
        if (!exists) return 0;
        if (latestKey <= key) return latestValue;
        value = history.upperLookupRecent(key);
    }

    /// @dev Records a change of a validator's bonded stake from `before` to `after_` at this second.
    function _checkpoint(uint256 datanetId, address validator, uint256 before, uint256 after_) private {
        uint48 now_ = uint48(block.timestamp);
        _bondedHistory[datanetId][validator].push(now_, uint208(after_));
        Checkpoints.Trace208 storage total = _totalBondedHistory[datanetId];
        // Bonded totals are sums of uint96 stakes of a fixed-supply token: far below 2^208.
        total.push(now_, uint208(total.latest() + after_ - before));
    }

    function _bumpGeneration(uint256 datanetId, address validator, StakeInfo storage info) private {
        uint32 generation = ++info.generation;
        emit SignatureGenerationBumped(datanetId, validator, generation);
    }
}
