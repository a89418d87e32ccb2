// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @notice Test double for a contract account (a multisig or smart wallet): its owner sends the
/// transaction, the account is the caller. Tests use it to tell `msg.sender` from `tx.origin`.
contract SmartAccount {
    address public immutable owner;

    error NotAccountOwner(address caller);

    constructor() {
        owner = msg.sender;
    }

    /// @notice Calls `to` with `callData` as this account, bubbling any revert.
    function execute(address to, bytes calldata callData) external returns (bytes memory result) {
        if (msg.sender != owner) revert NotAccountOwner(msg.sender);
        result = Address.functionCall(to, callData);
    }
}
