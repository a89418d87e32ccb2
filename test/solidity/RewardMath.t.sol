// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {RewardMath} from "../../contracts/libraries/RewardMath.sol";

/// Sharing never pays more than was funded, and leaves at most one wei of dust per account.
contract RewardMathTest is Test {
    function testFuzz_SplitAddsUpToTheFunding(uint256 funded, uint16 bps) public pure {
        funded = bound(funded, 1, 1e30);
        bps = uint16(bound(bps, 5_000, 10_000));
        (uint256 contributorPart, uint256 validatorPart) = RewardMath.split(funded, bps);
        assertEq(contributorPart + validatorPart, funded);
        assertLe(contributorPart * 10_000, funded * bps);
    }

    /// Points of up to ten accounts, each from 0 to 1e9: their shares sum to at most the part, and
    /// what is left is less than one wei per account.
    function testFuzz_SharesNeverExceedThePart(uint256 part, uint256[10] memory points) public pure {
        part = bound(part, 1, 1e30);
        uint256 total;
        for (uint256 i = 0; i < 10; ++i) {
            points[i] = bound(points[i], 0, 1e9);
            total += points[i];
        }
        vm.assume(total > 0);
        uint256 paid;
        for (uint256 i = 0; i < 10; ++i) paid += RewardMath.share(part, points[i], total);
        assertLe(paid, part);
        assertLt(part - paid, 10);
    }

    function test_NoPointsNoShare() public pure {
        assertEq(RewardMath.share(1e18, 0, 0), 0);
        assertEq(RewardMath.share(1e18, 0, 5), 0);
        assertEq(RewardMath.share(1e18, 5, 5), 1e18);
    }
}
