// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title OPEN, the protocol's reward and fee token
/// @notice Fixed supply of 1,000,000,000 OPEN (18 decimals) minted once to the treasury at deployment.
/// There is no mint function, so the supply can only shrink (by burning). ERC-2612 permit lets rewards
/// be funded in a single transaction. Voting, if ever wanted, belongs in a separate wrapper: checkpoints
/// on this token would add 30-50k gas to every reward transfer.
contract OpenToken is ERC20, ERC20Permit, ERC20Burnable {
    /// @notice The whole supply, minted at deployment.
    uint256 public constant TOTAL_SUPPLY = 1_000_000_000 * 10 ** 18;

    /// @param treasury Receives the entire supply; the zero address reverts with ERC20InvalidReceiver.
    constructor(address treasury) ERC20("OpenLedger", "OPEN") ERC20Permit("OpenLedger") {
        _mint(treasury, TOTAL_SUPPLY);
    }
}
