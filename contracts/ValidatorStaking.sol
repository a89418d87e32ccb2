// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IDatanetRegistry} from "./interfaces/IDatanetRegistry.sol";
import {IValidatorStaking} from "./interfaces/IValidatorStaking.sol";
import {TokenPull} from "./libraries/TokenPull.sol";

/// @title ValidatorStaking
/// @notice Custody of validators' OPEN stakes per datanet. See IValidatorStaking.
/// @dev Every stake change moves `totalStaked` by the same amount, so `totalStaked` equals the sum
/// of all stakes and the OPEN this contract holds for them. Tokens move last (checks-effects-
/// interactions) under a reentrancy guard.
contract ValidatorStaking is IValidatorStaking, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice May slash stakes (governance or a dispute-resolution contract).
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @notice Bounds of the unbonding period.
    uint32 public constant MIN_UNBONDING_PERIOD = 1 hours;
    uint32 public constant MAX_UNBONDING_PERIOD = 365 days;

    /// @notice The staked token (OPEN).
    IERC20 public immutable token;
    /// @notice The registry whose datanets validators stake on.
    IDatanetRegistry public immutable registry;
    /// @notice Seconds between `requestUnbond` and the earliest `withdraw`.
    uint32 public immutable unbondingPeriod;

    /// @notice Where slashed stake goes.
    address public slashRecipient;
    uint256 private _totalStaked;
    /// Slot: amount (96) | unbondingEndsAt (40) | generation (32).
    mapping(uint256 datanetId => mapping(address validator => StakeInfo)) private _stakes;

    /// @param token_ The OPEN token.
    /// @param registry_ The datanet registry.
    /// @param admin Receives DEFAULT_ADMIN_ROLE and SLASHER_ROLE.
    /// @param slashRecipient_ Where slashed stake goes (e.g. the treasury).
    /// @param unbondingPeriod_ Seconds a stake waits between unbond request and withdrawal.
    constructor(
        IERC20 token_,
        IDatanetRegistry registry_,
        address admin,
        address slashRecipient_,
        uint32 unbondingPeriod_
    ) {
        if (address(token_) == address(0) || address(registry_) == address(0)) revert ZeroAddress();
        if (admin == address(0) || slashRecipient_ == address(0)) revert ZeroAddress();
        if (unbondingPeriod_ < MIN_UNBONDING_PERIOD || unbondingPeriod_ > MAX_UNBONDING_PERIOD) {
            revert InvalidUnbondingPeriod(unbondingPeriod_);
        }
        token = token_;
        registry = registry_;
        unbondingPeriod = unbondingPeriod_;
        slashRecipient = slashRecipient_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(SLASHER_ROLE, admin);
    }

    /// @inheritdoc IValidatorStaking
    function stake(uint256 datanetId, uint256 amount) external nonReentrant {
        _stake(datanetId, amount);
    }

    /// @inheritdoc IValidatorStaking
    function stakeWithPermit(uint256 datanetId, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
    {
        TokenPull.tryPermit(address(token), amount, deadline, v, r, s);
        _stake(datanetId, amount);
    }

    /// @inheritdoc IValidatorStaking
    function requestUnbond(uint256 datanetId) external {
        StakeInfo storage info = _stakes[datanetId][msg.sender];
        uint96 amount = info.amount;
        if (amount == 0) revert NoStake(datanetId, msg.sender);
        if (info.unbondingEndsAt != 0) revert StakeUnbonding(datanetId, msg.sender, info.unbondingEndsAt);
        uint40 unlocksAt = uint40(block.timestamp + unbondingPeriod);
        info.unbondingEndsAt = unlocksAt;
        _bumpGeneration(datanetId, msg.sender, info);
        emit UnbondRequested(datanetId, msg.sender, amount, unlocksAt);
    }

    /// @inheritdoc IValidatorStaking
    function withdraw(uint256 datanetId) external nonReentrant {
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
    function slash(uint256 datanetId, address validator, uint256 amount, bytes32 reason)
        external
        onlyRole(SLASHER_ROLE)
        nonReentrant
    {
        if (amount == 0) revert ZeroAmount();
        StakeInfo storage info = _stakes[datanetId][validator];
        uint96 current = info.amount;
        if (current == 0) revert NoStake(datanetId, validator);
        if (amount > current) revert SlashExceedsStake(datanetId, validator, amount, current);
        // amount <= current <= type(uint96).max, checked just above.
        uint96 remaining = current - uint96(amount);
        info.amount = remaining;
        if (remaining == 0) delete info.unbondingEndsAt;
        _totalStaked -= amount;
        _bumpGeneration(datanetId, validator, info);
        address recipient = slashRecipient;
        emit Slashed(datanetId, validator, msg.sender, amount, remaining, reason, recipient);
        token.safeTransfer(recipient, amount);
    }

    /// @inheritdoc IValidatorStaking
    function invalidateSignatures(uint256 datanetId) external {
        _bumpGeneration(datanetId, msg.sender, _stakes[datanetId][msg.sender]);
    }

    /// @inheritdoc IValidatorStaking
    function setSlashRecipient(address recipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (recipient == address(0)) revert ZeroAddress();
        slashRecipient = recipient;
        emit SlashRecipientUpdated(recipient);
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
        emit Staked(datanetId, msg.sender, amount, newStake);
        TokenPull.pullExactly(token, msg.sender, address(this), amount);
    }

    function _bumpGeneration(uint256 datanetId, address validator, StakeInfo storage info) private {
        uint32 generation = ++info.generation;
        emit SignatureGenerationBumped(datanetId, validator, generation);
    }
}
