// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AttestationRegistry} from "../../contracts/AttestationRegistry.sol";
import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {IAttestationRegistry} from "../../contracts/interfaces/IAttestationRegistry.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {ReputationMath} from "../../contracts/libraries/ReputationMath.sol";
import {OpenToken} from "../../contracts/OpenToken.sol";
import {ValidatorStaking} from "../../contracts/ValidatorStaking.sol";
import {TestClock} from "./RegistryTestBase.sol";

/// Counters a stranger could push, at their limits. Contributor points: one acceptance earns
/// quality × (1e18 + score) / 1e16 (AttestationRegistry._updateReputation), with the score from
/// ReputationMath, which is why the reputation slot holds epoch points in 56 bits and the quality sum in
/// 40. Validator points and tallies: a verdict weighs its stake in units of WEIGHT_UNIT, and a tally
/// packs the accepting and rejecting weights in 40 bits each and the accepting quality sum in 48, which
/// must hold with the whole OPEN supply staked.
contract PointsBoundsTest is TestClock {
    uint256 internal constant VALIDATORS = 3;

    OpenToken internal token;
    DatanetRegistry internal registry;
    ValidatorStaking internal staking;
    AttestationRegistry internal attestations;
    uint256 internal datanetId;

    function setUp() public {
        vm.warp(1_700_000_000);
        token = new OpenToken(address(this));
        registry = new DatanetRegistry(token, address(0x7EA5), address(this), 0);
        staking = new ValidatorStaking(token, registry, address(this), address(0x7EA5), 1 days, 0);
        attestations = new AttestationRegistry(registry, staking);
        registry.bindValidation(attestations);
        // No bond, so the validators can stake the whole supply; one weight unit is enough to vote; every
        // validator votes before the quorum lets anything close.
        datanetId = registry.createDatanet(
            IDatanetRegistry.DataKind.Text,
            "ipfs://bounds",
            IDatanetRegistry.DatanetPolicy({
                maxBytesPerContribution: 100,
                maxContributionsPerContributorPerEpoch: 10,
                maxBytesPerContributorPerEpoch: 1_000,
                maxBytesPerDatanetPerEpoch: 1_000,
                epochLength: 1 days,
                allowlistOnly: false,
                minValidatorStake: 1e15,
                quorum: uint16(VALIDATORS),
                acceptanceThresholdBps: 6_667,
                contributorRewardBps: 8_000,
                submissionBond: 0,
                validationWindow: 1 hours
            })
        );
    }

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

    /// The slot bounds the tally relies on: the whole supply is below 2^40 weight units, and 100 times
    /// it below 2^48; a validator's epoch points (uint96) hold 2^56 verdicts of the largest weight.
    function test_FullSupplyFitsTheTallyAndPointSlots() public view {
        uint256 units = token.TOTAL_SUPPLY() / attestations.WEIGHT_UNIT();
        assertLt(units, 2 ** 40);
        assertLt(units * attestations.MAX_QUALITY(), 2 ** 48);
        assertLe(units * 2 ** 56, type(uint96).max);
    }

    /// Three validators whose stakes add up to as much as the whole OPEN supply judge one contribution
    /// at any qualities, either way. The open tally, the closing, the settled validator points and the
    /// epoch total all equal the weights computed here (stake / WEIGHT_UNIT), so nothing was truncated
    /// by the 40- and 48-bit packing.
    function testFuzz_TallyAndValidatorPointsAtTheFullSupply(
        uint256[VALIDATORS] memory stakes,
        uint8[VALIDATORS] memory qualities,
        bool[VALIDATORS] memory accepts,
        bool wholeSupply
    ) public {
        uint256 unit = attestations.WEIGHT_UNIT();
        uint256 left = token.TOTAL_SUPPLY();
        address[VALIDATORS] memory validators;
        uint256[VALIDATORS] memory weights;
        for (uint256 i = 0; i < VALIDATORS; ++i) {
            validators[i] = address(uint160(0xA1 + i));
            uint256 mostLeft = left - (VALIDATORS - 1 - i) * unit;
            stakes[i] = i == VALIDATORS - 1 && wholeSupply ? mostLeft : bound(stakes[i], unit, mostLeft);
            left -= stakes[i];
            weights[i] = stakes[i] / unit;
            qualities[i] = uint8(bound(qualities[i], 0, 100));
            token.transfer(validators[i], stakes[i]);
            vm.startPrank(validators[i]);
            token.approve(address(staking), stakes[i]);
            staking.stake(datanetId, stakes[i]);
            vm.stopPrank();
        }
        vm.warp(_now() + 1);
        bytes32 contentHash = keccak256("bounds");
        bytes32[] memory one = new bytes32[](1);
        one[0] = contentHash;
        registry.commitSubmission(
            datanetId, keccak256(abi.encode(address(this), datanetId, keccak256(abi.encodePacked(one)), bytes32(0))), 1, 10
        );
        vm.warp(_now() + 1);
        uint256 id = registry.submit(datanetId, contentHash, 10, "ipfs://bounds", bytes32(0));
        vm.warp(_now() + registry.REVEAL_WINDOW());

        uint256 acceptWeight;
        uint256 rejectWeight;
        uint256 qualityWeight;
        for (uint256 i = 0; i < VALIDATORS; ++i) {
            vm.prank(validators[i]);
            attestations.attest(IAttestationRegistry.Verdict(contentHash, accepts[i], qualities[i], 0));
            if (accepts[i]) (acceptWeight, qualityWeight) = (acceptWeight + weights[i], qualityWeight + weights[i] * qualities[i]);
            else rejectWeight += weights[i];
            IAttestationRegistry.Tally memory t = attestations.tallyOf(id);
            assertEq(t.acceptWeight, acceptWeight);
            assertEq(t.rejectWeight, rejectWeight);
            if (i + 1 < VALIDATORS) assertEq(t.acceptQualityWeight, qualityWeight);
        }
        assertLt(acceptWeight + rejectWeight, 2 ** 40);
        assertLt(qualityWeight, 2 ** 48);

        // Every validator voted, but the eligible weight (the floor of the summed stakes) may exceed the
        // summed floors by a unit or two, leaving a close call open until the window ends.
        IDatanetRegistry.Contribution memory c = registry.getContribution(contentHash);
        if (c.status == IDatanetRegistry.ContributionStatus.Pending) {
            vm.warp(c.votingEndsAt);
            attestations.finalize(contentHash);
        }
        IAttestationRegistry.Tally memory closed = attestations.tallyOf(id);
        assertEq(closed.eligibleWeight, (token.TOTAL_SUPPLY() - left) / unit);
        bool accepted = acceptWeight * 10_000 >= 6_667 * (acceptWeight + rejectWeight);
        IDatanetRegistry.ContributionStatus outcome =
            accepted ? IDatanetRegistry.ContributionStatus.Accepted : IDatanetRegistry.ContributionStatus.Rejected;
        assertEq(uint8(closed.outcome), uint8(outcome));

        uint256[] memory ids = new uint256[](1);
        ids[0] = id;
        uint256 settledPoints;
        for (uint256 i = 0; i < VALIDATORS; ++i) {
            (uint256 points,) = attestations.settle(validators[i], ids);
            assertEq(points, accepted && accepts[i] ? weights[i] : 0);
            (, uint256 epochPoints) = attestations.pointsOf(datanetId, closed.epoch, validators[i]);
            assertEq(epochPoints, points);
            settledPoints += points;
        }
        (, uint256 validatorTotal) = attestations.epochTotals(datanetId, closed.epoch);
        assertEq(validatorTotal, accepted ? acceptWeight : 0);
        assertEq(settledPoints, validatorTotal);
    }
}
