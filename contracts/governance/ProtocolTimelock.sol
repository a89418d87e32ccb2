// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title ProtocolTimelock
/// @notice OpenZeppelin's TimelockController, as the admin of every protocol contract on the documented
/// mainnet path: each admin action (granting the slasher or pauser role, changing the admin) is
/// scheduled in public and runs only after `minDelay`, so everyone affected sees it coming. It administers
/// itself (no separate admin), as OpenZeppelin recommends.
contract ProtocolTimelock is TimelockController {
    /// @param minDelay Seconds between scheduling and executing an operation.
    /// @param proposers Who may schedule (and cancel) operations, e.g. the governance multisig.
    /// @param executors Who may execute ready operations (the zero address: anyone).
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors)
        TimelockController(minDelay, proposers, executors, address(0))
    {}
}
