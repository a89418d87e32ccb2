// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAttestationRegistry} from "../../contracts/interfaces/IAttestationRegistry.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {ReputationMath} from "../../contracts/libraries/ReputationMath.sol";
import {RewardPools} from "../../contracts/RewardPools.sol";
import {Protocol, ProtocolHandler, ProtocolInvariants} from "./ProtocolHarness.sol";

/// Random contributors, validators voting any way, a slasher and a funder: every action of the
/// validation flow in any order, at any time.
contract ValidationHandler is ProtocolHandler {
    address public immutable funder;

    constructor(Protocol memory p, address[] memory contributors, address[] memory validators, address funder_)
        ProtocolHandler(p)
    {
        funder = funder_;
        for (uint256 i = 0; i < contributors.length; ++i) {
            _contributors.push(contributors[i]);
            _addAccount(contributors[i]);
        }
        for (uint256 i = 0; i < validators.length; ++i) {
            _validators.push(validators[i]);
            _addAccount(validators[i]);
        }
        _addAccount(funder_);
    }

    function _validator(uint256 who) internal view returns (address) {
        return _validators[who % _validators.length];
    }

    function commit(uint256 who, uint256 items, bool junk) external {
        _commit(_contributors[who % _contributors.length], items, junk);
    }

    function reveal(uint256 seed) external {
        _reveal(seed);
    }

    function lapse(uint256 seed) external {
        _lapse(seed);
    }

    function withdraw(uint256 seed) external {
        _withdraw(seed);
    }

    function attest(uint256 who, uint256 seed, bool accept, uint8 quality) external {
        _attest(_validator(who), _openContribution(seed), accept, quality);
    }

    function finalize(uint256 seed) external {
        _finalize(seed);
    }

    function settle(uint256 who, uint256 callerSeed, uint256 seed) external {
        _settle(_validator(who), _accounts[callerSeed % _accounts.length], seed);
    }

    function withdrawCredit(uint256 who) external {
        // One in eight times the treasury collects its forfeits.
        _withdrawCredit(who % 8 == 0 ? treasury : _accounts[who % _accounts.length]);
    }

    function stake(uint256 who, uint256 amount) external {
        _stake(_validator(who), amount);
    }

    function unbondOrWithdraw(uint256 who) external {
        _unbondOrWithdraw(_validator(who));
    }

    function slash(uint256 who, uint256 amount) external {
        _slash(_validator(who), amount);
    }

    function passTime(uint256 seed) external {
        _passTime(seed);
    }

    function fund(uint256 amount, uint256 ahead) external {
        _fund(funder, amount, ahead);
    }

    /// Everyone claims what they can, so funded epochs with points are paid out.
    function claim() external {
        for (uint256 i = 0; i < _accounts.length; ++i) _claim(_accounts[i]);
    }

    function sweep(uint256 epochSeed) external {
        _sweep(epochSeed);
    }

    function lifecycle(uint256 who, bool junk, uint256 items, uint256 votes, uint256 accepts, bool runOut) external {
        _lifecycle(_contributors[who % _contributors.length], junk, items, _validators, votes, accepts, runOut);
    }
}

