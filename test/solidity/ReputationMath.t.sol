// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {ReputationMath} from "../../contracts/libraries/ReputationMath.sol";

/// Properties of the reputation score, fuzzed over records of up to a million contributions.
contract ReputationMathTest is Test {
    uint256 internal constant MAX = 1_000_000;

    function testFuzz_OneMoreRejectionNeverRaises(uint256 accepted, uint256 rejected, uint256 qualitySum) public pure {
        accepted = bound(accepted, 0, MAX);
        rejected = bound(rejected, 0, MAX);
        qualitySum = bound(qualitySum, 0, accepted * 100);
        assertLe(ReputationMath.score(accepted, rejected + 1, qualitySum), ReputationMath.score(accepted, rejected, qualitySum));
    }

    /// An acceptance never lowers the confidence part, and never lowers the score when its quality is
    /// at least the current mean (a low-quality acceptance lowers the mean quality by design).
    function testFuzz_OneMoreAcceptanceNeverLowers(uint256 accepted, uint256 rejected, uint256 qualitySum, uint8 quality)
        public
        pure
    {
        accepted = bound(accepted, 0, MAX);
        rejected = bound(rejected, 0, MAX);
        qualitySum = bound(qualitySum, 0, accepted * 100);
        uint256 total = accepted + rejected;
        assertGe(ReputationMath.wilsonLowerBound(accepted + 1, total + 1), ReputationMath.wilsonLowerBound(accepted, total));
        uint256 q = bound(quality, accepted == 0 ? 0 : (qualitySum + accepted - 1) / accepted, 100);
        assertGe(
            ReputationMath.score(accepted + 1, rejected, qualitySum + q), ReputationMath.score(accepted, rejected, qualitySum)
        );
    }

    function testFuzz_ScoresStayInBounds(uint256 accepted, uint256 rejected, uint256 qualitySum) public pure {
        accepted = bound(accepted, 0, MAX);
        rejected = bound(rejected, 0, MAX);
        qualitySum = bound(qualitySum, 0, accepted * 100);
        uint256 s = ReputationMath.score(accepted, rejected, qualitySum);
        assertLe(s, 1e18);
        assertLe(ReputationMath.wilsonLowerBound(accepted, accepted + rejected), 1e18);
        if (accepted == 0) assertEq(s, 0);
    }

    function testFuzz_QualityBeatsVolume(uint8 quality) public pure {
        uint256 q = bound(quality, 1, 100);
        // 10 of 10 accepted outranks 30 of 100 accepted, at the same quality.
        assertGt(ReputationMath.score(10, 0, 10 * q), ReputationMath.score(30, 70, 30 * q));
        // A single acceptance does not outrank a long perfect record.
        assertLt(ReputationMath.score(1, 0, q), ReputationMath.score(50, 0, 50 * q));
    }

    function test_KnownValues() public pure {
        // Wilson lower bound, z = 1.96: 1/1 -> 0.2065, 50/50 -> 0.9287, 8/10 -> 0.4902.
        assertApproxEqAbs(ReputationMath.wilsonLowerBound(1, 1), 0.2065e18, 0.0001e18);
        assertApproxEqAbs(ReputationMath.wilsonLowerBound(50, 50), 0.9287e18, 0.0001e18);
        assertApproxEqAbs(ReputationMath.wilsonLowerBound(8, 10), 0.4902e18, 0.0001e18);
        assertEq(ReputationMath.score(0, 5, 0), 0);
    }

    /// Records are 32-bit counters: at their limits nothing overflows and the score stays in bounds.
    function testFuzz_CounterLimits(uint256 accepted, uint256 rejected, uint256 quality) public pure {
        accepted = bound(accepted, type(uint32).max - 1_000, type(uint32).max);
        rejected = bound(rejected, 0, type(uint32).max);
        uint256 qualitySum = accepted * bound(quality, 0, 100);
        uint256 s = ReputationMath.score(accepted, rejected, qualitySum);
        assertLe(s, 1e18);
        assertLe(ReputationMath.score(accepted, rejected, qualitySum), ReputationMath.score(accepted, 0, qualitySum));
    }
}
