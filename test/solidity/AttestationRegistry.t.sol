// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;


import {AttestationRegistry} from "../../contracts/AttestationRegistry.sol";
import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {IAttestationRegistry} from "../../contracts/interfaces/IAttestationRegistry.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {OpenToken} from "../../contracts/OpenToken.sol";
import {ValidatorStaking} from "../../contracts/ValidatorStaking.sol";
import {TestClock} from "./RegistryTestBase.sol";

/// No counter a stranger can exhaust: verdicts live in per-validator bitmaps keyed by contribution id
/// and tallies are per contribution, so there is no global validator index (the old one held 2^23
/// entries). Thousands of throwaway validators on another datanet leave a new validator here as
/// able to attest, and as heavy, as before.
contract AttestationRegistryTest is TestClock {
    uint256 internal constant THROWAWAYS = 2_000;

    OpenToken internal token;
    DatanetRegistry internal registry;
    ValidatorStaking internal staking;
    AttestationRegistry internal attestations;
    uint256 internal here;
    uint256 internal there;
    address internal stranger = address(0x57);

    function setUp() public {
        vm.warp(1_700_000_000);
        token = new OpenToken(address(this));
        registry = new DatanetRegistry(token, address(0x7EA5), address(this), 0);
        staking = new ValidatorStaking(token, registry, address(this), address(0x7EA5), 1 days, 0);
        attestations = new AttestationRegistry(registry, staking);
        registry.bindValidation(attestations);
        here = registry.createDatanet(IDatanetRegistry.DataKind.Text, "here", _policy(1e18, 1, 6_667, 1e18));
        // The stranger's own datanet: the smallest stake that has a weight (one WEIGHT_UNIT), no bond,
        // and a decision only when every throwaway has accepted.
        vm.prank(stranger);
        there = registry.createDatanet(IDatanetRegistry.DataKind.Other, "there", _policy(1e15, 100, 10_000, 0));
    }

    function _policy(uint128 minStake, uint16 quorum, uint16 thresholdBps, uint96 bond)
        internal
        pure
        returns (IDatanetRegistry.DatanetPolicy memory)
    {
        return IDatanetRegistry.DatanetPolicy({
            maxBytesPerContribution: 100,
            maxContributionsPerContributorPerEpoch: 10,
            maxBytesPerContributorPerEpoch: 1_000,
            maxBytesPerDatanetPerEpoch: 1_000,
            epochLength: 1 days,
            allowlistOnly: false,
            minValidatorStake: minStake,
            quorum: quorum,
            acceptanceThresholdBps: thresholdBps,
            contributorRewardBps: 8_000,
            submissionBond: bond,
            validationWindow: 1 hours
        });
    }

    /// Commits and reveals one item as `contributor` on `datanet`, one second apart.
    function _submit(address contributor, uint256 datanet, bytes32 contentHash) internal {
        bytes32[] memory one = new bytes32[](1);
        one[0] = contentHash;
        vm.startPrank(contributor);
        token.approve(address(registry), type(uint256).max);
        registry.commitSubmission(
            datanet, keccak256(abi.encode(contributor, datanet, keccak256(abi.encodePacked(one)), bytes32(0))), 1, 10
        );
        vm.warp(_now() + 1);
        registry.submit(datanet, contentHash, 10, "x", bytes32(0));
        vm.stopPrank();
    }

    function _stake(address validator, uint256 datanet, uint256 amount) internal {
        token.transfer(validator, amount);
        vm.startPrank(validator);
        token.approve(address(staking), amount);
        staking.stake(datanet, amount);
        vm.stopPrank();
    }

    function test_ThrowawayValidatorsElsewhereDoNotStopANewValidatorHere() public {
        for (uint256 i = 0; i < THROWAWAYS; ++i) {
            _stake(address(uint160(0x5000_0000 + i)), there, 1e15);
        }
        address newcomer = address(0xA1);
        _stake(newcomer, here, 10e18);
        vm.warp(_now() + 1);
        bytes32 junk = keccak256("stranger's content");
        bytes32 work = keccak256("content here");
        _submit(stranger, there, junk);
        _submit(address(this), here, work);
        vm.warp(_now() + registry.REVEAL_WINDOW());

        // Every throwaway gives a verdict: the stranger's contribution closes only at the last one.
        for (uint256 i = 0; i < THROWAWAYS; ++i) {
            vm.prank(address(uint160(0x5000_0000 + i)));
            attestations.attest(IAttestationRegistry.Verdict(junk, true, 1, 0));
        }
        uint256 junkId = registry.contributionIdOf(junk);
        IAttestationRegistry.Tally memory theirs = attestations.tallyOf(junkId);
        assertEq(theirs.verdicts, THROWAWAYS);
        assertEq(theirs.eligibleWeight, THROWAWAYS);
        assertEq(uint8(registry.getContribution(junk).status), uint8(IDatanetRegistry.ContributionStatus.Accepted));

        // The newcomer, never seen before, attests here with its full weight, measured against the
        // stake on this datanet only.
        uint256 workId = registry.contributionIdOf(work);
        vm.expectEmit(address(attestations));
        emit IAttestationRegistry.VerdictRecorded(work, newcomer, here, workId, true, 80, 0, 10_000, newcomer);
        vm.prank(newcomer);
        attestations.attest(IAttestationRegistry.Verdict(work, true, 80, 0));
        IAttestationRegistry.Tally memory ours = attestations.tallyOf(workId);
        assertEq(ours.verdicts, 1);
        assertEq(ours.acceptWeight, 10_000);
        assertEq(ours.eligibleWeight, 10_000);
        assertEq(uint8(ours.outcome), uint8(IDatanetRegistry.ContributionStatus.Accepted));
        (bool attested, bool accepted, bool settled) = attestations.verdictOf(workId, newcomer);
        assertTrue(attested && accepted && !settled);
    }

    /// Verdicts wait for the reveal window, close with the validation window, and settle only after
    /// closing and only for a validator that gave one.
    function test_VerdictWindowAndSettlementOrder() public {
        address small = address(0xA1);
        address large = address(0xA2);
        _stake(small, here, 10e18);
        _stake(large, here, 20e18);
        vm.warp(_now() + 1);
        bytes32 work = keccak256("windowed work");
        _submit(address(this), here, work);
        IDatanetRegistry.Contribution memory c = registry.getContribution(work);

        vm.expectRevert(abi.encodeWithSelector(IAttestationRegistry.VotingNotOpen.selector, work, c.votingOpensAt));
        vm.prank(small);
        attestations.attest(IAttestationRegistry.Verdict(work, true, 70, 0));

        vm.warp(c.votingOpensAt);
        // A third of the eligible stake accepts: neither outcome is decided yet.
        vm.prank(small);
        attestations.attest(IAttestationRegistry.Verdict(work, true, 70, 0));
        assertEq(uint8(registry.getContribution(work).status), uint8(IDatanetRegistry.ContributionStatus.Pending));
        uint256[] memory ids = new uint256[](1);
        ids[0] = c.id;
        vm.expectRevert(abi.encodeWithSelector(IAttestationRegistry.NotClosed.selector, c.id));
        attestations.settle(small, ids);
        vm.expectRevert(abi.encodeWithSelector(IAttestationRegistry.VotingStillOpen.selector, work, c.votingEndsAt));
        attestations.finalize(work);

        vm.warp(c.votingEndsAt);
        vm.expectRevert(abi.encodeWithSelector(IAttestationRegistry.VotingClosed.selector, work, c.votingEndsAt));
        vm.prank(large);
        attestations.attest(IAttestationRegistry.Verdict(work, false, 0, 0));
        attestations.finalize(work);
        assertEq(uint8(registry.getContribution(work).status), uint8(IDatanetRegistry.ContributionStatus.Accepted));
        vm.expectRevert(abi.encodeWithSelector(IAttestationRegistry.NotAttested.selector, c.id, large));
        attestations.settle(large, ids);
        (uint256 points,) = attestations.settle(small, ids);
        assertEq(points, 10e18 / attestations.WEIGHT_UNIT());
    }
}
