// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";

/// Deploys a registry with one datanet and submits through commit-reveal, rolling one block between.
abstract contract RegistryTestBase is Test {
    DatanetRegistry internal registry;
    uint256 internal datanetId;
    uint256 internal nonce;

    uint32 internal constant EPOCH = 1 days;
    uint64 internal constant MAX_ITEM = 100;
    uint32 internal constant MAX_COUNT = 3;
    uint64 internal constant MAX_CONTRIBUTOR_BYTES = 250;
    uint64 internal constant MAX_DATANET_BYTES = 400;

    function _deployRegistry() internal {
        vm.warp(1_700_000_000);
        registry = new DatanetRegistry(address(this), 0);
        datanetId = registry.createDatanet(IDatanetRegistry.DataKind.Text, "ipfs://datanet", _policy());
    }

    function _policy() internal pure returns (IDatanetRegistry.DatanetPolicy memory) {
        return IDatanetRegistry.DatanetPolicy({
            maxBytesPerContribution: MAX_ITEM,
            maxContributionsPerContributorPerEpoch: MAX_COUNT,
            maxBytesPerContributorPerEpoch: MAX_CONTRIBUTOR_BYTES,
            maxBytesPerDatanetPerEpoch: MAX_DATANET_BYTES,
            epochLength: EPOCH,
            allowlistOnly: false,
            minValidatorStake: 1e18,
            quorum: 2,
            acceptanceThresholdBps: 6_667,
            contributorRewardBps: 8_000
        });
    }

    function _commitment(address contributor, bytes32 contentHash, bytes32 salt) internal view returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](1);
        hashes[0] = contentHash;
        return keccak256(abi.encode(contributor, datanetId, keccak256(abi.encodePacked(hashes)), salt));
    }

    /// Commits in this block and rolls to the next, ready for the reveal.
    function _commitNext(address contributor, uint64 sizeBytes) internal returns (bytes32 contentHash, bytes32 salt) {
        contentHash = keccak256(abi.encode("content", ++nonce, sizeBytes));
        salt = bytes32(nonce);
        vm.prank(contributor);
        registry.commitSubmission(_commitment(contributor, contentHash, salt));
        vm.roll(block.number + 1);
    }
}
