// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StdInvariant} from "forge-std/StdInvariant.sol";

import {AttestationRegistry} from "../../contracts/AttestationRegistry.sol";
import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {IAttestationRegistry} from "../../contracts/interfaces/IAttestationRegistry.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {OpenToken} from "../../contracts/OpenToken.sol";
import {RewardPools} from "../../contracts/RewardPools.sol";
import {ValidatorStaking} from "../../contracts/ValidatorStaking.sol";
import {TestClock} from "./RegistryTestBase.sol";

/// The deployed protocol a handler drives.
struct Protocol {
    OpenToken token;
    DatanetRegistry registry;
    ValidatorStaking staking;
    AttestationRegistry attestations;
    RewardPools pools;
    uint256 datanetId;
    address treasury;
    address admin;
}

/// Every action of the validation flow, with the ghost values the invariants compare against. Each
/// ghost is computed from the rules (stake checkpoints, the bond split, the majority), not read back
/// from the contract it checks. Subclasses choose the actors; an action that must succeed but reverts
/// counts in `ghostUnexpected`, which the invariants require to stay zero (a reverting handler call
/// would be dropped silently).
abstract contract ProtocolHandler is TestClock {
    uint256 internal constant WEIGHT_UNIT = 1e15;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant FORFEIT_TREASURY_BPS = 2_000;

    struct Commit {
        address contributor;
        bytes32 salt;
        bytes32 commitment;
        bool junk;
        bytes32[] hashes;
    }

    struct GhostVerdict {
        bool attested;
        bool accept;
        uint256 weight;
    }

    /// What the handler saw of a contribution: its verdicts' weights, whether a verdict closed it, the
    /// terms that judged it, and the rejecting validators' share of its bond.
    struct GhostTally {
        uint256 acceptWeight;
        uint256 rejectWeight;
        uint256 verdicts;
        bool closedEarly;
        uint256 quorum;
        uint256 thresholdBps;
        uint256 forfeit;
    }

    OpenToken internal token;
    DatanetRegistry internal registry;
    ValidatorStaking internal staking;
    AttestationRegistry internal attestations;
    RewardPools internal pools;
    uint256 internal datanetId;
    address internal treasury;
    address internal admin;

    /// Every account that can hold OPEN or credit, without repeats.
    address[] internal _accounts;
    address[] internal _contributors;
    address[] internal _validators;
    Commit[] internal _commits;
    /// Contribution ids run from 1; every reveal goes through this handler, with fresh content.
    mapping(uint256 id => bytes32 contentHash) public hashOf;
    mapping(bytes32 contentHash => bool) public isJunk;
    uint256 public contributionCount;

    mapping(uint256 id => mapping(address validator => GhostVerdict)) internal _verdicts;
    mapping(uint256 id => GhostTally) internal _tallies;
    mapping(address account => uint256 credit) public ghostCredit;
    /// Validator points settled into each epoch, and whether a validator settled into an epoch it had
    /// already claimed (those points are then no longer payable).
    mapping(uint256 epoch => uint256 points) public ghostSettledPoints;
    mapping(uint256 epoch => bool) public ghostSettledAfterClaim;
    mapping(address account => uint256 amount) public ghostWithdrawnBy;
    uint256 public ghostSettledJudged;
    uint256 public ghostSlashed;
    uint256 public ghostFunded;
    uint256 public ghostClaimed;
    uint256 public ghostSwept;
    uint256 public ghostScoreMovedWrongWay;
    uint256 public ghostUnexpected;
    uint256 internal _nonce;
    uint256 internal _incidents;

    constructor(Protocol memory p) {
        (token, registry, staking, attestations, pools, datanetId, treasury, admin) =
            (p.token, p.registry, p.staking, p.attestations, p.pools, p.datanetId, p.treasury, p.admin);
    }

    // ------------------------------------------------------------------ views for the invariants

    function accounts() external view returns (address[] memory) {
        return _accounts;
    }

    function contributorList() external view returns (address[] memory) {
        return _contributors;
    }

    function validatorList() external view returns (address[] memory) {
        return _validators;
    }

    function commitCount() external view returns (uint256) {
        return _commits.length;
    }

    function commitmentAt(uint256 i) external view returns (bytes32) {
        return _commits[i].commitment;
    }

    function committerAt(uint256 i) external view returns (address) {
        return _commits[i].contributor;
    }

    function ghostVerdict(uint256 id, address validator) external view returns (GhostVerdict memory) {
        return _verdicts[id][validator];
    }

    function ghostTally(uint256 id) external view returns (GhostTally memory) {
        return _tallies[id];
    }

    // ------------------------------------------------------------------ actions

    function _addAccount(address account) internal {
        for (uint256 i = 0; i < _accounts.length; ++i) {
            if (_accounts[i] == account) return;
        }
        _accounts.push(account);
    }

    /// Commits `items` fresh items (junk or good) as `contributor`, paying the bond from its balance.
    function _commit(address contributor, uint256 items, bool junk) internal returns (bool committed) {
        items = _bound(items, 1, 3);
        Commit storage c = _commits.push();
        (c.contributor, c.salt, c.junk) = (contributor, bytes32(++_nonce), junk);
        for (uint256 i = 0; i < items; ++i) {
            bytes32 contentHash = keccak256(abi.encode(junk ? "junk" : "good", _nonce, i));
            c.hashes.push(contentHash);
            isJunk[contentHash] = junk;
        }
        c.commitment = keccak256(abi.encode(contributor, datanetId, keccak256(abi.encodePacked(c.hashes)), c.salt));
        vm.prank(contributor);
        try registry.commitSubmission(datanetId, c.commitment, uint16(items), uint64(items * 10)) {
            committed = true;
        } catch {
            // Out of OPEN, quota, or the datanet is paused: nothing was taken.
            _commits.pop();
        }
    }

    /// Reveals a commitment if it is in its window; outside it the reveal must fail.
    function _reveal(uint256 seed) internal {
        if (_commits.length == 0) return;
        Commit memory c = _commits[seed % _commits.length];
        IDatanetRegistry.Commitment memory stored = registry.getCommitment(c.contributor, c.commitment);
        if (stored.committedAt == 0) return;
        bool inWindow = _now() > stored.committedAt
            && _now() <= uint256(stored.committedAt) + registry.REVEAL_WINDOW();
        IDatanetRegistry.SubmissionItem[] memory items = new IDatanetRegistry.SubmissionItem[](c.hashes.length);
        for (uint256 i = 0; i < items.length; ++i) {
            items[i] = IDatanetRegistry.SubmissionItem(c.hashes[i], 10, "ipfs://item");
        }
        vm.prank(c.contributor);
        try registry.submitBatch(datanetId, items, c.salt) returns (uint256 first) {
            if (!inWindow || first != contributionCount + 1) ++ghostUnexpected;
            for (uint256 i = 0; i < items.length; ++i) {
                hashOf[++contributionCount] = c.hashes[i];
            }
        } catch {
            if (inWindow) ++ghostUnexpected;
        }
    }

    function _lapse(uint256 seed) internal {
        if (_commits.length == 0) return;
        Commit memory c = _commits[seed % _commits.length];
        bytes32 commitment = c.commitment;
        IDatanetRegistry.Commitment memory stored = registry.getCommitment(c.contributor, commitment);
        if (stored.committedAt == 0 || _now() <= uint256(stored.committedAt) + registry.REVEAL_WINDOW()) {
            return;
        }
        try registry.lapseCommitment(c.contributor, commitment) {
            ghostCredit[treasury] += stored.bond;
            _onForfeit(c.contributor, stored.bond, false);
        } catch {
            ++ghostUnexpected;
        }
    }

    /// The contributor withdraws a pending contribution; only before verdicts open.
    function _withdraw(uint256 seed) internal {
        if (contributionCount == 0) return;
        bytes32 contentHash = hashOf[1 + seed % contributionCount];
        IDatanetRegistry.Contribution memory c = registry.getContribution(contentHash);
        if (c.status != IDatanetRegistry.ContributionStatus.Pending) return;
        vm.prank(c.contributor);
        try registry.withdraw(contentHash) {
            if (_now() >= c.votingOpensAt) ++ghostUnexpected;
            ghostCredit[treasury] += c.bond;
            _onForfeit(c.contributor, c.bond, false);
        } catch {
            if (_now() < c.votingOpensAt) ++ghostUnexpected;
        }
    }

    /// A pending contribution open for verdicts, among the newest ones, or 0.
    function _openContribution(uint256 seed) internal view returns (uint256 id) {
        uint256[8] memory open;
        uint256 found;
        for (uint256 i = contributionCount; i > 0 && found < 8; --i) {
            IDatanetRegistry.Contribution memory c = registry.getContribution(hashOf[i]);
            if (
                c.status == IDatanetRegistry.ContributionStatus.Pending && _now() >= c.votingOpensAt
                    && _now() < c.votingEndsAt
            ) open[found++] = i;
            if (contributionCount - i >= 24) break;
        }
        if (found != 0) id = open[seed % found];
    }

    /// `validator` judges contribution `id`. The verdict's weight is the validator's stake checkpoint
    /// just before the reveal; the verdict may fail (no stake then, unbonding, its own work, twice).
    function _attest(address validator, uint256 id, bool accept, uint8 quality) internal {
        if (id == 0) return;
        bytes32 contentHash = hashOf[id];
        IDatanetRegistry.Contribution memory c = registry.getContribution(contentHash);
        uint256 weight = staking.stakeAt(datanetId, validator, c.revealedAt - 1) / WEIGHT_UNIT;
        IAttestationRegistry.Reputation memory before = attestations.reputationOf(datanetId, c.contributor);
        IAttestationRegistry.Verdict memory v = IAttestationRegistry.Verdict(contentHash, accept, quality % 101, 1);
        vm.prank(validator);
        try attestations.attest(v) {
            if (weight == 0 || _verdicts[id][validator].attested || validator == c.contributor) ++ghostUnexpected;
            _verdicts[id][validator] = GhostVerdict(true, accept, weight);
            GhostTally storage t = _tallies[id];
            if (accept) t.acceptWeight += weight;
            else t.rejectWeight += weight;
            ++t.verdicts;
            if (registry.getContribution(contentHash).status != IDatanetRegistry.ContributionStatus.Pending) {
                t.closedEarly = true;
                _afterClose(id, c, before);
            }
        } catch {}
    }

    /// Closes one contribution whose window has ended.
    function _finalize(uint256 seed) internal {
        if (contributionCount == 0) return;
        uint256 start = seed % contributionCount;
        for (uint256 k = 0; k < contributionCount; ++k) {
            uint256 id = 1 + (start + k) % contributionCount;
            IDatanetRegistry.Contribution memory c = registry.getContribution(hashOf[id]);
            if (c.status != IDatanetRegistry.ContributionStatus.Pending || _now() < c.votingEndsAt) continue;
            IAttestationRegistry.Reputation memory before = attestations.reputationOf(datanetId, c.contributor);
            try attestations.finalize(hashOf[id]) {
                _afterClose(id, c, before);
            } catch {
                ++ghostUnexpected;
            }
            return;
        }
    }

    /// Books a closing: the bond's way (refund, or 20% treasury and 80% to the rejecting validators
    /// through the attestation contract), the settings it closed under, and the reputation's direction.
    function _afterClose(uint256 id, IDatanetRegistry.Contribution memory c, IAttestationRegistry.Reputation memory before)
        internal
    {
        IDatanetRegistry.Contribution memory closed = registry.getContribution(hashOf[id]);
        IDatanetRegistry.ContributionStatus status = closed.status;
        // The terms that judge a contribution are frozen at its reveal, whatever the policy says now.
        (_tallies[id].quorum, _tallies[id].thresholdBps) = (closed.quorum, closed.acceptanceThresholdBps);
        if (status == IDatanetRegistry.ContributionStatus.Rejected) {
            uint256 toTreasury = uint256(c.bond) * FORFEIT_TREASURY_BPS / BPS;
            ghostCredit[treasury] += toTreasury;
            ghostCredit[address(attestations)] += c.bond - toTreasury;
            _tallies[id].forfeit = c.bond - toTreasury;
            _onForfeit(c.contributor, c.bond, true);
        } else {
            ghostCredit[c.contributor] += c.bond;
        }
        // A rejection never raises a score and an expiry leaves it; an acceptance never lowers it unless
        // its quality is below the contributor's mean so far (ReputationMath weighs mean quality).
        IAttestationRegistry.Reputation memory after_ = attestations.reputationOf(datanetId, c.contributor);
        bool wrongWay;
        if (status == IDatanetRegistry.ContributionStatus.Accepted) {
            uint256 quality = after_.qualitySum - before.qualitySum;
            wrongWay = after_.score < before.score && quality * before.accepted >= before.qualitySum;
        } else if (status == IDatanetRegistry.ContributionStatus.Rejected) {
            wrongWay = after_.score > before.score;
        } else {
            wrongWay = after_.score != before.score;
        }
        if (wrongWay) ++ghostScoreMovedWrongWay;
    }

    /// Settles one of `validator`'s verdicts on a closed contribution, called by `caller` (anyone may),
    /// and checks what it earned against the rules: the verdict's weight in points for accepting
    /// accepted work, its stake share of the forfeit for rejecting rejected work, nothing otherwise.
    function _settle(address validator, address caller, uint256 seed) internal {
        if (contributionCount == 0) return;
        uint256 start = seed % contributionCount;
        for (uint256 k = 0; k < contributionCount; ++k) {
            uint256 id = 1 + (start + k) % contributionCount;
            (bool attested,, bool settled) = attestations.verdictOf(id, validator);
            IAttestationRegistry.Tally memory t = attestations.tallyOf(id);
            if (!attested || settled || t.outcome == IDatanetRegistry.ContributionStatus.Pending) continue;
            GhostVerdict memory g = _verdicts[id][validator];
            bool accepted = t.outcome == IDatanetRegistry.ContributionStatus.Accepted;
            bool rejected = t.outcome == IDatanetRegistry.ContributionStatus.Rejected;
            uint256 expectedPoints = g.accept && accepted ? g.weight : 0;
            uint256 expectedCredit = !g.accept && rejected ? _tallies[id].forfeit * g.weight / _tallies[id].rejectWeight : 0;
            uint256[] memory ids = new uint256[](1);
            ids[0] = id;
            vm.prank(caller);
            try attestations.settle(validator, ids) returns (uint256 points, uint256 paid) {
                if (points != expectedPoints || paid != expectedCredit) ++ghostUnexpected;
                ghostCredit[address(attestations)] -= paid;
                ghostCredit[validator] += paid;
                ghostSettledPoints[t.epoch] += points;
                if (points != 0 && pools.hasClaimed(datanetId, t.epoch, validator)) ghostSettledAfterClaim[t.epoch] = true;
                if (accepted || rejected) ++ghostSettledJudged;
                _onSettled(validator, id, t.epoch, points, paid);
            } catch {
                ++ghostUnexpected;
            }
            return;
        }
    }

    function _withdrawCredit(address account) internal {
        if (registry.creditOf(account) == 0) return;
        vm.prank(account);
        try registry.withdrawCredit() returns (uint256 paid) {
            if (paid != ghostCredit[account]) ++ghostUnexpected;
            ghostCredit[account] = 0;
            ghostWithdrawnBy[account] += paid;
        } catch {
            ++ghostUnexpected;
        }
    }

    function _stake(address validator, uint256 amount) internal {
        amount = _bound(amount, 1e18, 5_000e18);
        if (staking.stakeOf(datanetId, validator).unbondingEndsAt != 0) return;
        if (token.balanceOf(validator) < amount) return;
        vm.prank(validator);
        staking.stake(datanetId, amount);
    }

    function _unbondOrWithdraw(address validator) internal {
        ValidatorStaking.StakeInfo memory info = staking.stakeOf(datanetId, validator);
        if (info.amount == 0) return;
        vm.startPrank(validator);
        if (info.unbondingEndsAt == 0) staking.requestUnbond(datanetId);
        else if (_now() >= info.unbondingEndsAt) staking.withdraw(datanetId);
        vm.stopPrank();
    }

    function _slash(address validator, uint256 amount) internal {
        uint256 current = staking.stakeOf(datanetId, validator).amount;
        uint256 cap = current * staking.MAX_SLASH_BPS() / BPS;
        if (cap == 0) return;
        amount = _bound(amount, 1, cap);
        vm.prank(admin);
        staking.slash(datanetId, validator, amount, keccak256(abi.encode("incident", ++_incidents)));
        ghostSlashed += amount;
    }

    /// Funds the current or next epoch (the only ones whose terms are fixed).
    function _fund(address funder, uint256 amount, uint256 ahead) internal returns (uint256 funded) {
        amount = _bound(amount, 1, 1_000e18);
        if (token.balanceOf(funder) < amount) return 0;
        uint256 epoch = registry.currentEpoch(datanetId) + ahead % 2;
        vm.prank(funder);
        pools.fund(datanetId, epoch, amount);
        ghostFunded += amount;
        funded = amount;
    }

    /// Claims, like a real claimant, every epoch in the window where the account has something to claim.
    function _claim(address account) internal returns (uint256 paid) {
        uint256 current = registry.currentEpoch(datanetId);
        uint256 first = current > pools.claimWindowEpochs() ? current - pools.claimWindowEpochs() : 0;
        uint256[] memory epochs = new uint256[](current - first);
        uint256 count;
        for (uint256 epoch = first; epoch < current; ++epoch) {
            (uint256 c, uint256 v) = pools.claimable(datanetId, epoch, account);
            if (c + v > 0) epochs[count++] = epoch;
        }
        if (count == 0) return 0;
        assembly ("memory-safe") {
            mstore(epochs, count)
        }
        vm.prank(account);
        paid = pools.claim(datanetId, epochs);
        ghostClaimed += paid;
    }

    function _sweep(uint256 epochSeed) internal {
        uint256 current = registry.currentEpoch(datanetId);
        if (current == 0) return;
        uint256 epoch = epochSeed % current;
        RewardPools.Pool memory pool = pools.poolOf(datanetId, epoch);
        try pools.sweep(datanetId, epoch) {
            ghostSwept += uint256(pool.funded) - pool.claimed;
        } catch {}
    }

    /// A contributor lost a bond: withdrawn, lapsed, or (`rejected`) forfeited by a rejection.
    function _onForfeit(address contributor, uint256 bond, bool rejected) internal virtual {}

    /// A verdict was settled for `validator` on contribution `id`, closed in `epoch`.
    function _onSettled(address validator, uint256 id, uint256 epoch, uint256 points, uint256 credit)
        internal
        virtual
    {}

    /// Mostly minutes to hours (reveal and validation windows), sometimes up to two days (epochs).
    function _passTime(uint256 seed) internal {
        uint256 most = seed % 3 == 0 ? 2 days : 3 hours;
        vm.warp(_now() + _bound(seed >> 2, 1, most));
    }

    /// One contribution's whole life in one step, so that windows are met: commit, reveal a second
    /// later, wait for verdicts to open, judge `i` votes when bit i of `votes` is set and accepts when
    /// bit i of `accepts` is, and when `runOut` the window ends and someone finalizes.
    function _lifecycle(
        address contributor,
        bool junk,
        uint256 items,
        address[] memory judges,
        uint256 votes,
        uint256 accepts,
        bool runOut
    ) internal {
        if (!_commit(contributor, items, junk)) return;
        vm.warp(_now() + 1);
        _reveal(_commits.length - 1);
        vm.warp(_now() + registry.REVEAL_WINDOW());
        uint256 id = contributionCount;
        for (uint256 i = 0; i < judges.length; ++i) {
            if ((votes >> i) & 1 == 0) continue;
            _attest(judges[i], id, (accepts >> i) & 1 == 1, uint8(votes >> (8 + 8 * i)));
        }
        if (runOut) {
            uint256 endsAt = registry.getContribution(hashOf[id]).votingEndsAt;
            if (endsAt > _now()) vm.warp(endsAt);
            for (uint256 k = 0; k < 3; ++k) {
                _finalize(contributionCount - 1);
            }
        }
    }
}

