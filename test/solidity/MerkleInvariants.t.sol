// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StdInvariant} from "forge-std/StdInvariant.sol";
import {Test} from "forge-std/Test.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

import {MerkleEpoch} from "../../contracts/MerkleEpoch.sol";
import {MerkleEpochDistributor} from "../../contracts/MerkleEpochDistributor.sol";
import {IMerkleEpochDistributor} from "../../contracts/interfaces/IMerkleEpochDistributor.sol";
import {OpenToken} from "../../contracts/OpenToken.sol";

/// An 8-leaf StandardMerkleTree built in Solidity (commutative pair hashing over double-hashed leaves).
contract EightLeafTree {
    uint256 internal constant LEAVES = 8;
    bytes32[LEAVES] internal leafHashes;
    address[LEAVES] public accounts;
    uint256[LEAVES] public amounts;
    bytes32 public root;
    uint256 public total;

    constructor(uint256 seed) {
        bytes32[LEAVES] memory level;
        for (uint256 i = 0; i < LEAVES; ++i) {
            accounts[i] = address(uint160(uint256(keccak256(abi.encode(seed, "account", i)))));
            amounts[i] = 1 + uint256(keccak256(abi.encode(seed, "amount", i))) % 1e24;
            total += amounts[i];
            leafHashes[i] = keccak256(bytes.concat(keccak256(abi.encode(i, accounts[i], amounts[i]))));
            level[i] = leafHashes[i];
        }
        for (uint256 width = LEAVES; width > 1; width /= 2) {
            for (uint256 i = 0; i < width / 2; ++i) level[i] = Hashes.commutativeKeccak256(level[2 * i], level[2 * i + 1]);
        }
        root = level[0];
    }

    /// The sibling path of leaf `index` in the balanced tree above.
    function proof(uint256 index) external view returns (bytes32[] memory path) {
        path = new bytes32[](3);
        bytes32[LEAVES] memory level = leafHashes;
        uint256 position = index;
        for (uint256 width = LEAVES; width > 1; width /= 2) {
            path[_depth(width)] = level[position ^ 1];
            for (uint256 i = 0; i < width / 2; ++i) level[i] = Hashes.commutativeKeccak256(level[2 * i], level[2 * i + 1]);
            position /= 2;
        }
    }

    function _depth(uint256 width) private pure returns (uint256) {
        return width == 8 ? 0 : width == 4 ? 1 : 2;
    }
}

/// Claims (direct, batched, repeated, forged), donations, time and sweeping on one epoch, with ghost totals.
contract MerkleHandler is Test {
    MerkleEpochDistributor internal distributor;
    MerkleEpoch internal epoch;
    OpenToken internal token;
    EightLeafTree public tree;
    uint256 public ghostClaimed;
    uint256 public ghostSwept;
    uint256 public ghostDonated;
    uint256 public ghostPaidAfterExpiry;
    mapping(uint256 index => uint256 times) public paidTimes;

    constructor(MerkleEpochDistributor distributor_, OpenToken token_, EightLeafTree tree_) {
        (distributor, token, tree) = (distributor_, token_, tree_);
        epoch = MerkleEpoch(distributor.epochContract(1, 1));
    }

    function claim(uint256 indexSeed, uint256 caller) external {
        uint256 index = indexSeed % 8;
        vm.prank(address(uint160(bound(caller, 1, type(uint160).max))));
        try epoch.claim(index, tree.accounts(index), tree.amounts(index), tree.proof(index)) {
            _paid(index);
        } catch {}
    }

    function claimThroughDistributor(uint256 indexSeed) external {
        uint256 index = indexSeed % 8;
        IMerkleEpochDistributor.Claim[] memory claims = new IMerkleEpochDistributor.Claim[](1);
        claims[0] = IMerkleEpochDistributor.Claim(1, 1, index, tree.accounts(index), tree.amounts(index), tree.proof(index));
        try distributor.claimMany(claims) {
            _paid(index);
        } catch {}
    }

    function forge(uint256 indexSeed, uint256 extra) external {
        uint256 index = indexSeed % 8;
        uint256 amount = tree.amounts(index) + bound(extra, 1, 1e24);
        bytes32[] memory proof = tree.proof(index);
        vm.expectRevert();
        epoch.claim(index, tree.accounts(index), amount, proof);
    }

    /// Tokens sent straight to the epoch (by mistake or as a gift) are swept, never claimed.
    function donate(uint256 amount) external {
        amount = bound(amount, 1, 1e21);
        token.transfer(address(epoch), amount);
        ghostDonated += amount;
    }

    function passTime(uint256 days_) external {
        vm.warp(block.timestamp + bound(days_, 1, 60) * 1 days);
    }

    function sweep() external {
        uint256 balance = token.balanceOf(address(epoch));
        try epoch.sweep() {
            ghostSwept += balance;
        } catch {}
    }

    function _paid(uint256 index) private {
        ++paidTimes[index];
        ghostClaimed += tree.amounts(index);
        if (block.timestamp >= epoch.terms().expiresAt) ghostPaidAfterExpiry += tree.amounts(index);
    }
}

