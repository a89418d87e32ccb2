// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {IProofOfAttribution} from "../../contracts/interfaces/IProofOfAttribution.sol";
import {FeeSplitMath} from "../../contracts/libraries/FeeSplitMath.sol";

/// Every split of every pool adds up to the fees exactly, and no part exceeds its basis points.
contract FeeSplitMathTest is Test {
    function testFuzz_PartsAddUpToTheFeesExactly(uint256 fees, uint16 developerBps, uint16 validatorsBps, uint16 protocolBps)
        public
        pure
    {
        fees = bound(fees, 10_000, type(uint128).max);
        protocolBps = uint16(bound(protocolBps, 0, 1_000));
        developerBps = uint16(bound(developerBps, 0, 4_000));
        validatorsBps = uint16(bound(validatorsBps, 0, 2_000));
        vm.assume(uint256(developerBps) + validatorsBps + protocolBps <= 5_000);
        uint16 contributorsBps = 10_000 - developerBps - validatorsBps - protocolBps;
        IProofOfAttribution.SplitAmounts memory parts = FeeSplitMath.amounts(
            fees,
            IProofOfAttribution.FeeSplit({
                contributorsBps: contributorsBps,
                developerBps: developerBps,
                validatorsBps: validatorsBps,
                maxRecipientBps: 10_000
            })
        );
        assertEq(parts.contributors + parts.developer + parts.validators + parts.protocol, fees);
        assertLe(parts.contributors * 10_000, fees * contributorsBps);
        assertLe(parts.developer * 10_000, fees * developerBps);
        assertLe(parts.validators * 10_000, fees * validatorsBps);
        // The protocol's rounding gain is below one wei per rounded part.
        assertLe(parts.protocol * 10_000, fees * protocolBps + 3 * 10_000);
        // Contributors get at least half of any pool of at least 10,000 wei, never nothing.
        assertGe(parts.contributors, fees / 2 - 1);
    }

    function testFuzz_LeafCapStaysWithinOneWeiAndTheTotal(uint256 share, uint16 capBps, uint256 merkleTotal) public pure {
        share = bound(share, 1, type(uint128).max);
        capBps = uint16(bound(capBps, 100, 10_000));
        merkleTotal = bound(merkleTotal, 1, share);
        uint256 cap = FeeSplitMath.leafCap(share, capBps, merkleTotal);
        assertGe(cap, 1);
        assertLe(cap, merkleTotal);
        if (cap > 1 && cap < merkleTotal) assertEq(cap, share * capBps / 10_000);
    }
}
