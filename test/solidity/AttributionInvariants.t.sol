// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StdInvariant} from "forge-std/StdInvariant.sol";
import {Test} from "forge-std/Test.sol";

import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {IModelFactory} from "../../contracts/interfaces/IModelFactory.sol";
import {IProofOfAttribution} from "../../contracts/interfaces/IProofOfAttribution.sol";
import {AccountTrie} from "../../contracts/libraries/AccountTrie.sol";
import {MerkleEpoch} from "../../contracts/MerkleEpoch.sol";
import {MerkleEpochDistributor} from "../../contracts/MerkleEpochDistributor.sol";
import {ModelFactory} from "../../contracts/ModelFactory.sol";
import {OpenToken} from "../../contracts/OpenToken.sol";
import {ProofOfAttribution} from "../../contracts/ProofOfAttribution.sol";
import {RegistryTestBase} from "./RegistryTestBase.sol";

/// Fees, proposals (one-leaf roots for a fixed recipient), rejections, releases, claims and
/// developer withdrawals on two models over several epochs, with ghost totals.
contract AttributionHandler is Test {
    ProofOfAttribution internal attribution;
    MerkleEpochDistributor internal distributor;
    OpenToken internal token;
    address public immutable recipient = address(0xC0FFEE);
    address[2] public developers;

    struct PoolKey {
        uint256 modelId;
        uint256 epoch;
    }

    PoolKey[] public pools;
    mapping(uint256 modelId => mapping(uint256 epoch => bool)) internal known;
    uint256 public ghostFees;
    uint256 public ghostReleasedFees;
    uint256 public ghostToTreasury;
    uint256 public ghostClaimed;
    uint256 public ghostWithdrawn;
    uint256 public ghostReleasedMerkle;

    constructor(ProofOfAttribution attribution_, MerkleEpochDistributor distributor_, OpenToken token_, address[2] memory developers_) {
        (attribution, distributor, token, developers) = (attribution_, distributor_, token_, developers_);
        token.approve(address(attribution), type(uint256).max);
    }

    address internal constant GUARDIAN = address(0x6A4D);

    function poolCount() external view returns (uint256) {
        return pools.length;
    }

    function pay(uint256 modelSeed, uint256 amount) external {
        uint256 modelId = 1 + modelSeed % 2;
        amount = bound(amount, 10_000, 1e24);
        IProofOfAttribution.FeePayment[] memory payments = new IProofOfAttribution.FeePayment[](1);
        payments[0] = IProofOfAttribution.FeePayment(modelId, amount, keccak256(abi.encode(amount)));
        attribution.payFees(payments);
        ghostFees += amount;
        uint256 epoch = attribution.currentEpoch();
        if (!known[modelId][epoch]) {
            known[modelId][epoch] = true;
            pools.push(PoolKey(modelId, epoch));
        }
    }

    function propose(uint256 poolSeed, uint256 fractionBps) external {
        if (pools.length == 0) return;
        PoolKey memory key = pools[poolSeed % pools.length];
        IProofOfAttribution.SplitAmounts memory parts = attribution.splitAmounts(key.modelId, key.epoch);
        uint256 total = (parts.contributors + parts.validators) * bound(fractionBps, 1, 10_000) / 10_000;
        if (total == 0) total = 1;
        bytes32 root = AccountTrie.leafHash(key.epoch, recipient, total); // one account: the leaf is the root
        try attribution.proposeAttribution(key.modelId, key.epoch, root, total, bytes32(0)) {} catch {}
    }

    function reject(uint256 poolSeed) external {
        if (pools.length == 0) return;
        PoolKey memory key = pools[poolSeed % pools.length];
        // The guardian is another account than the attributor (this handler): the contract insists.
        vm.prank(GUARDIAN);
        try attribution.rejectAttribution(key.modelId, key.epoch, "test") {} catch {}
    }

    function release(uint256 poolSeed) external {
        if (pools.length == 0) return;
        PoolKey memory key = pools[poolSeed % pools.length];
        IProofOfAttribution.FeePool memory pool = attribution.feePool(key.modelId, key.epoch);
        IProofOfAttribution.SplitAmounts memory parts = attribution.splitAmounts(key.modelId, key.epoch);
        try attribution.releaseAttribution(key.modelId, key.epoch) returns (address epochContract) {
            ghostReleasedFees += pool.fees;
            ghostReleasedMerkle += pool.merkleTotal;
            ghostToTreasury += parts.protocol + parts.contributors + parts.validators - pool.merkleTotal;
            // The one leaf pays `recipient` unless it breaks the cap.
            try MerkleEpoch(epochContract).claim(key.epoch, recipient, pool.merkleTotal, new bytes32[](0)) {
                ghostClaimed += pool.merkleTotal;
            } catch {}
        } catch {}
    }

    function withdraw(uint256 developerSeed) external {
        address developer = developers[developerSeed % 2];
        uint256 owed = attribution.earningsOf(developer);
        vm.prank(developer);
        try attribution.withdrawEarnings() {
            ghostWithdrawn += owed;
        } catch {}
    }

    function passTime(uint256 hoursSeed) external {
        vm.warp(block.timestamp + bound(hoursSeed, 1, 72) * 1 hours);
    }
}

