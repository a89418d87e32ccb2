// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @title Using an ERC-2612 permit before pulling tokens
library PermitPull {
    /// @notice Applies the caller's permit for `amount` to this contract. A failing permit is
    /// ignored: someone may have front-run it onto the chain, which leaves the same allowance, and if
    /// the allowance is missing the pull that follows fails with the token's own error.
    function tryPermit(address token, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) internal {
        try IERC20Permit(token).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
    }
}
