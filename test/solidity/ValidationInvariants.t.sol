// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StdInvariant} from "forge-std/StdInvariant.sol";
import {Test} from "forge-std/Test.sol";

import {AttestationRegistry} from "../../contracts/AttestationRegistry.sol";
import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {IAttestationRegistry} from "../../contracts/interfaces/IAttestationRegistry.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {OpenToken} from "../../contracts/OpenToken.sol";
import {ValidatorStaking} from "../../contracts/ValidatorStaking.sol";

/// Drives staking and attestation: contributions, stakes, unbonding, slashing and verdicts from
/// random validators, keeping the ghost values the invariants compare against.
contract ValidationHandler is Test {
    OpenToken internal token;
    DatanetRegistry internal registry;
    ValidatorStaking internal staking;
    AttestationRegistry internal attestations;
    uint256 internal datanetId;
    address internal slasher;

    address[5] public validators = [address(0xA1), address(0xA2), address(0xA3), address(0xA4), address(0xA5)];
    address[2] public contributors = [address(0xC1), address(0xC2)];
    bytes32[] public hashes;
    uint256 public ghostSlashed;
    uint256 public ghostFinalizedVerdicts;
    uint256 internal nonce;

    constructor(
        OpenToken token_,
        DatanetRegistry registry_,
        ValidatorStaking staking_,
        AttestationRegistry attestations_,
        uint256 datanetId_,
        address slasher_
    ) {
        (token, registry, staking, attestations, datanetId, slasher) =
            (token_, registry_, staking_, attestations_, datanetId_, slasher_);
    }

    function hashCount() external view returns (uint256) {
        return hashes.length;
    }

    function submit(uint256 who) external {
        address contributor = contributors[who % 2];
        bytes32 contentHash = keccak256(abi.encode("invariant content", ++nonce));
        bytes32[] memory one = new bytes32[](1);
        one[0] = contentHash;
        vm.prank(contributor);
        registry.commitSubmission(keccak256(abi.encode(contributor, datanetId, keccak256(abi.encodePacked(one)), nonce)));
        vm.roll(block.number + 1);
        vm.prank(contributor);
        registry.submit(datanetId, contentHash, 10, "ipfs://inv", bytes32(nonce));
        hashes.push(contentHash);
    }

    function stake(uint256 who, uint256 amount) external {
        address validator = validators[who % 5];
        amount = bound(amount, 1e18, 5_000e18);
        if (staking.stakeOf(datanetId, validator).unbondingEndsAt != 0) return;
        vm.prank(validator);
        staking.stake(datanetId, amount);
    }

    function unbondOrWithdraw(uint256 who) external {
        address validator = validators[who % 5];
        ValidatorStaking.StakeInfo memory info = staking.stakeOf(datanetId, validator);
        if (info.amount == 0) return;
        vm.startPrank(validator);
        if (info.unbondingEndsAt == 0) {
            staking.requestUnbond(datanetId);
        } else if (block.timestamp >= info.unbondingEndsAt) {
            staking.withdraw(datanetId);
        }
        vm.stopPrank();
    }

    function slash(uint256 who, uint256 amount) external {
        address validator = validators[who % 5];
        uint256 current = staking.stakeOf(datanetId, validator).amount;
        if (current == 0) return;
        amount = bound(amount, 1, current);
        vm.prank(slasher);
        staking.slash(datanetId, validator, amount, bytes32("invariant"));
        ghostSlashed += amount;
    }

    function attest(uint256 who, uint256 which, bool accept, uint8 quality) external {
        if (hashes.length == 0) return;
        address validator = validators[who % 5];
        bytes32 contentHash = hashes[which % hashes.length];
        IAttestationRegistry.Verdict memory v =
            IAttestationRegistry.Verdict({contentHash: contentHash, accept: accept, quality: uint8(bound(quality, 0, 100)), reasonCode: 1});
        vm.prank(validator);
        try attestations.attest(v) {
            if (registry.getContribution(contentHash).status != IDatanetRegistry.ContributionStatus.Pending) {
                ghostFinalizedVerdicts += attestations.tallyOf(contentHash).verdicts;
            }
        } catch {}
    }

    function passTime(uint256 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1 hours, 3 days));
    }
}

