// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StdInvariant} from "forge-std/StdInvariant.sol";
import {Test} from "forge-std/Test.sol";

import {IMerkleEpoch} from "../../contracts/interfaces/IMerkleEpoch.sol";
import {IMerkleEpochDistributor} from "../../contracts/interfaces/IMerkleEpochDistributor.sol";
import {AccountTrie} from "../../contracts/libraries/AccountTrie.sol";
import {MerkleEpoch} from "../../contracts/MerkleEpoch.sol";
import {MerkleEpochDistributor} from "../../contracts/MerkleEpochDistributor.sol";
import {OpenToken} from "../../contracts/OpenToken.sol";

function prefixOf(address account, uint256 depth) pure returns (uint256) {
    return uint256(uint160(account)) >> (160 - depth);
}

/// An honest account-keyed trie built in Solidity, independently of the SDK: accounts sorted by
/// address, each leaf at the shallowest depth where its prefix is unique, leaf i = the i-th account.
contract AccountTrieOf {
    address[] public accounts;
    uint256[] public amounts;
    uint256[] public depths;
    bytes32 public root;
    uint256 public total;
    mapping(uint256 depth => mapping(uint256 prefix => bytes32 node)) internal _nodes;

    /// `size` distinct pseudo-random accounts with amounts of 1 wei .. 1e24.
    constructor(uint256 seed, uint256 size) {
        for (uint256 i = 0; i < size; ++i) {
            address account = address(uint160(uint256(keccak256(abi.encode(seed, "account", i)))));
            uint256 j = accounts.length;
            accounts.push(account);
            while (j > 0 && accounts[j - 1] > account) {
                accounts[j] = accounts[j - 1];
                --j;
            }
            accounts[j] = account;
            amounts.push(1 + uint256(keccak256(abi.encode(seed, "amount", i))) % 1e24);
            depths.push(0);
            total += amounts[i];
        }
        root = _build(0, size, 0);
    }

    function count() external view returns (uint256) {
        return accounts.length;
    }

    /// The siblings from leaf `i`'s depth up to depth 1.
    function proof(uint256 i) external view returns (bytes32[] memory path) {
        uint256 depth = depths[i];
        path = new bytes32[](depth);
        for (uint256 k = depth; k >= 1; --k) path[depth - k] = _nodes[k][prefixOf(accounts[i], k) ^ 1];
    }

    function _build(uint256 lo, uint256 hi, uint256 depth) private returns (bytes32 node) {
        if (hi - lo == 1) {
            depths[lo] = depth;
            node = AccountTrie.leafHash(lo, accounts[lo], amounts[lo]);
        } else {
            uint256 mid = lo;
            while (mid < hi && prefixOf(accounts[mid], depth + 1) & 1 == 0) ++mid;
            bytes32 left = mid > lo ? _build(lo, mid, depth + 1) : bytes32(0);
            bytes32 right = mid < hi ? _build(mid, hi, depth + 1) : bytes32(0);
            node = keccak256(abi.encodePacked(left, right));
        }
        _nodes[depth][prefixOf(accounts[lo], depth)] = node;
    }
}

