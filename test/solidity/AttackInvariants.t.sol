// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {Protocol, ProtocolHandler, ProtocolInvariants} from "./ProtocolHarness.sol";

/// One attacker, Mallory, plays every role at once: she owns the datanet (and may change its policy
/// or pause it), contributes junk or good work, validates through two addresses of her own voting any
/// way, funds reward pools and claims. Honest contributors submit good work; honest validators accept
/// good work and reject junk, when they get round to voting. The fuzzer picks every move.
contract AttackHandler is ProtocolHandler {
    address public immutable mallory;
    address public immutable funder;
    address[] internal _mallorys;
    address[] internal _honestContributors;
    address[] internal _honestValidators;
    address[] internal _judges;
    mapping(address account => bool) public isMallorys;

    /// Bonds Mallory lost (withdrawn, lapsed or rejected), and those of her rejected contributions.
    uint256 public ghostForfeited;
    uint256 public ghostForfeitedByRejection;
    /// Forfeit shares her validators were credited: from her own rejected work, and from others'.
    uint256 public ghostRecoveredFromOwn;
    uint256 public ghostEarnedFromOthers;
    uint256 public ghostClaimedByMallory;
    uint256 public ghostFundedByMallory;
    /// Validator points settled per validator and epoch.
    mapping(address validator => mapping(uint256 epoch => uint256 points)) public ghostPointsOf;

    constructor(
        Protocol memory p,
        address mallory_,
        address[] memory sybils,
        address[] memory honestContributors,
        address[] memory honestValidators,
        address funder_
    ) ProtocolHandler(p) {
        (mallory, funder) = (mallory_, funder_);
        _mallorys.push(mallory_);
        isMallorys[mallory_] = true;
        _contributors.push(mallory_);
        _addAccount(mallory_);
        for (uint256 i = 0; i < honestContributors.length; ++i) {
            _honestContributors.push(honestContributors[i]);
            _contributors.push(honestContributors[i]);
            _addAccount(honestContributors[i]);
        }
        for (uint256 i = 0; i < honestValidators.length; ++i) {
            _honestValidators.push(honestValidators[i]);
            _validators.push(honestValidators[i]);
            _judges.push(honestValidators[i]);
            _addAccount(honestValidators[i]);
        }
        for (uint256 i = 0; i < sybils.length; ++i) {
            _mallorys.push(sybils[i]);
            isMallorys[sybils[i]] = true;
            _validators.push(sybils[i]);
            _judges.push(sybils[i]);
            _addAccount(sybils[i]);
        }
        _addAccount(funder_);
    }

    function mallorys() external view returns (address[] memory) {
        return _mallorys;
    }

    function honestValidatorList() external view returns (address[] memory) {
        return _honestValidators;
    }

    function _sybil(uint256 who) internal view returns (address) {
        return _mallorys[1 + who % (_mallorys.length - 1)];
    }

    function _onForfeit(address contributor, uint256 bond, bool rejected) internal override {
        if (contributor != mallory) return;
        ghostForfeited += bond;
        if (rejected) ghostForfeitedByRejection += bond;
    }

    function _onSettled(address validator, uint256 id, uint256 epoch, uint256 points, uint256 credit)
        internal
        override
    {
        ghostPointsOf[validator][epoch] += points;
        if (!isMallorys[validator]) return;
        if (registry.getContribution(hashOf[id]).contributor == mallory) ghostRecoveredFromOwn += credit;
        else ghostEarnedFromOthers += credit;
    }

    // ------------------------------------------------------------------ Mallory's moves

    function malloryCommits(uint256 items, bool junk) external {
        _commit(mallory, items, junk);
    }

    function sybilAttests(uint256 who, uint256 seed, bool accept, uint8 quality) external {
        _attest(_sybil(who), _openContribution(seed), accept, quality);
    }

    function sybilStakes(uint256 who, uint256 amount) external {
        _stake(_sybil(who), amount);
    }

    function sybilUnbondsOrWithdraws(uint256 who) external {
        _unbondOrWithdraw(_sybil(who));
    }

    function malloryFunds(uint256 amount, uint256 ahead) external {
        ghostFundedByMallory += _fund(mallory, amount, ahead);
    }

    /// As the datanet's owner: any valid policy (it applies two epochs on).
    function malloryUpdatesPolicy(uint96 bond, uint16 quorum, uint16 thresholdBps, uint32 window, uint128 minStake)
        external
    {
        IDatanetRegistry.DatanetPolicy memory policy = registry.getDatanet(datanetId).policy;
        policy.submissionBond = uint96(_bound(bond, 0, 50e18));
        policy.quorum = uint16(_bound(quorum, 1, 5));
        policy.acceptanceThresholdBps = uint16(_bound(thresholdBps, 5_001, 10_000));
        policy.validationWindow = uint32(_bound(window, 10 minutes, 1 days));
        policy.minValidatorStake = uint128(_bound(minStake, 1e18, 2_000e18));
        vm.prank(mallory);
        try registry.updatePolicy(datanetId, policy) {} catch {}
    }

    function malloryPauses(bool paused) external {
        vm.prank(mallory);
        registry.setDatanetPaused(datanetId, paused);
    }

    // ------------------------------------------------------------------ honest moves

    function honestCommits(uint256 who, uint256 items) external {
        _commit(_honestContributors[who % _honestContributors.length], items, false);
    }

    /// An honest validator judges by the content: accept good work, reject junk.
    function honestAttests(uint256 who, uint256 seed, uint8 quality) external {
        uint256 id = _openContribution(seed);
        if (id == 0) return;
        _attest(_honestValidators[who % _honestValidators.length], id, !isJunk[hashOf[id]], quality);
    }

    function honestFunds(uint256 amount, uint256 ahead) external {
        _fund(funder, amount, ahead);
    }

    // ------------------------------------------------------------------ anyone's moves

    function reveal(uint256 seed) external {
        _reveal(seed);
    }

    function lapse(uint256 seed) external {
        _lapse(seed);
    }

    function withdraw(uint256 seed) external {
        _withdraw(seed);
    }

    function finalize(uint256 seed) external {
        _finalize(seed);
    }

    function settle(uint256 who, uint256 callerSeed, uint256 seed) external {
        _settle(_validators[who % _validators.length], _accounts[callerSeed % _accounts.length], seed);
    }

    function withdrawCredit(uint256 who) external {
        _withdrawCredit(who % 8 == 0 ? treasury : _accounts[who % _accounts.length]);
    }

    /// Everyone claims what they can, Mallory's addresses included.
    function claim() external {
        for (uint256 i = 0; i < _accounts.length; ++i) {
            uint256 paid = _claim(_accounts[i]);
            if (isMallorys[_accounts[i]]) ghostClaimedByMallory += paid;
        }
    }

    function sweep(uint256 epochSeed) external {
        _sweep(epochSeed);
    }

    function passTime(uint256 seed) external {
        _passTime(seed);
    }

    /// A whole contribution: Mallory's (junk or good) or an honest one; honest judges vote by the
    /// content when their bit in `votes` is set, Mallory's as `sybilAccepts` says.
    function lifecycle(bool byMallory, uint256 who, bool junk, uint256 items, uint256 votes, uint8 sybilAccepts, bool runOut)
        external
    {
        address contributor =
            byMallory ? mallory : _honestContributors[who % _honestContributors.length];
        junk = byMallory && junk;
        uint256 accepts = uint256(sybilAccepts) << _honestValidators.length;
        if (!junk) accepts |= (1 << _honestValidators.length) - 1;
        _lifecycle(contributor, junk, items, _judges, votes, accepts, runOut);
    }
}