/// Invariants of staking and attestation, each an equality (or a bound that is the property itself).
contract ValidationInvariantsTest is StdInvariant, Test {
    uint256 internal constant QUORUM = 3;
    uint256 internal constant SUPPLY = 1_000_000_000e18;

    OpenToken internal token;
    DatanetRegistry internal registry;
    ValidatorStaking internal staking;
    AttestationRegistry internal attestations;
    ValidationHandler internal handler;
    uint256 internal datanetId;
    address internal treasury = address(0x7EA5);

    function setUp() public {
        vm.warp(1_700_000_000);
        token = new OpenToken(address(this));
        registry = new DatanetRegistry(address(this));
        staking = new ValidatorStaking(token, registry, address(this), treasury, 1 days);
        attestations = new AttestationRegistry(registry, staking);
        registry.grantRole(registry.FINALIZER_ROLE(), address(attestations));
        datanetId = registry.createDatanet(
            IDatanetRegistry.DataKind.Text,
            "ipfs://inv",
            IDatanetRegistry.DatanetPolicy({
                maxBytesPerContribution: 100,
                maxContributionsPerContributorPerEpoch: 10_000,
                maxBytesPerContributorPerEpoch: 1e12,
                maxBytesPerDatanetPerEpoch: 1e12,
                epochLength: 1 days,
                allowlistOnly: false,
                minValidatorStake: 1_000e18,
                quorum: uint16(QUORUM),
                acceptanceThresholdBps: 6_667,
                contributorRewardBps: 8_000
            })
        );
        handler = new ValidationHandler(token, registry, staking, attestations, datanetId, address(this));
        staking.grantRole(staking.SLASHER_ROLE(), address(handler));
        for (uint256 i = 0; i < 5; ++i) {
            address validator = handler.validators(i);
            token.transfer(validator, 1_000_000e18);
            vm.prank(validator);
            token.approve(address(staking), type(uint256).max);
        }
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](6);
        selectors[0] = ValidationHandler.submit.selector;
        selectors[1] = ValidationHandler.stake.selector;
        selectors[2] = ValidationHandler.unbondOrWithdraw.selector;
        selectors[3] = ValidationHandler.slash.selector;
        selectors[4] = ValidationHandler.attest.selector;
        selectors[5] = ValidationHandler.passTime.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function invariant_StakesSumToTotalStakedAndToTheBalanceHeld() public view {
        uint256 sum;
        for (uint256 i = 0; i < 5; ++i) sum += staking.stakeOf(datanetId, handler.validators(i)).amount;
        assertEq(sum, staking.totalStaked());
        assertEq(sum, token.balanceOf(address(staking)));
    }

    function invariant_TokensAreConserved() public view {
        uint256 held = token.balanceOf(address(this)) + token.balanceOf(address(staking)) + token.balanceOf(treasury);
        for (uint256 i = 0; i < 5; ++i) held += token.balanceOf(handler.validators(i));
        assertEq(held, SUPPLY);
        assertEq(token.balanceOf(treasury), handler.ghostSlashed());
    }

    /// Finalized exactly when quorum verdicts were given: Accepted or Rejected <=> verdicts == quorum.
    function invariant_FinalizedExactlyAtQuorum() public view {
        uint256 count = handler.hashCount();
        for (uint256 i = 0; i < count; ++i) {
            bytes32 contentHash = handler.hashes(i);
            IDatanetRegistry.ContributionStatus status = registry.getContribution(contentHash).status;
            uint256 verdicts = attestations.tallyOf(contentHash).verdicts;
            if (status == IDatanetRegistry.ContributionStatus.Pending) assertLt(verdicts, QUORUM);
            else assertEq(verdicts, QUORUM);
        }
    }

    /// Every verdict on a finalized contribution was counted once as agreeing or disagreeing.
    function invariant_AgreementCountsEqualFinalizedVerdicts() public view {
        uint256 counted;
        for (uint256 i = 0; i < 5; ++i) {
            IAttestationRegistry.Agreement memory a = attestations.agreementOf(datanetId, handler.validators(i));
            counted += uint256(a.agreed) + a.disagreed;
        }
        assertEq(counted, handler.ghostFinalizedVerdicts());
    }

    /// Every epoch's points add up to its totals: Σ contributors' == contributor total, Σ validators' ==
    /// validator total == verdicts that agreed with outcomes in that epoch.
    function invariant_PointsAddUpToEpochTotals() public view {
        uint256 current = registry.currentEpoch(datanetId);
        uint256 agreedOverall;
        for (uint256 epoch = 0; epoch <= current; ++epoch) {
            (uint256 contributorTotal, uint256 validatorTotal) = attestations.epochTotals(datanetId, epoch);
            uint256 contributorSum;
            uint256 validatorSum;
            for (uint256 i = 0; i < 2; ++i) {
                (uint256 points,) = attestations.pointsOf(datanetId, epoch, handler.contributors(i));
                contributorSum += points;
            }
            for (uint256 i = 0; i < 5; ++i) {
                (, uint256 points) = attestations.pointsOf(datanetId, epoch, handler.validators(i));
                validatorSum += points;
            }
            assertEq(contributorSum, contributorTotal);
            assertEq(validatorSum, validatorTotal);
            agreedOverall += validatorTotal;
        }
        uint256 agreed;
        for (uint256 i = 0; i < 5; ++i) agreed += attestations.agreementOf(datanetId, handler.validators(i)).agreed;
        assertEq(agreedOverall, agreed);
    }

    /// Reputation counts equal the finalized contributions, per contributor, and scores stay in [0, 1e18].
    function invariant_ReputationMatchesOutcomes() public view {
        uint256[2] memory accepted;
        uint256[2] memory rejected;
        uint256 count = handler.hashCount();
        for (uint256 i = 0; i < count; ++i) {
            IDatanetRegistry.Contribution memory c = registry.getContribution(handler.hashes(i));
            uint256 who = c.contributor == handler.contributors(0) ? 0 : 1;
            if (c.status == IDatanetRegistry.ContributionStatus.Accepted) ++accepted[who];
            if (c.status == IDatanetRegistry.ContributionStatus.Rejected) ++rejected[who];
        }
        for (uint256 who = 0; who < 2; ++who) {
            IAttestationRegistry.Reputation memory rep = attestations.reputationOf(datanetId, handler.contributors(who));
            assertEq(rep.accepted, accepted[who]);
            assertEq(rep.rejected, rejected[who]);
            assertLe(rep.qualitySum, uint256(rep.accepted) * 100);
            assertLe(rep.score, 1e18);
            IAttestationRegistry.Reputation memory overall = attestations.reputationOf(0, handler.contributors(who));
            assertEq(abi.encode(overall), abi.encode(rep));
        }
    }
}