contract AttributionInvariantsTest is StdInvariant, RegistryTestBase {
    ProofOfAttribution internal attribution;
    MerkleEpochDistributor internal distributor;
    AttributionHandler internal handler;
    address[2] internal developers = [address(0xD1), address(0xD2)];

    function setUp() public {
        _deployRegistry();
        registry.grantRole(registry.FINALIZER_ROLE(), address(this));
        (bytes32 contentHash, bytes32 salt) = _commitNext(address(0xA1), 10);
        vm.prank(address(0xA1));
        registry.submit(datanetId, contentHash, 10, "ipfs://x", salt);
        registry.finalize(contentHash, IDatanetRegistry.ContributionStatus.Accepted);
        registry.publishVersion(datanetId, keccak256("root"), 1, "ipfs://v1");

        ModelFactory factory = new ModelFactory(registry);
        distributor = new MerkleEpochDistributor(token, treasury, 30 days);
        attribution = new ProofOfAttribution(
            token,
            factory,
            distributor,
            treasury,
            IProofOfAttribution.Roles(address(this), address(this), address(0x6A4D)),
            500,
            1 days,
            1 days,
            0
        );
        factory.registerBaseModel(IModelFactory.BaseModelSpec("base", "llama", 1e9, keccak256("w"), "", ""));
        for (uint256 i = 0; i < 2; ++i) {
            vm.prank(developers[i]);
            factory.registerModel(1, "m", _spec());
        }
        // Model 1 has no per-recipient cap, so its one-leaf roots can be claimed; model 2 keeps 25%.
        vm.prank(developers[0]);
        attribution.setFeeSplit(1, IProofOfAttribution.FeeSplit(7_000, 2_000, 500, 10_000));

        handler = new AttributionHandler(attribution, distributor, token, developers);
        attribution.grantRole(attribution.ATTRIBUTOR_ROLE(), address(handler));
        token.transfer(address(handler), 1e27 / 2);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](6);
        selectors[0] = AttributionHandler.pay.selector;
        selectors[1] = AttributionHandler.propose.selector;
        selectors[2] = AttributionHandler.reject.selector;
        selectors[3] = AttributionHandler.release.selector;
        selectors[4] = AttributionHandler.withdraw.selector;
        selectors[5] = AttributionHandler.passTime.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function _spec() private pure returns (IModelFactory.FineTuneSpec memory spec) {
        string[] memory modules = new string[](1);
        modules[0] = "q_proj";
        IModelFactory.DatanetVersionRef[] memory data = new IModelFactory.DatanetVersionRef[](1);
        data[0] = IModelFactory.DatanetVersionRef(1, 1);
        spec = IModelFactory.FineTuneSpec(
            IModelFactory.Hyperparameters(0, 16, 32, 500, 4, 2e14, 3_000, 4, 4, 2_048, modules, "cosine", "llama3"), data, keccak256("adapter"), "", 0
        );
    }

    /// Every pool's four parts add up to its fees exactly.
    function invariant_SplitsAddUpToTheFees() public view {
        for (uint256 i = 0; i < handler.poolCount(); ++i) {
            (uint256 modelId, uint256 epoch) = handler.pools(i);
            IProofOfAttribution.SplitAmounts memory parts = attribution.splitAmounts(modelId, epoch);
            assertEq(parts.contributors + parts.developer + parts.validators + parts.protocol, attribution.feePool(modelId, epoch).fees);
        }
    }

    /// The contract holds exactly the fees not yet released plus developer earnings not yet withdrawn.
    function invariant_HoldsUnreleasedFeesPlusUnwithdrawnEarnings() public view {
        uint256 owed = attribution.earningsOf(developers[0]) + attribution.earningsOf(developers[1]);
        assertEq(token.balanceOf(address(attribution)), handler.ghostFees() - handler.ghostReleasedFees() + owed);
    }

    /// Every released wei went to a Merkle epoch, a developer or the treasury, and nowhere else.
    function invariant_ReleasedFeesAreFullyAccounted() public view {
        uint256 developerParts = attribution.earningsOf(developers[0]) + attribution.earningsOf(developers[1]) + handler.ghostWithdrawn();
        assertEq(handler.ghostReleasedMerkle() + developerParts + handler.ghostToTreasury(), handler.ghostReleasedFees());
        assertEq(token.balanceOf(treasury), handler.ghostToTreasury());
    }

    /// Merkle epochs hold what they were posted with, minus what was claimed.
    function invariant_EpochsHoldPostedMinusClaimed() public view {
        uint256 held;
        for (uint256 i = 0; i < handler.poolCount(); ++i) {
            (uint256 modelId, uint256 epoch) = handler.pools(i);
            address epochContract = distributor.epochContract(address(attribution), attribution.poolIdOf(modelId), epoch);
            if (epochContract != address(0)) held += token.balanceOf(epochContract);
        }
        assertEq(held + handler.ghostClaimed(), handler.ghostReleasedMerkle());
        assertEq(token.balanceOf(handler.recipient()), handler.ghostClaimed());
    }
}
