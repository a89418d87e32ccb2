// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBoundedPause} from "../interfaces/IBoundedPause.sol";

/// @title BoundedPause
/// @notice A pause with a maximum length. See IBoundedPause. The inheriting contract decides who may
/// pause (`_authorizePause`) and guards its fund-moving functions with `whenNotPaused`.
abstract contract BoundedPause is IBoundedPause {
    /// @notice May pause and unpause.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice The longest a single pause lasts.
    uint256 public constant MAX_PAUSE_DURATION = 7 days;

    uint40 private _pausedUntil;

    modifier whenNotPaused() {
        uint256 until = _pausedUntil;
        if (block.timestamp < until) revert ContractPaused(until);
        _;
    }

    /// @inheritdoc IBoundedPause
    function pause(uint256 duration) external {
        _authorizePause();
        if (duration == 0 || duration > MAX_PAUSE_DURATION) revert InvalidPauseDuration(duration, MAX_PAUSE_DURATION);
        uint40 until = uint40(block.timestamp + duration);
        _pausedUntil = until;
        emit PauseSet(msg.sender, until);
    }

    /// @inheritdoc IBoundedPause
    function unpause() external {
        _authorizePause();
        _pausedUntil = 0;
        emit PauseSet(msg.sender, 0);
    }

    /// @inheritdoc IBoundedPause
    function pausedUntil() external view returns (uint256 until) {
        until = _pausedUntil;
    }

    /// @dev Reverts unless the caller may pause (PAUSER_ROLE in the inheriting contract).
    function _authorizePause() internal view virtual;
}
