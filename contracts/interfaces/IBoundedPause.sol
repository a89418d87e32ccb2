// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title A pause that ends by itself
/// @notice Every contract that moves funds can be paused by its PAUSER_ROLE (a guardian multisig) for at
/// most `MAX_PAUSE_DURATION`, to stop the bleeding while an incident is handled. The pause lapses on its
/// own, so no key can hold the funds it guards for longer than that: keeping a contract stopped needs a
/// fresh, evented decision each time. Functions that move funds revert `ContractPaused` while it lasts.
interface IBoundedPause {
    /// @notice The function is stopped until `pausedUntil`.
    error ContractPaused(uint256 pausedUntil);
    /// @notice A pause of zero seconds or longer than the maximum.
    error InvalidPauseDuration(uint256 duration, uint256 maxDuration);

    /// @notice `by` paused the contract until `pausedUntil` (0: unpaused).
    event PauseSet(address indexed by, uint256 pausedUntil);

    /// @notice Stops the guarded functions for `duration` seconds (1 .. MAX_PAUSE_DURATION). Only PAUSER_ROLE.
    /// @param duration Seconds from now.
    function pause(uint256 duration) external;

    /// @notice Ends a pause early. Only PAUSER_ROLE.
    function unpause() external;

    /// @notice When the current pause ends (0 or a past time: not paused).
    /// @return until The end of the pause.
    function pausedUntil() external view returns (uint256 until);
}