/// Whatever Mallory does, she ends with no more OPEN than the rules give her, her junk never pays,
/// and honest validators' points are not diluted by rejections. The protocol-wide invariants hold too.
contract AttackInvariantsTest is ProtocolInvariants {
    uint96 internal constant BOND = 10e18;
    uint256 internal constant ALLOWANCE = 100_000e18;

    AttackHandler internal handler;
    address internal mallory = address(0xBAD);
    uint256 internal malloryStart;

    function setUp() public {
        Protocol memory p = _deployProtocol(mallory, _policy(BOND, 2));
        address[] memory sybils = new address[](2);
        (sybils[0], sybils[1]) = (address(0xBAD1), address(0xBAD2));
        address[] memory contributors = new address[](2);
        (contributors[0], contributors[1]) = (address(0xC1), address(0xC2));
        address[] memory validators = new address[](3);
        (validators[0], validators[1], validators[2]) = (address(0xA1), address(0xA2), address(0xA3));
        handler = new AttackHandler(p, mallory, sybils, contributors, validators, address(0xF0));
        address[] memory accounts = handler.accounts();
        for (uint256 i = 0; i < accounts.length; ++i) _equip(accounts[i], ALLOWANCE);
        // Honest validators hold the larger stake at the start; Mallory may stake more later.
        for (uint256 i = 0; i < 3; ++i) {
            vm.prank(validators[i]);
            staking.stake(datanetId, (i + 1) * 1_000e18);
        }
        for (uint256 i = 0; i < 2; ++i) {
            vm.prank(sybils[i]);
            staking.stake(datanetId, 1_000e18 + i * 500e18);
        }
        vm.warp(_now() + 1);
        malloryStart = _malloryPosition();

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](22);
        selectors[0] = AttackHandler.malloryCommits.selector;
        selectors[1] = AttackHandler.sybilAttests.selector;
        selectors[2] = AttackHandler.sybilStakes.selector;
        selectors[3] = AttackHandler.sybilUnbondsOrWithdraws.selector;
        selectors[4] = AttackHandler.malloryFunds.selector;
        selectors[5] = AttackHandler.malloryUpdatesPolicy.selector;
        selectors[6] = AttackHandler.malloryPauses.selector;
        selectors[7] = AttackHandler.honestCommits.selector;
        selectors[8] = AttackHandler.honestAttests.selector;
        selectors[9] = AttackHandler.honestFunds.selector;
        selectors[10] = AttackHandler.reveal.selector;
        selectors[11] = AttackHandler.lapse.selector;
        selectors[12] = AttackHandler.withdraw.selector;
        selectors[13] = AttackHandler.finalize.selector;
        selectors[14] = AttackHandler.settle.selector;
        selectors[15] = AttackHandler.withdrawCredit.selector;
        selectors[16] = AttackHandler.claim.selector;
        selectors[17] = AttackHandler.sweep.selector;
        selectors[18] = AttackHandler.passTime.selector;
        selectors[19] = AttackHandler.lifecycle.selector;
        selectors[20] = AttackHandler.lifecycle.selector;
        selectors[21] = AttackHandler.lifecycle.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// All the OPEN Mallory's addresses hold or are owed: balances, credits, stakes, and the bonds of
    /// her pending contributions and unrevealed commitments.
    function _malloryPosition() internal view returns (uint256 position) {
        address[] memory addrs = handler.mallorys();
        for (uint256 i = 0; i < addrs.length; ++i) {
            position += token.balanceOf(addrs[i]) + registry.creditOf(addrs[i])
                + staking.stakeOf(datanetId, addrs[i]).amount;
        }
        for (uint256 i = 0; i < handler.commitCount(); ++i) {
            if (handler.committerAt(i) == mallory) position += registry.getCommitment(mallory, handler.commitmentAt(i)).bond;
        }
        uint256 count = handler.contributionCount();
        for (uint256 id = 1; id <= count; ++id) {
            IDatanetRegistry.Contribution memory c = registry.getContribution(handler.hashOf(id));
            if (c.contributor == mallory && c.status == IDatanetRegistry.ContributionStatus.Pending) position += c.bond;
        }
    }

    /// Mallory's three plays, scripted, so the invariants are not vacuous: she has her validators reject
    /// her own junk beside an honest one (they recover part of the bond, never all of it); she has them
    /// accept junk nobody honest looked at (the stake that voted decides); they reject honest work the
    /// honest stake accepts (it is accepted anyway). Then settlement, credits, funding and claims.
    function test_ScriptedAttackLosesMoney() public {
        handler.malloryFunds(100e18, 0);
        handler.lifecycle(true, 0, true, 1, _votes(0x1C, 20), 0x00, false); // 1: honest #3 and both sybils reject
        handler.lifecycle(true, 0, true, 1, _votes(0x18, 90), 0x03, true); // 2: only the sybils vote, accept
        handler.lifecycle(false, 0, false, 1, _votes(0x1F, 80), 0x00, false); // 3: honest accept, sybils reject
        assertEq(uint8(registry.getContribution(handler.hashOf(1)).status), uint8(IDatanetRegistry.ContributionStatus.Rejected));
        assertEq(uint8(registry.getContribution(handler.hashOf(2)).status), uint8(IDatanetRegistry.ContributionStatus.Accepted));
        assertEq(uint8(registry.getContribution(handler.hashOf(3)).status), uint8(IDatanetRegistry.ContributionStatus.Accepted));
        for (uint256 round = 0; round < 3; ++round) {
            for (uint256 who = 0; who < 5; ++who) handler.settle(who, round, round);
        }
        assertGt(handler.ghostRecoveredFromOwn(), 0, "her validators recovered part of the bond");
        assertEq(handler.ghostForfeitedByRejection(), BOND);
        for (uint256 who = 0; who < 8; ++who) handler.withdrawCredit(who * 8 + 1);
        handler.passTime(4 * 1 days);
        handler.claim();
        assertGt(handler.ghostClaimedByMallory(), 0, "she claims for the junk her stake accepted");
        assertLt(_malloryPosition(), malloryStart, "and still ends poorer");

        invariant_ProtocolInvariantsHoldUnderAttack();
        invariant_MalloryGetsNoMoreThanTheRulesGive();
        invariant_JunkNeverPays();
        invariant_HonestValidatorsNotDilutedByRejections();
    }

    function invariant_ProtocolInvariantsHoldUnderAttack() public view {
        _assertNothingUnexpected(handler);
        _assertStakesAddUp(handler);
        _assertRegistryHoldsBondsAndCredits(handler);
        _assertOutcomesAndEpochTotals(handler);
    }

    /// Every wei of Mallory's is accounted for by the rules: she started with `malloryStart`, lost the
    /// bonds she forfeited and what she funded, and gained forfeit shares and reward claims. So she
    /// ends with no more than her start plus rewards and shares of other people's rejected work.
    function invariant_MalloryGetsNoMoreThanTheRulesGive() public view {
        uint256 position = _malloryPosition();
        uint256 gained = handler.ghostRecoveredFromOwn() + handler.ghostEarnedFromOthers()
            + handler.ghostClaimedByMallory();
        uint256 lost = handler.ghostForfeited() + handler.ghostFundedByMallory();
        assertEq(position + lost, malloryStart + gained, "Mallory's OPEN, wei for wei");
        assertLe(
            position + handler.ghostFundedByMallory(),
            malloryStart + handler.ghostEarnedFromOthers() + handler.ghostClaimedByMallory(),
            "no gain from her own work's bonds"
        );
    }

    /// Rejecting her own junk recovers at most the validators' 80% of the bonds it forfeits: junk
    /// costs her at least the treasury's 20%.
    function invariant_JunkNeverPays() public view {
        uint256 forfeited = handler.ghostForfeitedByRejection();
        assertLe(handler.ghostRecoveredFromOwn(), forfeited - forfeited * 2_000 / 10_000, "recovered <= 80%");
        assertGe(handler.ghostForfeited(), handler.ghostRecoveredFromOwn(), "forfeited >= recovered");
    }

    /// Honest validators' points are exactly the weights of their settled accepting verdicts on accepted
    /// work, and each epoch's validator total is the accepting stake of accepted work only (checked in
    /// the protocol invariants), so rejections, Mallory's or anyone's, add nothing to dilute them.
    function invariant_HonestValidatorsNotDilutedByRejections() public view {
        address[] memory honest = handler.honestValidatorList();
        uint256 current = registry.currentEpoch(datanetId);
        for (uint256 epoch = 0; epoch <= current; ++epoch) {
            for (uint256 i = 0; i < honest.length; ++i) {
                (, uint256 points) = attestations.pointsOf(datanetId, epoch, honest[i]);
                assertEq(points, handler.ghostPointsOf(honest[i], epoch), "honest points");
            }
        }
    }
}
