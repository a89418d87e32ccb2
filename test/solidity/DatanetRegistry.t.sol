// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {RegistryTestBase} from "./RegistryTestBase.sol";

contract DatanetRegistryTest is RegistryTestBase {
    address[3] internal contributors = [address(0xA11CE), address(0xB0B), address(0xCA201)];

    function setUp() public {
        _deployRegistry();
    }

    function test_RevealInTheCommitmentSecondReverts() public {
        (bytes32 contentHash, bytes32 salt) = _newContent(10);
        bytes32 commitment = _commitment(address(this), contentHash, salt);
        token.approve(address(registry), BOND);
        registry.commitSubmission(datanetId, commitment, 1, 10);
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.CommitmentNotMatured.selector, commitment, _now())
        );
        registry.submit(datanetId, contentHash, 10, "ipfs://x", salt);
        vm.warp(_now() + 1);
        assertEq(registry.submit(datanetId, contentHash, 10, "ipfs://x", salt), 1);
    }

    /// The last second of the reveal window still reveals; the next one only lapses, and the lapse
    /// credits the bond to the treasury while the reserved quota stays used.
    function test_RevealWindowEndsExactlyAtRevealWindow() public {
        (bytes32 early, bytes32 earlySalt) = _commitNext(contributors[0], 10);
        (bytes32 late, bytes32 lateSalt) = _commitNext(contributors[1], 20);
        bytes32 lateCommitment = _commitment(contributors[1], late, lateSalt);
        uint256 lateCommittedAt = _now() - 1;
        // The first commitment was made one second before the second.
        vm.warp(lateCommittedAt - 1 + registry.REVEAL_WINDOW());
        vm.prank(contributors[0]);
        registry.submit(datanetId, early, 10, "ipfs://x", earlySalt);
        vm.warp(lateCommittedAt + registry.REVEAL_WINDOW() + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatanetRegistry.CommitmentLapsed.selector, lateCommitment, lateCommittedAt + registry.REVEAL_WINDOW()
            )
        );
        vm.prank(contributors[1]);
        registry.submit(datanetId, late, 20, "ipfs://x", lateSalt);

        registry.lapseCommitment(contributors[1], lateCommitment);
        assertEq(registry.creditOf(treasury), BOND);
        assertEq(registry.getCommitment(contributors[1], lateCommitment).committedAt, 0);
        assertEq(registry.contributorUsage(datanetId, contributors[1]).bytesUsed, 20);
        assertEq(token.balanceOf(address(registry)), 2 * uint256(BOND), "one pending bond, one credit");
    }

    function test_ACommitmentLapsesOnlyAfterItsWindow() public {
        (bytes32 contentHash, bytes32 salt) = _commitNext(contributors[0], 10);
        bytes32 commitment = _commitment(contributors[0], contentHash, salt);
        uint256 lapsesAt = registry.getCommitment(contributors[0], commitment).committedAt + registry.REVEAL_WINDOW();
        vm.warp(lapsesAt);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.CommitmentNotLapsed.selector, commitment, lapsesAt));
        registry.lapseCommitment(contributors[0], commitment);
        vm.warp(lapsesAt + 1);
        registry.lapseCommitment(contributors[0], commitment);
        assertEq(registry.creditOf(treasury), BOND);
    }

    /// The finalizer closes only as Accepted, Rejected or Expired; a rejection credits 20% to the
    /// treasury and 80% to the finalizer, which moves credit on; credit is withdrawn whole, once.
    function test_FinalizingCreditsTheBondAndCreditIsPulled() public {
        registry.grantRole(registry.FINALIZER_ROLE(), address(this));
        (bytes32 kept, bytes32 keptSalt) = _commitNext(contributors[0], 10);
        vm.prank(contributors[0]);
        registry.submit(datanetId, kept, 10, "ipfs://x", keptSalt);
        (bytes32 junk, bytes32 junkSalt) = _commitNext(contributors[1], 10);
        vm.prank(contributors[1]);
        registry.submit(datanetId, junk, 10, "ipfs://x", junkSalt);

        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.InvalidOutcome.selector, IDatanetRegistry.ContributionStatus.Pending)
        );
        registry.finalize(kept, IDatanetRegistry.ContributionStatus.Pending);
        registry.finalize(kept, IDatanetRegistry.ContributionStatus.Accepted);
        (, uint256 validatorsShare) = registry.finalize(junk, IDatanetRegistry.ContributionStatus.Rejected);
        assertEq(validatorsShare, BOND * 8 / 10);
        assertEq(registry.creditOf(address(this)), validatorsShare);
        assertEq(registry.creditOf(treasury), BOND * 2 / 10);

        vm.expectRevert(
            abi.encodeWithSelector(
                IDatanetRegistry.InsufficientCredit.selector, address(this), validatorsShare, validatorsShare + 1
            )
        );
        registry.transferCredit(contributors[2], validatorsShare + 1);
        registry.transferCredit(contributors[2], validatorsShare);

        vm.prank(contributors[0]);
        assertEq(registry.withdrawCredit(), BOND);
        assertEq(token.balanceOf(contributors[0]), BOND);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.NoCredit.selector, contributors[0]));
        vm.prank(contributors[0]);
        registry.withdrawCredit();
        assertEq(token.balanceOf(address(registry)), validatorsShare + BOND * 2 / 10, "credits still owed");
    }

    function test_DatanetIdsStopAtUint32Max() public {
        // _counters sits after AccessControl's `_roles` mapping and AccessControlDefaultAdminRules's two
        // packed slots (pending admin, its schedule and the current delay; current admin and pending
        // delay): slot 3, datanetCount at bits 56..87. The token and treasury are immutables, not slots.
        bytes32 packed = vm.load(address(registry), bytes32(uint256(3)));
        uint256 withMaxCount = uint256(packed) | (uint256(type(uint32).max) << 56);
        vm.store(address(registry), bytes32(uint256(3)), bytes32(withMaxCount));
        assertEq(registry.datanetCount(), type(uint32).max);
        vm.expectRevert(IDatanetRegistry.DatanetIdOverflow.selector);
        registry.createDatanet(IDatanetRegistry.DataKind.Other, "x", _policy());
    }

    /// Quota accounting across epoch boundaries, against a model of the three quotas, which are
    /// checked and reserved at commit in the commit's epoch. Each step moves time forward by 0-36
    /// hours, picks a contributor and a size, predicts the commit's outcome (a reservation larger than
    /// an item may be is refused first), commits, reveals exactly the reservation one second later, and
    /// compares the registry's usage views and token balance with the model.
    function testFuzz_QuotaAccountingAcrossEpochs(uint256 seed) public {
        uint256[3] memory count;
        uint256[3] memory bytesUsed;
        uint256[3] memory lastEpoch;
        uint256 datanetBytes;
        uint256 datanetEpoch;
        uint256 revealed;
        uint256 bonds;

        for (uint256 step = 0; step < 24; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            vm.warp(_now() + (r % 37) * 1 hours);
            uint256 who = (r >> 8) % 3;
            uint64 size = uint64((r >> 16) % 121);
            address contributor = contributors[who];
            (bytes32 contentHash, bytes32 salt) = _newContent(size);
            _payBond(contributor, BOND);

            uint256 epoch = registry.currentEpoch(datanetId);
            if (lastEpoch[who] != epoch) (count[who], bytesUsed[who], lastEpoch[who]) = (0, 0, epoch);
            if (datanetEpoch != epoch) (datanetBytes, datanetEpoch) = (0, epoch);

            bytes memory expected;
            if (size == 0 || size > MAX_ITEM) {
                expected = abi.encodeWithSelector(IDatanetRegistry.InvalidReservation.selector, 1, size);
            } else if (count[who] >= MAX_COUNT) {
                expected = abi.encodeWithSelector(
                    IDatanetRegistry.ContributorCountQuotaExceeded.selector,
                    datanetId, contributor, epoch, count[who], MAX_COUNT
                );
            } else if (bytesUsed[who] + size > MAX_CONTRIBUTOR_BYTES) {
                expected = abi.encodeWithSelector(
                    IDatanetRegistry.ContributorBytesQuotaExceeded.selector,
                    datanetId, contributor, epoch, bytesUsed[who], size, MAX_CONTRIBUTOR_BYTES
                );
            } else if (datanetBytes + size > MAX_DATANET_BYTES) {
                expected = abi.encodeWithSelector(
                    IDatanetRegistry.DatanetBytesQuotaExceeded.selector,
                    datanetId, epoch, datanetBytes, size, MAX_DATANET_BYTES
                );
            }

            if (expected.length > 0) vm.expectRevert(expected);
            vm.prank(contributor);
            registry.commitSubmission(datanetId, _commitment(contributor, contentHash, salt), 1, size);
            if (expected.length == 0) {
                ++count[who];
                bytesUsed[who] += size;
                datanetBytes += size;
                bonds += BOND;
                vm.warp(_now() + 1);
                ++revealed;
                vm.prank(contributor);
                registry.submit(datanetId, contentHash, size, "ipfs://fuzz", salt);
            }

            // The reveal's second may already be in the next epoch, where nothing is used yet.
            uint256 nowEpoch = registry.currentEpoch(datanetId);
            IDatanetRegistry.QuotaUsage memory usage = registry.contributorUsage(datanetId, contributor);
            assertEq(usage.epoch, nowEpoch, "epoch");
            assertEq(usage.contributions, lastEpoch[who] == nowEpoch ? count[who] : 0, "contributor count");
            assertEq(usage.bytesUsed, lastEpoch[who] == nowEpoch ? bytesUsed[who] : 0, "contributor bytes");
            assertEq(registry.datanetBytesUsed(datanetId), datanetEpoch == nowEpoch ? datanetBytes : 0, "datanet bytes");
            assertEq(registry.contributionCount(), revealed, "contributions");
            assertEq(token.balanceOf(address(registry)), bonds, "every successful commit's bond is held");
        }
    }

    /// The epoch is the number of whole epoch lengths since creation, whatever the time.
    function testFuzz_EpochArithmetic(uint32 elapsed) public {
        uint256 created = _now();
        vm.warp(created + elapsed);
        assertEq(registry.currentEpoch(datanetId), elapsed / EPOCH);
    }
}

