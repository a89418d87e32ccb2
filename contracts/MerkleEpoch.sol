// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IMerkleEpoch} from "./interfaces/IMerkleEpoch.sol";
import {AccountTrie} from "./libraries/AccountTrie.sol";

/// @title MerkleEpoch
/// @notice One epoch's payouts. See IMerkleEpoch.
/// @dev Everything but the claimed bitmap is immutable, so a claim reads and writes one storage word:
/// the same cost model as Uniswap's MerkleDistributor, which also deploys one contract per
/// distribution. Holding its own balance is what bounds a claim: no counter of what is left is kept.
/// `claim` has no re-entrancy guard, which saves every claimant its transient-storage cost: it sets
/// the leaf's bit before its single external call (the transfer), so a claim re-entered from the
/// token finds the leaf claimed (`AlreadyClaimed`); any other leaf it claims is that leaf's own
/// payout, and `sweep` cannot run while claims are open. `sweep`, called once per epoch, keeps its guard.
contract MerkleEpoch is IMerkleEpoch, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    address private immutable _poster;
    uint256 private immutable _poolId;
    uint256 private immutable _epoch;
    bytes32 private immutable _root;
    uint256 private immutable _total;
    uint256 private immutable _maxLeafAmount;
    uint40 private immutable _expiresAt;
    IERC20 private immutable _token;
    address private immutable _treasury;

    mapping(uint256 word => uint256 bits) private _claimed;

    /// @param t The epoch's terms; the creator checks them and funds the epoch right after.
    constructor(EpochTerms memory t) {
        (_poster, _poolId, _epoch, _root, _total) = (t.poster, t.poolId, t.epoch, t.root, t.total);
        (_maxLeafAmount, _expiresAt, _token, _treasury) = (t.maxLeafAmount, t.expiresAt, IERC20(t.token), t.treasury);
    }

    /// @inheritdoc IMerkleEpoch
    function claim(uint256 index, address account, uint256 amount, bytes32[] calldata proof) external {
        if (block.timestamp >= _expiresAt) revert ClaimWindowClosed(_expiresAt);
        uint256 bit = 1 << (index & 0xff);
        uint256 word = _claimed[index >> 8];
        if (word & bit != 0) revert AlreadyClaimed(index);
        if (proof.length > AccountTrie.MAX_DEPTH) revert ProofTooDeep(proof.length);
        bytes32 leaf = AccountTrie.leafHash(index, account, amount);
        if (AccountTrie.processProof(leaf, account, proof) != _root) revert InvalidProof(index, account, amount);
        if (amount > _maxLeafAmount) revert LeafAboveCap(index, amount, _maxLeafAmount);
        _claimed[index >> 8] = word | bit;
        emit Claimed(account, index, amount);
        _token.safeTransfer(account, amount);
    }

    /// @inheritdoc IMerkleEpoch
    function sweep() external nonReentrant {
        if (block.timestamp < _expiresAt) revert ClaimWindowOpen(_expiresAt);
        uint256 left = _token.balanceOf(address(this));
        if (left == 0) revert NothingToSweep();
        emit Swept(left, _treasury);
        _token.safeTransfer(_treasury, left);
    }

    /// @inheritdoc IMerkleEpoch
    function isClaimed(uint256 index) external view returns (bool claimed) {
        claimed = _claimed[index >> 8] & (1 << (index & 0xff)) != 0;
    }

    /// @inheritdoc IMerkleEpoch
    function terms() external view returns (EpochTerms memory) {
        return EpochTerms({
            poster: _poster,
            poolId: _poolId,
            epoch: _epoch,
            root: _root,
            total: _total,
            maxLeafAmount: _maxLeafAmount,
            expiresAt: _expiresAt,
            token: address(_token),
            treasury: _treasury
        });
    }
}
