// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {OpenToken} from "../../contracts/OpenToken.sol";

/// Time as the chain sees it. Under via-IR the optimizer may reuse one read of `block.timestamp`
/// across a `vm.warp` in the same function, so tests that warp read the clock through the cheatcode.
abstract contract TestClock is Test {
    function _now() internal view returns (uint256) {
        return vm.getBlockTimestamp();
    }
}

/// Deploys OPEN and a registry with one bonded datanet, and submits through commit-reveal: the commit
/// pays the bond and reserves the quota; the reveal comes one second later.
abstract contract RegistryTestBase is TestClock {
    OpenToken internal token;
    DatanetRegistry internal registry;
    uint256 internal datanetId;
    uint256 internal nonce;
    address internal treasury = address(0x7EA5);

    uint32 internal constant EPOCH = 1 days;
    uint64 internal constant MAX_ITEM = 100;
    uint32 internal constant MAX_COUNT = 3;
    uint64 internal constant MAX_CONTRIBUTOR_BYTES = 250;
    uint64 internal constant MAX_DATANET_BYTES = 400;
    uint96 internal constant BOND = 1e18;
    uint32 internal constant VALIDATION_WINDOW = 1 hours;

    /// Deploys the token (whole supply to this contract) and the registry, and creates the datanet.
    function _deployRegistry() internal {
        vm.warp(1_700_000_000);
        token = new OpenToken(address(this));
        registry = new DatanetRegistry(token, treasury, address(this), 0);
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
            contributorRewardBps: 8_000,
            submissionBond: BOND,
            validationWindow: VALIDATION_WINDOW
        });
    }

    function _commitment(address contributor, bytes32 contentHash, bytes32 salt) internal view returns (bytes32) {
        return _commitmentOn(datanetId, contributor, contentHash, salt);
    }

    /// The commitment formula of IDatanetRegistry.commitSubmission for one item.
    function _commitmentOn(uint256 datanet, address contributor, bytes32 contentHash, bytes32 salt)
        internal
        pure
        returns (bytes32)
    {
        bytes32[] memory hashes = new bytes32[](1);
        hashes[0] = contentHash;
        return keccak256(abi.encode(contributor, datanet, keccak256(abi.encodePacked(hashes)), salt));
    }

    /// Fresh content and salt.
    function _newContent(uint64 sizeBytes) internal returns (bytes32 contentHash, bytes32 salt) {
        contentHash = keccak256(abi.encode("content", ++nonce, sizeBytes));
        salt = bytes32(nonce);
    }

    /// Sends `amount` OPEN from this contract to `contributor` and has it approve the registry.
    function _payBond(address contributor, uint256 amount) internal {
        if (amount != 0) token.transfer(contributor, amount);
        vm.prank(contributor);
        token.approve(address(registry), type(uint256).max);
    }

    /// Commits one item of `sizeBytes` (reserving exactly that) with its bond, and moves one second on
    /// so the reveal is in a later second.
    function _commitNext(address contributor, uint64 sizeBytes) internal returns (bytes32 contentHash, bytes32 salt) {
        (contentHash, salt) = _newContent(sizeBytes);
        _payBond(contributor, BOND);
        vm.prank(contributor);
        registry.commitSubmission(datanetId, _commitment(contributor, contentHash, salt), 1, sizeBytes);
        vm.warp(_now() + 1);
    }
}
