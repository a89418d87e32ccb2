// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title Reputation score: Wilson lower bound of the acceptance rate times mean accepted quality
/// @notice score = wilsonLowerBound(accepted, accepted + rejected, z = 1.96) × (qualitySum / accepted) / 100,
/// in 1e18 fixed point (1e18 = perfect). The lower bound makes a short perfect record count for less
/// than a long one: 1 of 1 scores about 0.21 of its quality, 50 of 50 about 0.93.
library ReputationMath {
    uint256 internal constant WAD = 1e18;
    /// @dev z = 1.96 (95% confidence) and z² = 3.8416, in WAD.
    uint256 internal constant Z = 1.96e18;
    uint256 internal constant Z_SQUARED = 3.8416e18;

    /// @notice The Wilson score interval's lower bound for `accepted` successes in `total` trials, in WAD.
    /// With n = total, a = accepted, r = n − a:
    /// (a + z²/2 − z·sqrt(a·r/n + z²/4)) / (n + z²).
    /// @dev Counts come from 32-bit record counters, so every product below stays under 2^160 and checked
    /// `*` then `/` gives the same floor as `Math.mulDiv`, for less gas on every closing.
    function wilsonLowerBound(uint256 accepted, uint256 total) internal pure returns (uint256) {
        if (accepted == 0 || total == 0) return 0;
        uint256 rejected = total - accepted;
        uint256 variance = accepted * rejected * WAD / total + Z_SQUARED / 4;
        uint256 spread = Z * Math.sqrt(variance * WAD) / WAD;
        uint256 centre = accepted * WAD + Z_SQUARED / 2;
        // centre² − (z·sqrt(a·r/n + z²/4))² = a² > 0 for a ≥ 1, and sqrt rounds down, so the
        // spread is below the centre; the checked subtraction would revert if it ever were not.
        return (centre - spread) * WAD / (total * WAD + Z_SQUARED);
    }

    /// @notice The reputation score in WAD for the given record.
    /// @param accepted Contributions accepted.
    /// @param rejected Contributions rejected.
    /// @param qualitySum Sum of accepted contributions' qualities (each 0..100).
    function score(uint256 accepted, uint256 rejected, uint256 qualitySum) internal pure returns (uint256) {
        if (accepted == 0) return 0;
        return wilsonLowerBound(accepted, accepted + rejected) * qualitySum / (accepted * 100);
    }
}