/// Invariants of bonds, stake-weighted outcomes, settlement, points, reputation and reward pools, each
/// an equality where one exists.
contract ValidationInvariantsTest is ProtocolInvariants {
    uint16 internal constant QUORUM = 3;
    uint96 internal constant BOND = 10e18;

    ValidationHandler internal handler;

    function setUp() public {
        Protocol memory p = _deployProtocol(address(this), _policy(BOND, QUORUM));
        address[] memory contributors = new address[](2);
        (contributors[0], contributors[1]) = (address(0xC1), address(0xC2));
        address[] memory validators = new address[](5);
        for (uint256 i = 0; i < 5; ++i) validators[i] = address(uint160(0xA1 + i));
        address funder = address(0xF0);
        handler = new ValidationHandler(p, contributors, validators, funder);
        address[] memory accounts = handler.accounts();
        for (uint256 i = 0; i < accounts.length; ++i) _equip(accounts[i], 1_000_000e18);
        // Four validators are bonded before anything is revealed; the fifth starts with nothing.
        for (uint256 i = 0; i < 4; ++i) {
            vm.prank(validators[i]);
            staking.stake(datanetId, (i + 1) * 1_000e18);
        }
        vm.warp(block.timestamp + 1);

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](17);
        selectors[0] = ValidationHandler.commit.selector;
        selectors[1] = ValidationHandler.reveal.selector;
        selectors[2] = ValidationHandler.lapse.selector;
        selectors[3] = ValidationHandler.withdraw.selector;
        selectors[4] = ValidationHandler.attest.selector;
        selectors[5] = ValidationHandler.finalize.selector;
        selectors[6] = ValidationHandler.settle.selector;
        selectors[7] = ValidationHandler.withdrawCredit.selector;
        selectors[8] = ValidationHandler.stake.selector;
        selectors[9] = ValidationHandler.unbondOrWithdraw.selector;
        selectors[10] = ValidationHandler.slash.selector;
        selectors[11] = ValidationHandler.passTime.selector;
        selectors[12] = ValidationHandler.fund.selector;
        selectors[13] = ValidationHandler.claim.selector;
        selectors[14] = ValidationHandler.sweep.selector;
        selectors[15] = ValidationHandler.lifecycle.selector;
        selectors[16] = ValidationHandler.lifecycle.selector; // twice as likely: it is what makes windows meet
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// The handler's moves reach every outcome and every payout, so the invariants are not vacuous:
    /// an early acceptance, an early rejection, an expiry, a rejection at the window's close, settled
    /// points and forfeit shares, a funded epoch and its claims; and every invariant holds after them.
    function test_ScriptedRunReachesEveryOutcome() public {
        handler.fund(500e18, 0);
        handler.lifecycle(0, false, 1, _votes(0x0F, 90), 0x0F, false); // 1: all four accept, early
        handler.lifecycle(1, true, 1, _votes(0x0F, 10), 0x00, false); // 2: three reject, early
        handler.lifecycle(0, false, 2, _votes(0x03, 70), 0x03, true); // 3, 4: under quorum, expire
        handler.lifecycle(1, false, 1, _votes(0x07, 50), 0x04, true); // 5: half the stake rejects
        IDatanetRegistry.ContributionStatus[5] memory expected = [
            IDatanetRegistry.ContributionStatus.Accepted,
            IDatanetRegistry.ContributionStatus.Rejected,
            IDatanetRegistry.ContributionStatus.Expired,
            IDatanetRegistry.ContributionStatus.Expired,
            IDatanetRegistry.ContributionStatus.Rejected
        ];
        for (uint256 id = 1; id <= 5; ++id) {
            assertEq(uint8(registry.getContribution(handler.hashOf(id)).status), uint8(expected[id - 1]));
        }
        assertTrue(handler.ghostTally(1).closedEarly && handler.ghostTally(2).closedEarly);
        assertFalse(handler.ghostTally(5).closedEarly);
        for (uint256 round = 0; round < 5; ++round) {
            for (uint256 who = 0; who < 4; ++who) handler.settle(who, round, round);
        }
        assertGt(handler.ghostSettledPoints(0), 0, "validator points");
        assertGt(handler.ghostCredit(address(0xA2)), 0, "forfeit share");
        handler.withdrawCredit(3); // accounts[3] is 0xA2
        handler.passTime(4 * 1 days);
        handler.claim();
        assertGt(handler.ghostClaimed(), 0, "claims");

        invariant_NothingAgainstTheRules();
        invariant_StakesAddUp();
        invariant_TokensAreConserved();
        invariant_OutcomesPointsAndPools();
        invariant_ContributorPointsAddUp();
        invariant_AgreementCountsEqualSettledVerdicts();
        invariant_ReputationMatchesOutcomes();
    }

    function invariant_NothingAgainstTheRules() public view {
        _assertNothingUnexpected(handler);
    }

    function invariant_StakesAddUp() public view {
        _assertStakesAddUp(handler);
    }

    /// (a) The registry's OPEN equals the credits plus the bonds still held; the supply is conserved;
    /// the treasury got exactly slashes, sweeps and the forfeits it withdrew.
    function invariant_TokensAreConserved() public view {
        _assertRegistryHoldsBondsAndCredits(handler);
        assertEq(
            token.balanceOf(treasury),
            handler.ghostSlashed() + handler.ghostSwept() + handler.ghostWithdrawnBy(treasury),
            "treasury"
        );
    }

    /// (b) and (c): outcomes follow the stake-weighted majority, early closes are final, and validator
    /// epoch totals are the settled plus unsettled accepting weights. Then the reward pools: each ended,
    /// unswept epoch has claimed + claimable + dust == funded, and the dust is below one wei per
    /// account once every accepting verdict of the epoch was settled before its validator claimed.
    function invariant_OutcomesPointsAndPools() public view {
        _assertOutcomesAndEpochTotals(handler);
        assertEq(
            token.balanceOf(address(pools)), handler.ghostFunded() - handler.ghostClaimed() - handler.ghostSwept()
        );
        address[] memory accounts = handler.accounts();
        uint256 current = registry.currentEpoch(datanetId);
        for (uint256 epoch = 0; epoch < current; ++epoch) {
            RewardPools.Pool memory pool = pools.poolOf(datanetId, epoch);
            if (pool.swept || current > epoch + pools.claimWindowEpochs()) continue;
            uint256 claimable;
            for (uint256 i = 0; i < accounts.length; ++i) {
                (uint256 c, uint256 v) = pools.claimable(datanetId, epoch, accounts[i]);
                claimable += c + v;
            }
            uint256 dust = uint256(pool.funded) - pool.claimed - claimable;
            (uint256 contributorTotal, uint256 validatorTotal) = attestations.epochTotals(datanetId, epoch);
            if (
                contributorTotal > 0 && validatorTotal > 0 && validatorTotal == handler.ghostSettledPoints(epoch)
                    && !handler.ghostSettledAfterClaim(epoch)
            ) assertLt(dust, accounts.length, "dust");
        }
    }

    /// Every epoch's contributor points add up to its contributor total.
    function invariant_ContributorPointsAddUp() public view {
        address[] memory contributors = handler.contributorList();
        uint256 current = registry.currentEpoch(datanetId);
        for (uint256 epoch = 0; epoch <= current; ++epoch) {
            (uint256 total,) = attestations.epochTotals(datanetId, epoch);
            uint256 sum;
            for (uint256 i = 0; i < contributors.length; ++i) {
                (uint256 points,) = attestations.pointsOf(datanetId, epoch, contributors[i]);
                sum += points;
            }
            assertEq(sum, total);
        }
    }

    /// Every settled verdict on accepted or rejected work counted once as agreeing or disagreeing.
    function invariant_AgreementCountsEqualSettledVerdicts() public view {
        address[] memory validators = handler.validatorList();
        uint256 counted;
        for (uint256 i = 0; i < validators.length; ++i) {
            IAttestationRegistry.Agreement memory a = attestations.agreementOf(datanetId, validators[i]);
            counted += uint256(a.agreed) + a.disagreed;
        }
        assertEq(counted, handler.ghostSettledJudged());
    }

    /// Reputation counts equal the closed contributions, per contributor; every score is the formula
    /// of its own counts (so no path sets one directly) and moved the right way at each closing.
    function invariant_ReputationMatchesOutcomes() public view {
        address[] memory contributors = handler.contributorList();
        uint256[] memory accepted = new uint256[](contributors.length);
        uint256[] memory rejected = new uint256[](contributors.length);
        uint256 count = handler.contributionCount();
        for (uint256 id = 1; id <= count; ++id) {
            IDatanetRegistry.Contribution memory c = registry.getContribution(handler.hashOf(id));
            uint256 who = c.contributor == contributors[0] ? 0 : 1;
            if (c.status == IDatanetRegistry.ContributionStatus.Accepted) ++accepted[who];
            if (c.status == IDatanetRegistry.ContributionStatus.Rejected) ++rejected[who];
        }
        for (uint256 who = 0; who < contributors.length; ++who) {
            IAttestationRegistry.Reputation memory rep = attestations.reputationOf(datanetId, contributors[who]);
            assertEq(rep.accepted, accepted[who]);
            assertEq(rep.rejected, rejected[who]);
            assertLe(rep.qualitySum, uint256(rep.accepted) * 100);
            assertEq(rep.score, ReputationMath.score(rep.accepted, rep.rejected, rep.qualitySum));
            assertEq(abi.encode(attestations.reputationOf(0, contributors[who])), abi.encode(rep));
        }
        assertEq(handler.ghostScoreMovedWrongWay(), 0);
    }
}
