// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {ReputationMath} from "../../contracts/libraries/ReputationMath.sol";

/// Counters a stranger could push: the points an epoch can hold. One acceptance earns
/// quality × (1e18 + score) / 1e16 (AttestationRegistry._updateReputation), with the score from
/// ReputationMath. These bounds are why the reputation slot holds epoch points in 56 bits and the
/// quality sum in 40: no policy's quota (a uint32 count of contributions per contributor per
/// epoch) can overflow them.
contract PointsBoundsTest is Test {
    /// Any record a uint32 quota allows, at any quality: one acceptance earns at most 20,000 points,
    /// so an epoch's points (at most uint32-max acceptances) stay below 2^56, and the quality sum below 2^40.
    function testFuzz_PointsFitAtEveryPolicyLimit(uint32 accepted, uint32 rejected, uint256 qualitySum, uint8 quality)
        public
        pure
    {
        accepted = uint32(bound(accepted, 1, type(uint32).max));
        qualitySum = bound(qualitySum, 0, uint256(accepted) * 100);
        quality = uint8(bound(quality, 0, 100));
        uint256 score = ReputationMath.score(accepted, rejected, qualitySum);
        assertLe(score, 1e18);
        uint256 points = (uint256(quality) * (1e18 + score)) / 1e16;
        assertLe(points, 20_000);
        assertLe(uint256(type(uint32).max) * points, type(uint56).max);
        assertLe(uint256(type(uint32).max) * 100, type(uint40).max);
    }
}