contract MerkleInvariantsTest is StdInvariant, Test {
    MerkleEpochDistributor internal distributor;
    MerkleEpoch internal epoch;
    OpenToken internal token;
    MerkleHandler internal handler;
    EightLeafTree internal tree;
    address internal treasury = address(0x7EA5);

    function setUp() public {
        token = new OpenToken(address(this));
        distributor = new MerkleEpochDistributor(token, treasury, address(this), 90 days);
        tree = new EightLeafTree(42);
        token.approve(address(distributor), tree.total());
        epoch = MerkleEpoch(distributor.postRoot(1, 1, tree.root(), tree.total(), tree.total(), bytes32(0)));
        handler = new MerkleHandler(distributor, token, tree);
        token.transfer(address(handler), 1e26);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](6);
        selectors[0] = MerkleHandler.claim.selector;
        selectors[1] = MerkleHandler.claimThroughDistributor.selector;
        selectors[2] = MerkleHandler.forge.selector;
        selectors[3] = MerkleHandler.donate.selector;
        selectors[4] = MerkleHandler.passTime.selector;
        selectors[5] = MerkleHandler.sweep.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// The hand-built tree is a valid one: every leaf claims with its proof, and the epoch ends empty.
    function test_EveryLeafClaimsOnce() public {
        for (uint256 i = 0; i < 8; ++i) {
            epoch.claim(i, tree.accounts(i), tree.amounts(i), tree.proof(i));
            assertEq(token.balanceOf(tree.accounts(i)), tree.amounts(i));
        }
        assertEq(token.balanceOf(address(epoch)), 0);
        assertEq(token.balanceOf(address(distributor)), 0);
    }

    /// claimed + unclaimed == the root's total.
    function invariant_ClaimedPlusUnclaimedEqualsTotal() public view {
        uint256 unclaimed;
        for (uint256 i = 0; i < 8; ++i) if (!epoch.isClaimed(i)) unclaimed += tree.amounts(i);
        assertEq(handler.ghostClaimed() + unclaimed, tree.total());
    }

    /// The epoch holds exactly its total plus donations, minus what was claimed and swept; the
    /// treasury got exactly what was swept; the distributor itself holds nothing.
    function invariant_BalanceIsTotalMinusPaidOut() public view {
        assertEq(
            token.balanceOf(address(epoch)),
            tree.total() + handler.ghostDonated() - handler.ghostClaimed() - handler.ghostSwept()
        );
        assertEq(token.balanceOf(treasury), handler.ghostSwept());
        assertEq(token.balanceOf(address(distributor)), 0);
    }

    /// No leaf is paid twice, every paid leaf reached its own account, and nothing is paid after expiry.
    function invariant_EachLeafPaidAtMostOnceToItsAccount() public view {
        for (uint256 i = 0; i < 8; ++i) {
            uint256 times = handler.paidTimes(i);
            assertLe(times, 1);
            assertEq(token.balanceOf(tree.accounts(i)), times * tree.amounts(i));
        }
        assertEq(handler.ghostPaidAfterExpiry(), 0);
    }
}
