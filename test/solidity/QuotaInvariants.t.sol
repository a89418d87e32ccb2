// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StdInvariant} from "forge-std/StdInvariant.sol";

import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {RegistryTestBase} from "./RegistryTestBase.sol";

/// Drives the registry with submissions (valid or not), withdrawals and time, keeping ghost totals.
contract QuotaHandler is RegistryTestBase {
    address[4] public actors = [address(0x1001), address(0x1002), address(0x1003), address(0x1004)];
    uint256 public ghostSubmitted;
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
            ++ghostSubmitted;
            ghostDatanetBytes[epoch] += sizeBytes;
            ghostContributorBytes[epoch][actor] += sizeBytes;
        } catch {}
    }

    function withdraw(uint256 idSeed) external {
        uint256 total = registry.contributionCount();
        if (total == 0) return;
        uint256 id = 1 + (idSeed % total);
        IDatanetRegistry.Contribution memory c = registry.getContribution(id);
        if (c.status != IDatanetRegistry.ContributionStatus.Pending) return;
        vm.prank(c.contributor);
        registry.withdraw(id);
        ++ghostWithdrawn;
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
        assertEq(registry.contributionCount(), handler.ghostSubmitted());
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
        uint256 total = registry.contributionCount();
        for (uint256 id = 1; id <= total; ++id) {
            if (registry.getContribution(id).status == IDatanetRegistry.ContributionStatus.Withdrawn) ++withdrawn;
        }
        assertEq(withdrawn, handler.ghostWithdrawn());
    }
}