/// Claims (direct, batched, repeated, forged, under another account), donations, time and sweeping
/// on one epoch, with ghost totals.
contract MerkleHandler is Test {
    MerkleEpochDistributor internal distributor;
    MerkleEpoch internal epoch;
    OpenToken internal token;
    AccountTrieOf public trie;
    address internal poster;
    uint256 public ghostClaimed;
    uint256 public ghostSwept;
    uint256 public ghostDonated;
    uint256 public ghostPaidAfterExpiry;
    mapping(uint256 index => uint256 times) public paidTimes;

    constructor(MerkleEpochDistributor distributor_, OpenToken token_, AccountTrieOf trie_, address poster_) {
        (distributor, token, trie, poster) = (distributor_, token_, trie_, poster_);
        epoch = MerkleEpoch(distributor.epochContract(poster, 1, 1));
    }

    function claim(uint256 indexSeed, uint256 caller) external {
        uint256 index = indexSeed % trie.count();
        vm.prank(address(uint160(bound(caller, 1, type(uint160).max))));
        try epoch.claim(index, trie.accounts(index), trie.amounts(index), trie.proof(index)) {
            _paid(index);
        } catch {}
    }

    function claimThroughDistributor(uint256 indexSeed) external {
        uint256 index = indexSeed % trie.count();
        IMerkleEpochDistributor.Claim[] memory claims = new IMerkleEpochDistributor.Claim[](1);
        claims[0] = IMerkleEpochDistributor.Claim(poster, 1, 1, index, trie.accounts(index), trie.amounts(index), trie.proof(index));
        try distributor.claimMany(claims) {
            _paid(index);
        } catch {}
    }

    function forge(uint256 indexSeed, uint256 extra) external {
        uint256 index = indexSeed % trie.count();
        uint256 amount = trie.amounts(index) + bound(extra, 1, 1e24);
        bytes32[] memory proof = trie.proof(index);
        vm.expectRevert();
        epoch.claim(index, trie.accounts(index), amount, proof);
    }

    /// Another account's leaf and proof, claimed for account `to`: its bits lead elsewhere.
    function claimAs(uint256 indexSeed, uint256 toSeed) external {
        uint256 index = indexSeed % trie.count();
        address to = trie.accounts(toSeed % trie.count());
        if (to == trie.accounts(index)) return;
        bytes32[] memory proof = trie.proof(index);
        vm.expectRevert();
        epoch.claim(index, to, trie.amounts(index), proof);
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
        ghostClaimed += trie.amounts(index);
        if (block.timestamp >= epoch.terms().expiresAt) ghostPaidAfterExpiry += trie.amounts(index);
    }
}

contract MerkleInvariantsTest is StdInvariant, Test {
    uint256 internal constant ACCOUNTS = 8;
    MerkleEpochDistributor internal distributor;
    MerkleEpoch internal epoch;
    OpenToken internal token;
    MerkleHandler internal handler;
    AccountTrieOf internal trie;
    address internal treasury = address(0x7EA5);

    function setUp() public {
        token = new OpenToken(address(this));
        distributor = new MerkleEpochDistributor(token, treasury, 90 days);
        trie = new AccountTrieOf(42, ACCOUNTS);
        token.approve(address(distributor), trie.total());
        epoch = MerkleEpoch(distributor.postRoot(1, 1, trie.root(), trie.total(), trie.total(), bytes32(0)));
        handler = new MerkleHandler(distributor, token, trie, address(this));
        token.transfer(address(handler), 1e26);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](7);
        selectors[0] = MerkleHandler.claim.selector;
        selectors[1] = MerkleHandler.claimThroughDistributor.selector;
        selectors[2] = MerkleHandler.forge.selector;
        selectors[3] = MerkleHandler.claimAs.selector;
        selectors[4] = MerkleHandler.donate.selector;
        selectors[5] = MerkleHandler.passTime.selector;
        selectors[6] = MerkleHandler.sweep.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// The hand-built trie is a valid one: every leaf claims with its proof, and the epoch ends empty.
    function test_EveryLeafClaimsOnce() public {
        for (uint256 i = 0; i < ACCOUNTS; ++i) {
            epoch.claim(i, trie.accounts(i), trie.amounts(i), trie.proof(i));
            assertEq(token.balanceOf(trie.accounts(i)), trie.amounts(i));
        }
        assertEq(token.balanceOf(address(epoch)), 0);
        assertEq(token.balanceOf(address(distributor)), 0);
    }

    /// claimed + unclaimed == the root's total.
    function invariant_ClaimedPlusUnclaimedEqualsTotal() public view {
        uint256 unclaimed;
        for (uint256 i = 0; i < ACCOUNTS; ++i) if (!epoch.isClaimed(i)) unclaimed += trie.amounts(i);
        assertEq(handler.ghostClaimed() + unclaimed, trie.total());
    }

    /// The epoch holds exactly its total plus donations, minus what was claimed and swept; the
    /// treasury got exactly what was swept; the distributor itself holds nothing.
    function invariant_BalanceIsTotalMinusPaidOut() public view {
        assertEq(
            token.balanceOf(address(epoch)),
            trie.total() + handler.ghostDonated() - handler.ghostClaimed() - handler.ghostSwept()
        );
        assertEq(token.balanceOf(treasury), handler.ghostSwept());
        assertEq(token.balanceOf(address(distributor)), 0);
    }

    /// No leaf is paid twice, every paid leaf reached its own account, and nothing is paid after expiry.
    function invariant_EachLeafPaidAtMostOnceToItsAccount() public view {
        for (uint256 i = 0; i < ACCOUNTS; ++i) {
            uint256 times = handler.paidTimes(i);
            assertLe(times, 1);
            assertEq(token.balanceOf(trie.accounts(i)), times * trie.amounts(i));
        }
        assertEq(handler.ghostPaidAfterExpiry(), 0);
    }
}

