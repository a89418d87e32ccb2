// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @notice Test token that, on the next transfer out of `reentryTarget`, calls `reentryTarget` again
/// with `data` once, and records whether that inner call succeeded and what it reverted with. It can
/// also act as an account itself (`execute`), so it can be the claimant whose payout re-enters.
contract ReentrantToken is ERC20 {
    address public reentryTarget;
    bytes public data;
    bool public attempted;
    bool public innerSucceeded;
    bytes public innerRevertData;

    constructor() ERC20("Reentrant", "RE") {
        // More than any pool may hold (2^104 wei), so tests can reach the pool limits.
        _mint(msg.sender, 2 ** 128);
    }

    /// @notice Acts as an account (to contribute and claim in tests), bubbling any revert.
    function execute(address to, bytes calldata callData) external returns (bytes memory result) {
        result = Address.functionCall(to, callData);
    }

    /// @notice Arms the re-entry: the next transfer from `target_` calls it with `data_`.
    function arm(address target_, bytes calldata data_) external {
        reentryTarget = target_;
        data = data_;
        attempted = false;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from == reentryTarget && !attempted && reentryTarget != address(0)) {
            attempted = true;
            // A low-level call, because the test needs the re-entered call's revert data, not a bubble.
            // solhint-disable-next-line avoid-low-level-calls
            (innerSucceeded, innerRevertData) = reentryTarget.call(data);
        }
    }
}
