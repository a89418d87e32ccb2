// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StdInvariant} from "forge-std/StdInvariant.sol";

import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {OpenToken} from "../../contracts/OpenToken.sol";
import {RegistryTestBase} from "./RegistryTestBase.sol";

/// Drives the registry with commitments (valid or not), reveals (in time or not, fitting or not),
/// withdrawals, lapses and time, keeping ghost totals. Quotas are reserved at commit.
contract QuotaHandler is RegistryTestBase {
    struct Pending {
        address contributor;
        bytes32 contentHash;
        bytes32 salt;
        uint64 sizeBytes;
        bytes32 commitment;
    }

    address[4] public actors = [address(0x1001), address(0x1002), address(0x1003), address(0x1004)];
    bytes32[] public registered;
    Pending[] internal _commits;
    uint256 public ghostWithdrawn;
    uint256 public ghostToTreasury;
    mapping(uint256 epoch => uint256 bytesUsed) public ghostDatanetBytes;
    mapping(uint256 epoch => mapping(address actor => uint256 bytesUsed)) public ghostContributorBytes;

    constructor(OpenToken token_, DatanetRegistry registry_, uint256 datanetId_) {
        (token, registry, datanetId) = (token_, registry_, datanetId_);
    }

    /// Commits one item; the size is reserved as is, so a zero, oversized or over-quota size fails here.
    function commit(uint256 actorSeed, uint64 sizeBytes) external {
        address actor = actors[actorSeed % actors.length];
        sizeBytes = uint64(bound(sizeBytes, 0, MAX_ITEM + 20));
        (bytes32 contentHash, bytes32 salt) = _newContent(sizeBytes);
        _payBond(actor, BOND);
        bytes32 commitment = _commitment(actor, contentHash, salt);
        uint256 epoch = registry.currentEpoch(datanetId);
        vm.prank(actor);
        try registry.commitSubmission(datanetId, commitment, 1, sizeBytes) {
            _commits.push(Pending(actor, contentHash, salt, sizeBytes, commitment));
            ghostDatanetBytes[epoch] += sizeBytes;
            ghostContributorBytes[epoch][actor] += sizeBytes;
        } catch {}
    }

    /// Reveals a commitment; it may be too soon or too late, which must change nothing.
    function reveal(uint256 indexSeed) external {
        if (_commits.length == 0) return;
        Pending memory p = _commits[indexSeed % _commits.length];
        vm.prank(p.contributor);
        try registry.submit(datanetId, p.contentHash, p.sizeBytes, "ipfs://inv", p.salt) {
            registered.push(p.contentHash);
        } catch {}
    }

    function lapse(uint256 indexSeed) external {
        if (_commits.length == 0) return;
        Pending memory p = _commits[indexSeed % _commits.length];
        uint96 bond = registry.getCommitment(p.contributor, p.commitment).bond;
        try registry.lapseCommitment(p.contributor, p.commitment) {
            ghostToTreasury += bond;
        } catch {}
    }

    function withdraw(uint256 indexSeed) external {
        if (registered.length == 0) return;
        bytes32 contentHash = registered[indexSeed % registered.length];
        IDatanetRegistry.Contribution memory c = registry.getContribution(contentHash);
        if (c.status != IDatanetRegistry.ContributionStatus.Pending) return;
        if (_now() >= c.votingOpensAt) {
            vm.expectRevert(
                abi.encodeWithSelector(IDatanetRegistry.WithdrawalClosed.selector, contentHash, c.votingOpensAt)
            );
        } else {
            ++ghostWithdrawn;
            ghostToTreasury += c.bond;
        }
        vm.prank(c.contributor);
        registry.withdraw(contentHash);
    }

    function registeredCount() external view returns (uint256) {
        return registered.length;
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

    /// Seconds to a day and a half: reveals, withdrawals and lapses all fall on both sides of their limits.
    function passTime(uint256 secondsSeed) external {
        vm.warp(_now() + bound(secondsSeed, 1, 36 hours));
    }

    function actorAt(uint256 i) external view returns (address) {
        return actors[i];
    }
}

/// Quota and bond accounting invariants, each an equality between the registry and the handler's
/// ghost totals.
contract QuotaInvariantsTest is StdInvariant, RegistryTestBase {
    QuotaHandler internal handler;

    function setUp() public {
        _deployRegistry();
        handler = new QuotaHandler(token, registry, datanetId);
        token.transfer(address(handler), 1_000_000e18);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](5);
        selectors[0] = QuotaHandler.commit.selector;
        selectors[1] = QuotaHandler.reveal.selector;
        selectors[2] = QuotaHandler.withdraw.selector;
        selectors[3] = QuotaHandler.lapse.selector;
        selectors[4] = QuotaHandler.passTime.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function invariant_ContributionCountEqualsSuccessfulReveals() public view {
        uint256 count = handler.registeredCount();
        assertEq(registry.contributionCount(), count);
        for (uint256 i = 0; i < count; ++i) {
            assertEq(registry.getContribution(handler.registered(i)).id, i + 1, "ids are sequential");
        }
    }

    function invariant_DatanetBytesEqualThisEpochsReservations() public view {
        uint256 epoch = registry.currentEpoch(datanetId);
        assertEq(registry.datanetBytesUsed(datanetId), handler.ghostDatanetBytes(epoch));
    }

    function invariant_ContributorBytesSumToDatanetBytes() public view {
        uint256 epoch = registry.currentEpoch(datanetId);
        uint256 sum;
        for (uint256 i = 0; i < 4; ++i) {
            address actor = handler.actorAt(i);
            uint256 used = registry.contributorUsage(datanetId, actor).bytesUsed;
            assertEq(used, handler.ghostContributorBytes(epoch, actor));
            sum += used;
        }
        assertEq(sum, registry.datanetBytesUsed(datanetId));
    }

    function invariant_WithdrawnCountEqualsWithdrawals() public view {
        uint256 withdrawn;
        uint256 count = handler.registeredCount();
        for (uint256 i = 0; i < count; ++i) {
            bytes32 contentHash = handler.registered(i);
            if (registry.getContribution(contentHash).status == IDatanetRegistry.ContributionStatus.Withdrawn) {
                ++withdrawn;
            }
        }
        assertEq(withdrawn, handler.ghostWithdrawn());
    }

    /// The registry holds exactly the bonds of unrevealed commitments and pending contributions plus
    /// the credits (here only the treasury's: withdrawals and lapses), and the treasury's credit is
    /// exactly the bonds forfeited.
    function invariant_RegistryHoldsBondsPlusCredits() public view {
        uint256 held;
        for (uint256 i = 0; i < handler.commitCount(); ++i) {
            held += registry.getCommitment(handler.committerAt(i), handler.commitmentAt(i)).bond;
        }
        for (uint256 i = 0; i < handler.registeredCount(); ++i) {
            IDatanetRegistry.Contribution memory c = registry.getContribution(handler.registered(i));
            if (c.status == IDatanetRegistry.ContributionStatus.Pending) held += c.bond;
        }
        assertEq(registry.creditOf(treasury), handler.ghostToTreasury());
        assertEq(token.balanceOf(address(registry)), held + registry.creditOf(treasury));
    }
}
