// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title How a reward pool is shared
/// @notice A pool splits into a contributors' part (`funded × contributorBps / 10,000`, rounded
/// down) and a validators' part (the rest). Each account gets `part × points / totalPoints`, rounded
/// down, so the shares of a part never add up to more than the part; what rounding leaves is dust.
library RewardMath {
    uint256 internal constant BPS = 10_000;

    /// @notice The contributors' and validators' parts of a pool.
    function split(uint256 funded, uint256 contributorBps)
        internal
        pure
        returns (uint256 contributorPart, uint256 validatorPart)
    {
        contributorPart = Math.mulDiv(funded, contributorBps, BPS);
        validatorPart = funded - contributorPart;
    }

    /// @notice An account's share of a part; nobody is paid from a part nobody earned points for.
    function share(uint256 part, uint256 points, uint256 totalPoints) internal pure returns (uint256) {
        if (points == 0) return 0;
        return Math.mulDiv(part, points, totalPoints);
    }
}