/// Regression tests for a bug this suite found in the redesigned registry: a commitment was stored
/// under the datanet named in the call but looked up at reveal without checking it, and was not bound
/// to its committer. So a reservation on a bondless datanet served a bonded, allowlist-only one, and
/// anyone could occupy a victim's commitment seen in the mempool. Commitments are now kept per
/// committer and bound to their datanet.
contract DatanetRegistryCommitmentBindingTest is RegistryTestBase {
    address internal attacker = address(0xBAD);
    address internal victim = address(0xA11CE);
    uint256 internal loose;

    function setUp() public {
        _deployRegistry();
        // A datanet the attacker owns: no bond, roomy quotas.
        IDatanetRegistry.DatanetPolicy memory policy = _policy();
        policy.submissionBond = 0;
        vm.prank(attacker);
        loose = registry.createDatanet(IDatanetRegistry.DataKind.Other, "ipfs://loose", policy);
    }

    /// A commitment to a guarded datanet's submission, reserved on the bondless datanet, does not
    /// reveal on the guarded one: no bond, quota or allowlist can be skipped that way.
    function test_AReservationOnOneDatanetDoesNotServeAnother() public {
        IDatanetRegistry.DatanetPolicy memory policy = _policy();
        policy.allowlistOnly = true;
        uint256 guarded = registry.createDatanet(IDatanetRegistry.DataKind.Text, "ipfs://guarded", policy);
        (bytes32 contentHash, bytes32 salt) = _newContent(10);
        bytes32 commitment = _commitmentOn(guarded, attacker, contentHash, salt);

        vm.prank(attacker);
        registry.commitSubmission(loose, commitment, 1, 10);
        vm.warp(_now() + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.CommitmentNotFound.selector, commitment));
        vm.prank(attacker);
        registry.submit(guarded, contentHash, 10, "ipfs://x", salt);

        assertEq(registry.contributionIdOf(contentHash), 0, "nothing registered");
        assertEq(registry.getCommitment(attacker, commitment).datanetId, loose, "the reservation stays where it was made");
    }

    /// The attacker makes the victim's commitment first: it is the attacker's own (and can only
    /// lapse); the victim's commit and reveal go through untouched.
    function test_NobodyCanOccupyAnotherContributorsCommitment() public {
        (bytes32 contentHash, bytes32 salt) = _newContent(10);
        bytes32 commitment = _commitment(victim, contentHash, salt);
        vm.prank(attacker);
        registry.commitSubmission(loose, commitment, 1, 1);

        _payBond(victim, BOND);
        vm.prank(victim);
        registry.commitSubmission(datanetId, commitment, 1, 10);
        vm.warp(_now() + 1);
        vm.prank(victim);
        uint256 id = registry.submit(datanetId, contentHash, 10, "ipfs://x", salt);
        assertEq(registry.getContribution(contentHash).contributor, victim);
        assertEq(registry.getContribution(contentHash).bond, BOND);
        assertEq(id, 1);

        assertEq(registry.getCommitment(attacker, commitment).reservedBytes, 1, "the copy is the attacker's");
        vm.warp(_now() + registry.REVEAL_WINDOW());
        registry.lapseCommitment(attacker, commitment);
        assertEq(registry.getCommitment(attacker, commitment).committedAt, 0);
    }
}
