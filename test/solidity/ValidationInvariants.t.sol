// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StdInvariant} from "forge-std/StdInvariant.sol";
import {Test} from "forge-std/Test.sol";

import {AttestationRegistry} from "../../contracts/AttestationRegistry.sol";
import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {IAttestationRegistry} from "../../contracts/interfaces/IAttestationRegistry.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {ReputationMath} from "../../contracts/libraries/ReputationMath.sol";
import {OpenToken} from "../../contracts/OpenToken.sol";
import {RewardPools} from "../../contracts/RewardPools.sol";
import {ValidatorStaking} from "../../contracts/ValidatorStaking.sol";

/// Drives staking and attestation: contributions, stakes, unbonding, slashing and verdicts from
/// random validators, keeping the ghost values the invariants compare against.
contract ValidationHandler is Test {
    OpenToken internal token;
    DatanetRegistry internal registry;
    ValidatorStaking internal staking;
    AttestationRegistry internal attestations;
    RewardPools internal pools;
    uint256 internal datanetId;
    address internal slasher;
    address internal funder;

    address[5] public validators = [address(0xA1), address(0xA2), address(0xA3), address(0xA4), address(0xA5)];
    address[2] public contributors = [address(0xC1), address(0xC2)];
    bytes32[] public hashes;
    uint256 public ghostSlashed;
    uint256 public ghostFinalizedVerdicts;
    /// Finalizations after which the contributor's score moved the wrong way.
    uint256 public ghostScoreMovedWrongWay;
    uint256 public ghostRewardsFunded;
    uint256 public ghostRewardsClaimed;
    uint256 public ghostRewardsSwept;
    uint256 internal nonce;

    constructor(
        OpenToken token_,
        DatanetRegistry registry_,
        ValidatorStaking staking_,
        AttestationRegistry attestations_,
        RewardPools pools_,
        uint256 datanetId_,
        address admin_
    ) {
        (token, registry, staking, attestations, pools, datanetId, slasher, funder) =
            (token_, registry_, staking_, attestations_, pools_, datanetId_, admin_, admin_);
    }

    function fundRewards(uint256 amount, uint256 ahead) external {
        amount = bound(amount, 1, 1_000e18);
        // Only the current and next epoch take funding: theirs are the terms that can no longer change.
        uint256 epoch = registry.currentEpoch(datanetId) + bound(ahead, 0, 1);
        vm.prank(funder);
        pools.fund(datanetId, epoch, amount);
        ghostRewardsFunded += amount;
    }

    /// Funds the current epoch and has a new contribution decided in it by three bonded validators,
    /// so that epochs with money, contributor points and validator points actually occur.
    function fundAndFinalize(uint256 amount, bool accept, uint8 quality, uint256 who) external {
        for (uint256 i = 0; i < 3; ++i) {
            ValidatorStaking.StakeInfo memory info = staking.stakeOf(datanetId, validators[i]);
            if (info.unbondingEndsAt != 0) return;
            if (info.amount < 1_000e18) {
                vm.prank(validators[i]);
                staking.stake(datanetId, 1_000e18);
            }
        }
        this.submit(who);
        this.fundRewards(amount, 0);
        bytes32 contentHash = hashes[hashes.length - 1];
        for (uint256 i = 0; i < 3; ++i) {
            IAttestationRegistry.Verdict memory v = IAttestationRegistry.Verdict({
                contentHash: contentHash,
                accept: i == 1 ? !accept : accept,
                quality: uint8(bound(quality, 0, 100)),
                reasonCode: 2
            });
            vm.prank(validators[i]);
            attestations.attest(v);
        }
        ghostFinalizedVerdicts += 3;
    }

    /// Claims, like a real claimant, every epoch in the window where the account has something to claim.
    function claimRewards(uint256 who) external {
        uint256 current = registry.currentEpoch(datanetId);
        address account = who % 7 < 2 ? contributors[who % 7] : validators[who % 7 - 2];
        uint256 first = current > pools.claimWindowEpochs() ? current - pools.claimWindowEpochs() : 0;
        uint256[] memory epochs = new uint256[](current - first);
        uint256 count;
        for (uint256 epoch = first; epoch < current; ++epoch) {
            (uint256 c, uint256 v) = pools.claimable(datanetId, epoch, account);
            if (c + v > 0) epochs[count++] = epoch;
        }
        if (count == 0) return;
        assembly ("memory-safe") {
            mstore(epochs, count)
        }
        vm.prank(account);
        ghostRewardsClaimed += pools.claim(datanetId, epochs);
    }

    function sweepRewards(uint256 epochSeed) external {
        uint256 current = registry.currentEpoch(datanetId);
        if (current == 0) return;
        uint256 epoch = epochSeed % current;
        RewardPools.Pool memory pool = pools.poolOf(datanetId, epoch);
        try pools.sweep(datanetId, epoch) {
            ghostRewardsSwept += uint256(pool.funded) - pool.claimed;
        } catch {}
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

    uint256 internal incidents;

    function slash(uint256 who, uint256 amount) external {
        address validator = validators[who % 5];
        uint256 current = staking.stakeOf(datanetId, validator).amount;
        if (current == 0) return;
        uint256 cap = current * staking.MAX_SLASH_BPS() / 10_000;
        if (cap == 0) return;
        amount = bound(amount, 1, cap);
        vm.prank(slasher);
        staking.slash(datanetId, validator, amount, keccak256(abi.encode("incident", ++incidents)));
        ghostSlashed += amount;
    }

    function attest(uint256 who, uint256 which, bool accept, uint8 quality) external {
        if (hashes.length == 0) return;
        address validator = validators[who % 5];
        // Validators work through the newest contributions, so quorums form as they would in use.
        uint256 window = hashes.length < 3 ? hashes.length : 3;
        bytes32 contentHash = hashes[hashes.length - 1 - which % window];
        IAttestationRegistry.Verdict memory v =
            IAttestationRegistry.Verdict({contentHash: contentHash, accept: accept, quality: uint8(bound(quality, 0, 100)), reasonCode: 1});
        IDatanetRegistry.Contribution memory before = registry.getContribution(contentHash);
        uint256 scoreBefore = attestations.reputationOf(datanetId, before.contributor).score;
        vm.prank(validator);
        try attestations.attest(v) {
            IDatanetRegistry.ContributionStatus status = registry.getContribution(contentHash).status;
            if (status != IDatanetRegistry.ContributionStatus.Pending) {
                ghostFinalizedVerdicts += attestations.tallyOf(contentHash).verdicts;
                uint256 scoreAfter = attestations.reputationOf(datanetId, before.contributor).score;
                bool accepted = status == IDatanetRegistry.ContributionStatus.Accepted;
                if (accepted ? scoreAfter < scoreBefore : scoreAfter > scoreBefore) ++ghostScoreMovedWrongWay;
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
    RewardPools internal pools;
    ValidationHandler internal handler;
    uint256 internal datanetId;
    address internal treasury = address(0x7EA5);

    function setUp() public {
        vm.warp(1_700_000_000);
        token = new OpenToken(address(this));
        registry = new DatanetRegistry(address(this), 0);
        staking = new ValidatorStaking(token, registry, address(this), treasury, 1 days, 0);
        attestations = new AttestationRegistry(registry, staking);
        registry.grantRole(registry.FINALIZER_ROLE(), address(attestations));
        pools = new RewardPools(token, registry, attestations, treasury, 3, address(this), 0);
        token.approve(address(pools), type(uint256).max);
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
        handler = new ValidationHandler(token, registry, staking, attestations, pools, datanetId, address(this));
        staking.grantRole(staking.SLASHER_ROLE(), address(handler));
        for (uint256 i = 0; i < 5; ++i) {
            address validator = handler.validators(i);
            token.transfer(validator, 1_000_000e18);
            vm.prank(validator);
            token.approve(address(staking), type(uint256).max);
        }
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = ValidationHandler.submit.selector;
        selectors[1] = ValidationHandler.stake.selector;
        selectors[2] = ValidationHandler.unbondOrWithdraw.selector;
        selectors[3] = ValidationHandler.slash.selector;
        selectors[4] = ValidationHandler.attest.selector;
        selectors[5] = ValidationHandler.passTime.selector;
        selectors[6] = ValidationHandler.fundRewards.selector;
        selectors[7] = ValidationHandler.claimRewards.selector;
        selectors[8] = ValidationHandler.sweepRewards.selector;
        selectors[9] = ValidationHandler.fundAndFinalize.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function invariant_StakesSumToTotalStakedAndToTheBalanceHeld() public view {
        uint256 sum;
        for (uint256 i = 0; i < 5; ++i) sum += staking.stakeOf(datanetId, handler.validators(i)).amount;
        assertEq(sum, staking.totalStaked());
        assertEq(sum, token.balanceOf(address(staking)));
    }

    function invariant_TokensAreConserved() public view {
        uint256 held = token.balanceOf(address(this)) + token.balanceOf(address(staking)) + token.balanceOf(treasury)
            + token.balanceOf(address(pools));
        for (uint256 i = 0; i < 5; ++i) held += token.balanceOf(handler.validators(i));
        for (uint256 i = 0; i < 2; ++i) held += token.balanceOf(handler.contributors(i));
        assertEq(held, SUPPLY);
        assertEq(token.balanceOf(treasury), handler.ghostSlashed() + handler.ghostRewardsSwept());
    }

    /// The pools hold exactly what was funded and neither claimed nor swept.
    function invariant_RewardPoolsHoldFundedMinusPaidOut() public view {
        assertEq(
            token.balanceOf(address(pools)),
            handler.ghostRewardsFunded() - handler.ghostRewardsClaimed() - handler.ghostRewardsSwept()
        );
    }

    /// For every ended, unswept epoch: claimed + still claimable + dust == funded. The dust is what
    /// is left (rounding, and parts nobody earned points for), so the checks with teeth are that
    /// claimed + claimable never exceeds funded (the subtraction would fail) and that, when both
    /// parts were earned, the dust is below one wei per participant.
    function invariant_ClaimedPlusClaimablePlusDustEqualsFunded() public view {
        uint256 current = registry.currentEpoch(datanetId);
        for (uint256 epoch = 0; epoch < current; ++epoch) {
            RewardPools.Pool memory pool = pools.poolOf(datanetId, epoch);
            if (pool.swept || current > epoch + pools.claimWindowEpochs()) continue;
            uint256 claimable;
            address[7] memory accounts = [
                handler.contributors(0), handler.contributors(1), handler.validators(0), handler.validators(1),
                handler.validators(2), handler.validators(3), handler.validators(4)
            ];
            for (uint256 i = 0; i < accounts.length; ++i) {
                (uint256 c, uint256 v) = pools.claimable(datanetId, epoch, accounts[i]);
                claimable += c + v;
            }
            uint256 dust = uint256(pool.funded) - pool.claimed - claimable;
            assertEq(uint256(pool.claimed) + claimable + dust, pool.funded);
            (uint256 contributorTotal, uint256 validatorTotal) = attestations.epochTotals(datanetId, epoch);
            if (contributorTotal > 0 && validatorTotal > 0) assertLt(dust, accounts.length);
        }
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

    /// Every score is the formula of its own counts, so no path can set a score directly.
    function invariant_ScoresEqualTheFormulaOfTheirCounts() public view {
        for (uint256 who = 0; who < 2; ++who) {
            for (uint256 scope = 0; scope < 2; ++scope) {
                IAttestationRegistry.Reputation memory rep =
                    attestations.reputationOf(scope == 0 ? datanetId : 0, handler.contributors(who));
                assertEq(rep.score, ReputationMath.score(rep.accepted, rep.rejected, rep.qualitySum));
            }
        }
    }

    /// Reputation is monotone: an acceptance never lowers a score and a rejection never raises it.
    function invariant_ScoresMoveWithOutcomes() public view {
        assertEq(handler.ghostScoreMovedWrongWay(), 0);
    }
}