/// Deploys the protocol for a handler and states the invariants every validation handler must keep.
abstract contract ProtocolInvariants is StdInvariant, TestClock {
    uint256 internal constant SUPPLY = 1_000_000_000e18;
    uint256 internal constant WEIGHT_UNIT = 1e15;

    OpenToken internal token;
    DatanetRegistry internal registry;
    ValidatorStaking internal staking;
    AttestationRegistry internal attestations;
    RewardPools internal pools;
    uint256 internal datanetId;
    address internal treasury = address(0x7EA5);

    function _deployProtocol(address datanetOwner, IDatanetRegistry.DatanetPolicy memory policy)
        internal
        returns (Protocol memory p)
    {
        vm.warp(1_700_000_000);
        token = new OpenToken(address(this));
        registry = new DatanetRegistry(token, treasury, address(this), 0);
        staking = new ValidatorStaking(token, registry, address(this), treasury, 1 days, 0);
        attestations = new AttestationRegistry(registry, staking);
        registry.bindValidation(attestations);
        pools = new RewardPools(token, registry, attestations, treasury, 3, address(this), 0);
        vm.prank(datanetOwner);
        datanetId = registry.createDatanet(IDatanetRegistry.DataKind.Text, "ipfs://inv", policy);
        p = Protocol(token, registry, staking, attestations, pools, datanetId, treasury, address(this));
    }

    /// Gives an actor OPEN and the approvals every action needs.
    function _equip(address actor, uint256 amount) internal {
        token.transfer(actor, amount);
        vm.startPrank(actor);
        token.approve(address(registry), type(uint256).max);
        token.approve(address(staking), type(uint256).max);
        token.approve(address(pools), type(uint256).max);
        vm.stopPrank();
    }

    function _policy(uint96 bond, uint16 quorum) internal pure returns (IDatanetRegistry.DatanetPolicy memory) {
        return IDatanetRegistry.DatanetPolicy({
            maxBytesPerContribution: 100,
            maxContributionsPerContributorPerEpoch: 10_000,
            maxBytesPerContributorPerEpoch: 1e12,
            maxBytesPerDatanetPerEpoch: 1e12,
            epochLength: 1 days,
            allowlistOnly: false,
            minValidatorStake: 1_000e18,
            quorum: quorum,
            acceptanceThresholdBps: 6_667,
            contributorRewardBps: 8_000,
            submissionBond: bond,
            validationWindow: 2 hours
        });
    }

    /// Judge `i` votes when bit i of `mask` is set, at `quality` (the encoding of `_lifecycle`).
    function _votes(uint256 mask, uint8 quality) internal pure returns (uint256 votes) {
        votes = mask;
        for (uint256 i = 0; i < 5; ++i) votes |= uint256(quality) << (8 + 8 * i);
    }

    function _accepts(uint256 acceptWeight, uint256 rejectWeight, uint256 thresholdBps) internal pure returns (bool) {
        return acceptWeight * 10_000 >= thresholdBps * (acceptWeight + rejectWeight);
    }

    /// No handler action that the rules say succeeds reverted, and none that must fail succeeded.
    function _assertNothingUnexpected(ProtocolHandler h) internal view {
        assertEq(h.ghostUnexpected(), 0, "an action went against the rules");
    }

    /// (a) Token conservation: the registry's OPEN is exactly the credits (each equal to its ghost) plus
    /// the bonds of pending contributions and unrevealed commitments; and no OPEN leaves the actors,
    /// the contracts and the treasury.
    function _assertRegistryHoldsBondsAndCredits(ProtocolHandler h) internal view {
        uint256 held;
        for (uint256 i = 0; i < h.commitCount(); ++i) {
            held += registry.getCommitment(h.committerAt(i), h.commitmentAt(i)).bond;
        }
        uint256 count = h.contributionCount();
        for (uint256 id = 1; id <= count; ++id) {
            IDatanetRegistry.Contribution memory c = registry.getContribution(h.hashOf(id));
            if (c.status == IDatanetRegistry.ContributionStatus.Pending) held += c.bond;
        }
        address[] memory accounts = h.accounts();
        uint256 credits = registry.creditOf(treasury) + registry.creditOf(address(attestations));
        assertEq(registry.creditOf(treasury), h.ghostCredit(treasury), "treasury credit");
        assertEq(registry.creditOf(address(attestations)), h.ghostCredit(address(attestations)), "forfeits held");
        uint256 balances = token.balanceOf(address(this)) + token.balanceOf(treasury) + token.balanceOf(address(h))
            + token.balanceOf(address(registry)) + token.balanceOf(address(staking)) + token.balanceOf(address(pools));
        for (uint256 i = 0; i < accounts.length; ++i) {
            uint256 credit = registry.creditOf(accounts[i]);
            assertEq(credit, h.ghostCredit(accounts[i]), "account credit");
            credits += credit;
            balances += token.balanceOf(accounts[i]);
        }
        assertEq(token.balanceOf(address(registry)), held + credits, "registry holds bonds + credits");
        assertEq(balances, SUPPLY, "supply");
    }

    /// (b) Outcomes follow stake. Each tally equals the handler's sum of stake checkpoints. An outcome
    /// reached at the window's close is the stake-weighted majority of the verdicts cast; an early
    /// close is the outcome the full tally gives whichever way the stake that did not vote goes (all of
    /// it against, all of it for). Expiry means fewer than quorum verdicts.
    /// (c) Validator epoch totals equal the settled points plus the unsettled accepting weights on
    /// accepted work closed in the epoch; rejections add nothing to them.
    function _assertOutcomesAndEpochTotals(ProtocolHandler h) internal view {
        uint256 current = registry.currentEpoch(datanetId);
        uint256[] memory acceptedWeight = new uint256[](current + 1);
        uint256[] memory unsettled = new uint256[](current + 1);
        address[] memory validators = h.validatorList();
        uint256 count = h.contributionCount();
        for (uint256 id = 1; id <= count; ++id) {
            IAttestationRegistry.Tally memory t = attestations.tallyOf(id);
            ProtocolHandler.GhostTally memory g = h.ghostTally(id);
            assertEq(t.acceptWeight, g.acceptWeight, "accept weight");
            assertEq(t.rejectWeight, g.rejectWeight, "reject weight");
            assertEq(t.verdicts, g.verdicts, "verdicts");
            assertEq(attestations.forfeitOf(id), g.forfeit, "forfeit left to the rejecting validators");
            IDatanetRegistry.ContributionStatus status = registry.getContribution(h.hashOf(id)).status;
            if (status == IDatanetRegistry.ContributionStatus.Expired) {
                assertLt(g.verdicts, g.quorum, "expired below quorum");
                assertFalse(g.closedEarly);
            } else if (
                status == IDatanetRegistry.ContributionStatus.Accepted
                    || status == IDatanetRegistry.ContributionStatus.Rejected
            ) {
                bool accepted = status == IDatanetRegistry.ContributionStatus.Accepted;
                assertEq(uint8(t.outcome), uint8(status), "tally outcome");
                assertGe(g.verdicts, g.quorum, "decided at quorum");
                if (g.closedEarly) {
                    _assertEarlyCloseIsFinal(t, g, accepted, validators, id);
                } else {
                    assertEq(accepted, _accepts(g.acceptWeight, g.rejectWeight, g.thresholdBps), "majority");
                }
                if (accepted) {
                    acceptedWeight[t.epoch] += t.acceptWeight;
                    for (uint256 i = 0; i < validators.length; ++i) {
                        ProtocolHandler.GhostVerdict memory v = h.ghostVerdict(id, validators[i]);
                        (,, bool settled) = attestations.verdictOf(id, validators[i]);
                        if (v.accept && !settled) unsettled[t.epoch] += v.weight;
                    }
                }
            } else {
                assertEq(uint8(t.outcome), uint8(t.verdicts == 0 ? 0 : 1), "open tally");
            }
        }
        for (uint256 epoch = 0; epoch <= current; ++epoch) {
            (, uint256 validatorTotal) = attestations.epochTotals(datanetId, epoch);
            uint256 settled;
            for (uint256 i = 0; i < validators.length; ++i) {
                (, uint256 points) = attestations.pointsOf(datanetId, epoch, validators[i]);
                settled += points;
            }
            assertEq(settled, h.ghostSettledPoints(epoch), "settled points");
            assertEq(validatorTotal, acceptedWeight[epoch], "epoch total is the accepting stake of accepted work");
            assertEq(validatorTotal, settled + unsettled[epoch], "settled + unsettled");
        }
    }

    function _assertEarlyCloseIsFinal(
        IAttestationRegistry.Tally memory t,
        ProtocolHandler.GhostTally memory g,
        bool accepted,
        address[] memory validators,
        uint256 id
    ) private view {
        assertEq(t.eligibleWeight, staking.totalStakeAt(datanetId, t.snapshotAt) / WEIGHT_UNIT, "eligible");
        uint256 silent = t.eligibleWeight - g.acceptWeight - g.rejectWeight;
        // Every validator that did not vote is inside the silent stake the early close allowed for.
        uint256 silentValidators;
        for (uint256 i = 0; i < validators.length; ++i) {
            (bool attested,,) = attestations.verdictOf(id, validators[i]);
            if (!attested) {
                silentValidators += staking.stakeAt(datanetId, validators[i], t.snapshotAt) / WEIGHT_UNIT;
            }
        }
        assertLe(silentValidators, silent, "silent stake");
        assertEq(_accepts(g.acceptWeight, g.rejectWeight + silent, g.thresholdBps), accepted, "all silent against");
        assertEq(_accepts(g.acceptWeight + silent, g.rejectWeight, g.thresholdBps), accepted, "all silent for");
    }

    /// Stakes add up to the total staked and to the OPEN the staking contract holds.
    function _assertStakesAddUp(ProtocolHandler h) internal view {
        address[] memory validators = h.validatorList();
        uint256 sum;
        for (uint256 i = 0; i < validators.length; ++i) sum += staking.stakeOf(datanetId, validators[i]).amount;
        assertEq(sum, staking.totalStaked());
        assertEq(sum, token.balanceOf(address(staking)));
    }
}
