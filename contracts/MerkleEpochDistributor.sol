// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IMerkleEpoch} from "./interfaces/IMerkleEpoch.sol";
import {IMerkleEpochDistributor} from "./interfaces/IMerkleEpochDistributor.sol";
import {TokenPull} from "./libraries/TokenPull.sol";
import {MerkleEpoch} from "./MerkleEpoch.sol";

/// @title MerkleEpochDistributor
/// @notice Posts Merkle epochs, each its own funded MerkleEpoch contract. See IMerkleEpochDistributor.
/// @dev A deployment per epoch (about 400,000 gas, paid once by the poster) buys every claimant
/// an immutable root: claims read no root slot and write no running total. Posting needs no role:
/// a poster can only fill its own namespace and pays every root's total, so an open door lets
/// nobody take another's ids or reach another's funds.
contract MerkleEpochDistributor is IMerkleEpochDistributor, ReentrancyGuardTransient {
    /// @notice The paid token (OPEN).
    IERC20 public immutable token;
    /// @notice Receives what expired epochs leave behind.
    address public immutable treasury;
    /// @notice Seconds from a root's posting until its claims stop and it may be swept.
    uint40 public immutable claimWindow;

    mapping(address poster => mapping(uint256 poolId => mapping(uint256 epoch => address))) private _epochs;

    /// @param token_ The paid token.
    /// @param treasury_ Receives swept funds.
    /// @param claimWindow_ Seconds from posting until claims stop (1 day .. 10 years).
    constructor(IERC20 token_, address treasury_, uint40 claimWindow_) {
        if (address(token_) == address(0) || treasury_ == address(0)) revert ZeroAddress();
        if (claimWindow_ < 1 days || claimWindow_ > 3_650 days) revert InvalidClaimWindow(claimWindow_);
        token = token_;
        treasury = treasury_;
        claimWindow = claimWindow_;
    }

    /// @inheritdoc IMerkleEpochDistributor
    function postRoot(
        uint256 poolId,
        uint256 epoch,
        bytes32 root,
        uint256 total,
        uint256 maxLeafAmount,
        bytes32 recordsHash
    ) external nonReentrant returns (address) {
        return _postRoot(poolId, epoch, root, total, maxLeafAmount, recordsHash);
    }

    /// @inheritdoc IMerkleEpochDistributor
    function postRootWithPermit(
        uint256 poolId,
        uint256 epoch,
        bytes32 root,
        uint256 total,
        uint256 maxLeafAmount,
        bytes32 recordsHash,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (address) {
        TokenPull.tryPermit(address(token), total, deadline, v, r, s);
        return _postRoot(poolId, epoch, root, total, maxLeafAmount, recordsHash);
    }

    /// @inheritdoc IMerkleEpochDistributor
    function claimMany(Claim[] calldata claims) external {
        for (uint256 i = 0; i < claims.length; ++i) {
            Claim calldata c = claims[i];
            address epoch = _epochs[c.poster][c.poolId][c.epoch];
            if (epoch == address(0)) revert RootNotPosted(c.poster, c.poolId, c.epoch);
            IMerkleEpoch(epoch).claim(c.index, c.account, c.amount, c.proof);
        }
    }

    /// @inheritdoc IMerkleEpochDistributor
    function epochContract(address poster, uint256 poolId, uint256 epoch) external view returns (address) {
        return _epochs[poster][poolId][epoch];
    }

    function _postRoot(
        uint256 poolId,
        uint256 epoch,
        bytes32 root,
        uint256 total,
        uint256 maxLeafAmount,
        bytes32 recordsHash
    ) private returns (address created) {
        if (root == bytes32(0) || total == 0) revert EmptyRoot();
        if (maxLeafAmount == 0 || maxLeafAmount > total) revert InvalidLeafCap(maxLeafAmount, total);
        if (_epochs[msg.sender][poolId][epoch] != address(0)) revert RootAlreadyPosted(msg.sender, poolId, epoch);
        uint40 expiresAt = uint40(block.timestamp) + claimWindow;
        created = address(
            new MerkleEpoch(
                IMerkleEpoch.EpochTerms({
                    poster: msg.sender,
                    poolId: poolId,
                    epoch: epoch,
                    root: root,
                    total: total,
                    maxLeafAmount: maxLeafAmount,
                    expiresAt: expiresAt,
                    token: address(token),
                    treasury: treasury
                })
            )
        );
        _epochs[msg.sender][poolId][epoch] = created;
        emit RootPosted(msg.sender, poolId, epoch, created, root, total, maxLeafAmount, recordsHash, expiresAt);
        TokenPull.pullExactly(token, msg.sender, created, total);
    }
}