/// Properties of the trie format against any root, honest or not (fuzzed with the project's fixed seed).
contract MerkleTrieTest is Test {
    uint256 internal constant CAP = 1e18;
    /// Heap positions 1 .. 31: a binary tree of depth 4 whose shape the fuzzer picks.
    uint256 internal constant NODES = 32;
    uint8 internal constant EMPTY = 0;
    uint8 internal constant LEAF = 1;
    uint8 internal constant INTERNAL = 2;
    OpenToken internal token;
    MerkleEpochDistributor internal distributor;

    function setUp() public {
        token = new OpenToken(address(this));
        distributor = new MerkleEpochDistributor(token, address(0x7EA5), 90 days);
        token.approve(address(distributor), type(uint256).max);
    }

    /// Any root, honest or not: a poster places leaves paying CAP anywhere in a tree of depth 4,
    /// often several for one of two accounts. Each leaf is claimed with the proof of where it sits.
    /// It pays exactly when it sits on its account's own path, and then no other leaf of that
    /// account can: every account ends with at most one leaf's amount, the per-account cap.
    function testFuzz_AnyRootPaysAnAccountAtMostOnce(uint256 seed) public {
        address[2] memory repeated =
            [address(uint160(uint256(keccak256(abi.encode(seed, "x"))))), address(uint160(uint256(keccak256(abi.encode(seed, "y")))))];
        (uint8[NODES] memory kind, address[NODES] memory owner, bytes32[NODES] memory hashes, uint256 leaves) =
            _randomTree(seed, repeated);
        if (leaves == 0) return; // nothing to post
        MerkleEpoch epoch = MerkleEpoch(distributor.postRoot(seed, 0, hashes[1], leaves * CAP, CAP, bytes32(0)));
        for (uint256 h = 1; h < NODES; ++h) {
            if (kind[h] != LEAF) continue;
            (uint256 depth, uint256 prefix) = _position(h);
            bytes32[] memory proof = new bytes32[](depth);
            for (uint256 k = 0; k < depth; ++k) proof[k] = hashes[(h >> k) ^ 1];
            bool onItsPath = prefixOf(owner[h], depth) == prefix;
            uint256 before = token.balanceOf(owner[h]);
            try epoch.claim(h, owner[h], CAP, proof) {
                assertTrue(onItsPath, "a leaf off its account's path paid");
                assertEq(token.balanceOf(owner[h]), before + CAP);
            } catch (bytes memory reason) {
                assertFalse(onItsPath, "a leaf on its account's path did not pay");
                assertEq(reason, abi.encodeWithSelector(IMerkleEpoch.InvalidProof.selector, h, owner[h], CAP));
            }
        }
        for (uint256 h = 1; h < NODES; ++h) if (kind[h] == LEAF) assertLe(token.balanceOf(owner[h]), CAP);
        for (uint256 i = 0; i < 2; ++i) assertLe(token.balanceOf(repeated[i]), CAP);
    }

    /// An honest trie of 1 .. 16 accounts: each leaf pays once with its proof, and a proof one
    /// sibling too short or too long, or for another account, does not verify.
    function testFuzz_HonestTriePaysEachAccountOnce(uint256 seed, uint8 size) public {
        AccountTrieOf trie = new AccountTrieOf(seed, 1 + uint256(size) % 16);
        MerkleEpoch epoch = MerkleEpoch(distributor.postRoot(seed, 1, trie.root(), trie.total(), trie.total(), bytes32(0)));
        uint256 n = trie.count();
        for (uint256 i = 0; i < n; ++i) {
            (address account, uint256 amount, bytes32[] memory proof) = (trie.accounts(i), trie.amounts(i), trie.proof(i));
            bytes memory invalid = abi.encodeWithSelector(IMerkleEpoch.InvalidProof.selector, i, account, amount);
            bytes32[] memory longer = new bytes32[](proof.length + 1);
            for (uint256 k = 0; k < proof.length; ++k) longer[k] = proof[k];
            vm.expectRevert(invalid);
            epoch.claim(i, account, amount, longer);
            if (proof.length > 0) {
                bytes32[] memory shorter = new bytes32[](proof.length - 1);
                for (uint256 k = 0; k < shorter.length; ++k) shorter[k] = proof[k + 1];
                vm.expectRevert(invalid);
                epoch.claim(i, account, amount, shorter);
            }
            address other = trie.accounts((i + 1) % n);
            if (other != account) {
                vm.expectRevert(abi.encodeWithSelector(IMerkleEpoch.InvalidProof.selector, i, other, amount));
                epoch.claim(i, other, amount, proof);
            }
            epoch.claim(i, account, amount, proof);
            assertEq(token.balanceOf(account), amount);
            vm.expectRevert(abi.encodeWithSelector(IMerkleEpoch.AlreadyClaimed.selector, i));
            epoch.claim(i, account, amount, proof);
        }
        assertEq(token.balanceOf(address(epoch)), 0);
    }

    /// A proof longer than an address has bits is refused before any hashing.
    function test_ProofDeeperThanAnAddressIsRefused() public {
        AccountTrieOf trie = new AccountTrieOf(7, 3);
        MerkleEpoch epoch = MerkleEpoch(distributor.postRoot(7, 1, trie.root(), trie.total(), trie.total(), bytes32(0)));
        (address account, uint256 amount) = (trie.accounts(0), trie.amounts(0));
        vm.expectRevert(abi.encodeWithSelector(IMerkleEpoch.ProofTooDeep.selector, 161));
        epoch.claim(0, account, amount, new bytes32[](161));
    }

    /// A tree whose shape, accounts and hashes come from `seed`: the root is internal, below an
    /// internal node each child is empty, a leaf or (above depth 4) internal. A leaf's account is
    /// one of `repeated` (half the time), or a fresh account on the leaf's own path, or a random one.
    function _randomTree(uint256 seed, address[2] memory repeated)
        private
        pure
        returns (uint8[NODES] memory kind, address[NODES] memory owner, bytes32[NODES] memory hashes, uint256 leaves)
    {
        kind[1] = INTERNAL;
        for (uint256 h = 2; h < NODES; ++h) {
            if (kind[h >> 1] != INTERNAL) continue;
            uint256 r = uint256(keccak256(abi.encode(seed, "node", h)));
            kind[h] = uint8(r % (h < NODES / 2 ? 3 : 2));
            if (kind[h] != LEAF) continue;
            ++leaves;
            (uint256 depth, uint256 prefix) = _position(h);
            uint256 pick = (r >> 8) % 4;
            uint160 random = uint160(uint256(keccak256(abi.encode(seed, "owner", h))));
            owner[h] = pick < 2
                ? repeated[pick]
                : pick == 2 ? address(uint160((prefix << (160 - depth)) | (uint256(random) >> depth))) : address(random);
        }
        for (uint256 h = NODES - 1; h >= 1; --h) {
            if (kind[h] == LEAF) hashes[h] = AccountTrie.leafHash(h, owner[h], CAP);
            else if (kind[h] == INTERNAL) hashes[h] = keccak256(abi.encodePacked(hashes[2 * h], hashes[2 * h + 1]));
        }
    }

    function _position(uint256 h) private pure returns (uint256 depth, uint256 prefix) {
        while (h >> (depth + 1) != 0) ++depth;
        prefix = h ^ (1 << depth);
    }
}
