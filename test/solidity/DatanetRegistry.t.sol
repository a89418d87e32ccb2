// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {RegistryTestBase} from "./RegistryTestBase.sol";

contract DatanetRegistryTest is RegistryTestBase {
    address[3] internal contributors = [address(0xA11CE), address(0xB0B), address(0xCA201)];

    function setUp() public {
        _deployRegistry();
    }

    function test_RevealInTheCommitmentBlockReverts() public {
        bytes32 contentHash = keccak256("same block");
        bytes32 commitment = _commitment(address(this), contentHash, bytes32(uint256(3)));
        registry.commitSubmission(commitment);
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.CommitmentNotMatured.selector, commitment, block.number)
        );
        registry.submit(datanetId, contentHash, 10, "ipfs://x", bytes32(uint256(3)));
        vm.roll(block.number + 1);
        assertEq(registry.submit(datanetId, contentHash, 10, "ipfs://x", bytes32(uint256(3))), 1);
    }

    function test_DatanetIdsStopAtUint32Max() public {
        // _counters sits after AccessControl's `_roles` mapping and AccessControlDefaultAdminRules's two
        // packed slots (pending admin, its schedule and the current delay; current admin and pending delay): slot 3, datanetCount at bits 56..87.
        bytes32 packed = vm.load(address(registry), bytes32(uint256(3)));
        uint256 withMaxCount = uint256(packed) | (uint256(type(uint32).max) << 56);
        vm.store(address(registry), bytes32(uint256(3)), bytes32(withMaxCount));
        assertEq(registry.datanetCount(), type(uint32).max);
        vm.expectRevert(IDatanetRegistry.DatanetIdOverflow.selector);
        registry.createDatanet(IDatanetRegistry.DataKind.Other, "x", _policy());
    }

    /// Quota accounting across epoch boundaries, against a model of the three quotas. Each step moves
    /// time forward by 0-36 hours, picks a contributor and a size, predicts the outcome, submits, and
    /// compares the registry's usage views with the model.
    function testFuzz_QuotaAccountingAcrossEpochs(uint256 seed) public {
        uint256[3] memory count;
        uint256[3] memory bytesUsed;
        uint256[3] memory lastEpoch;
        uint256 datanetBytes;
        uint256 datanetEpoch;
        uint256 accepted;

        for (uint256 step = 0; step < 24; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            vm.warp(block.timestamp + (r % 37) * 1 hours);
            uint256 who = (r >> 8) % 3;
            uint64 size = uint64(1 + ((r >> 16) % 120));
            address contributor = contributors[who];
            (bytes32 contentHash, bytes32 salt) = _commitNext(contributor, size);

            uint256 epoch = registry.currentEpoch(datanetId);
            if (lastEpoch[who] != epoch) (count[who], bytesUsed[who], lastEpoch[who]) = (0, 0, epoch);
            if (datanetEpoch != epoch) (datanetBytes, datanetEpoch) = (0, epoch);

            bytes memory expected;
            if (size > MAX_ITEM) {
                expected = abi.encodeWithSelector(
                    IDatanetRegistry.ContributionTooLarge.selector, contentHash, size, MAX_ITEM
                );
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
            registry.submit(datanetId, contentHash, size, "ipfs://fuzz", salt);
            if (expected.length == 0) {
                ++count[who];
                bytesUsed[who] += size;
                datanetBytes += size;
                ++accepted;
            }

            IDatanetRegistry.QuotaUsage memory usage = registry.contributorUsage(datanetId, contributor);
            assertEq(usage.epoch, epoch, "epoch");
            assertEq(usage.contributions, count[who], "contributor count");
            assertEq(usage.bytesUsed, bytesUsed[who], "contributor bytes");
            assertEq(registry.datanetBytesUsed(datanetId), datanetBytes, "datanet bytes");
            assertEq(registry.contributionCount(), accepted, "contributions");
        }
    }

    /// The epoch is the number of whole epoch lengths since creation, whatever the time.
    function testFuzz_EpochArithmetic(uint32 elapsed) public {
        uint256 created = block.timestamp;
        vm.warp(created + elapsed);
        assertEq(registry.currentEpoch(datanetId), elapsed / EPOCH);
    }
}
