// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StdInvariant} from "forge-std/StdInvariant.sol";

import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {RegistryTestBase} from "./RegistryTestBase.sol";

/// Drives the registry with submissions (valid or not), withdrawals and time, keeping ghost totals.
contract QuotaHandler is RegistryTestBase {
    address[4] public actors = [address(0x1001), address(0x1002), address(0x1003), address(0x1004)];
    bytes32[] public registered;
    uint256 public ghostWithdrawn;
    mapping(uint256 epoch => uint256 bytesUsed) public ghostDatanetBytes;
    mapping(uint256 epoch => mapping(address actor => uint256 bytesUsed)) public ghostContributorBytes;

    constructor(DatanetRegistry registry_, uint256 datanetId_) {
        registry = registry_;
        datanetId = datanetId_;
    }

    function submit(uint256 actorSeed, uint64 sizeBytes) external {
        address actor = actors[actorSeed % actors.length];
        sizeBytes = uint64(bound(sizeBytes, 0, MAX_ITEM + 20));
        (bytes32 contentHash, bytes32 salt) = _commitNext(actor, sizeBytes);
        uint256 epoch = registry.currentEpoch(datanetId);
        vm.prank(actor);
        try registry.submit(datanetId, contentHash, sizeBytes, "ipfs://inv", salt) {
            registered.push(contentHash);
            ghostDatanetBytes[epoch] += sizeBytes;
            ghostContributorBytes[epoch][actor] += sizeBytes;
        } catch {}
    }

    function withdraw(uint256 indexSeed) external {
        if (registered.length == 0) return;
        bytes32 contentHash = registered[indexSeed % registered.length];
        IDatanetRegistry.Contribution memory c = registry.getContribution(contentHash);
        if (c.status != IDatanetRegistry.ContributionStatus.Pending) return;
        vm.prank(c.contributor);
        registry.withdraw(contentHash);
        ++ghostWithdrawn;
    }

    function registeredCount() external view returns (uint256) {
        return registered.length;
    }

    function passTime(uint256 hoursSeed) external {
        vm.warp(block.timestamp + bound(hoursSeed, 1, 30) * 1 hours);
    }

    function actorAt(uint256 i) external view returns (address) {
        return actors[i];
    }
}

/// Quota accounting invariants, each an equality between the registry and the handler's ghost totals.
contract QuotaInvariantsTest is StdInvariant, RegistryTestBase {
    QuotaHandler internal handler;

    function setUp() public {
        _deployRegistry();
        handler = new QuotaHandler(registry, datanetId);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](3);
        selectors[0] = QuotaHandler.submit.selector;
        selectors[1] = QuotaHandler.withdraw.selector;
        selectors[2] = QuotaHandler.passTime.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function invariant_ContributionCountEqualsSuccessfulSubmissions() public view {
        uint256 count = handler.registeredCount();
        assertEq(registry.contributionCount(), count);
        for (uint256 i = 0; i < count; ++i) {
            assertEq(registry.getContribution(handler.registered(i)).id, i + 1, "ids are sequential");
        }
    }

    function invariant_DatanetBytesEqualThisEpochsSubmissions() public view {
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
}
