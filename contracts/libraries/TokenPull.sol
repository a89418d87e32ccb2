// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title Pulling tokens into the protocol: an optional permit first, and exactly the amount
library TokenPull {
    using SafeERC20 for IERC20;

    /// @notice The receiver got another amount than was sent: a token that charges a fee on
    /// transfer (or rebases) would break the books, so it is refused.
    error TransferAmountMismatch(address token, uint256 expected, uint256 received);

    /// @notice Applies the caller's permit for `amount` to this contract. A failing permit is
    /// ignored: someone may have front-run it onto the chain, which leaves the same allowance, and if
    /// the allowance is missing the pull that follows fails with the token's own error.
    function tryPermit(address token, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) internal {
        try IERC20Permit(token).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
    }

    /// @notice Moves `amount` from `from` to `to` and checks that `to` received exactly that.
    function pullExactly(IERC20 token, address from, address to, uint256 amount) internal {
        uint256 before = token.balanceOf(to);
        token.safeTransferFrom(from, to, amount);
        uint256 received = token.balanceOf(to) - before;
        if (received != amount) revert TransferAmountMismatch(address(token), amount, received);
    }
}
