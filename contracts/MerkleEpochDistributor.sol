// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IMerkleEpochDistributor} from "./interfaces/IMerkleEpochDistributor.sol";
import {PermitPull} from "./libraries/PermitPull.sol";

/// @title MerkleEpochDistributor
/// @notice Epoch payouts computed off-chain and claimed with proofs. See IMerkleEpochDistributor.
/// @dev A claim reads and writes one slot, `{root (160) | remaining (96)}`, plus one bitmap word.
/// Only the first 20 bytes of the root are stored: finding another tree whose root shares them
/// takes about 2^160 hashes. `remaining` is zero until the epoch is fully funded, then the root's
/// total, and every claim takes its amount from it, so claims can never pay more than was funded.
contract MerkleEpochDistributor is IMerkleEpochDistributor, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice May post roots.
    bytes32 public constant POSTER_ROLE = keccak256("POSTER_ROLE");

    /// @notice The paid token (OPEN).
    IERC20 public immutable token;
    /// @notice Receives what expired epochs leave behind.
    address public immutable treasury;
    /// @notice Seconds from a root's posting until its epoch may be swept.
    uint40 public immutable claimWindow;

    struct ClaimSlot {
        bytes20 root;
        uint96 remaining;
    }

    struct Funding {
        uint128 total;
        uint128 funded;
    }

    struct Lifetime {
        uint40 expiresAt;
        bool swept;
    }

    mapping(uint256 poolId => mapping(uint256 epoch => ClaimSlot)) private _claimSlots;
    mapping(uint256 poolId => mapping(uint256 epoch => Funding)) private _funding;
    mapping(uint256 poolId => mapping(uint256 epoch => Lifetime)) private _lifetimes;
    mapping(uint256 poolId => mapping(uint256 epoch => mapping(uint256 word => uint256 bits))) private _claimed;

    /// @param token_ The paid token.
    /// @param treasury_ Receives swept funds.
    /// @param admin Receives DEFAULT_ADMIN_ROLE and POSTER_ROLE.
    /// @param claimWindow_ Seconds from posting until sweeping is allowed (1 day .. 10 years).
    constructor(IERC20 token_, address treasury_, address admin, uint40 claimWindow_) {
        if (address(token_) == address(0) || treasury_ == address(0) || admin == address(0)) revert ZeroAddress();
        if (claimWindow_ < 1 days || claimWindow_ > 3_650 days) revert InvalidClaimWindow(claimWindow_);
        token = token_;
        treasury = treasury_;
        claimWindow = claimWindow_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(POSTER_ROLE, admin);
    }

    /// @inheritdoc IMerkleEpochDistributor
    function postRoot(uint256 poolId, uint256 epoch, bytes32 root, uint256 total, bytes32 recordsHash)
        external
        onlyRole(POSTER_ROLE)
    {
        if (root == bytes32(0) || bytes20(root) == bytes20(0) || total == 0) revert EmptyRoot();
        if (total > type(uint96).max) revert TotalTooLarge(total);
        if (_claimSlots[poolId][epoch].root != bytes20(0)) revert RootAlreadyPosted(poolId, epoch);
        _claimSlots[poolId][epoch].root = bytes20(root);
        _funding[poolId][epoch].total = uint128(total);
        uint40 expiresAt = uint40(block.timestamp) + claimWindow;
        _lifetimes[poolId][epoch].expiresAt = expiresAt;
        emit RootPosted(poolId, epoch, root, total, recordsHash, expiresAt, msg.sender);
    }

    /// @inheritdoc IMerkleEpochDistributor
    function fund(uint256 poolId, uint256 epoch, uint256 amount) external nonReentrant {
        _fund(poolId, epoch, amount);
    }

    /// @inheritdoc IMerkleEpochDistributor
    function fundWithPermit(
        uint256 poolId,
        uint256 epoch,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant {
        PermitPull.tryPermit(address(token), amount, deadline, v, r, s);
        _fund(poolId, epoch, amount);
    }

    /// @inheritdoc IMerkleEpochDistributor
    function claim(
        uint256 poolId,
        uint256 epoch,
        uint256 index,
        address account,
        uint256 amount,
        bytes32[] calldata proof
    ) external nonReentrant {
        _claim(poolId, epoch, index, account, amount, proof);
    }

    /// @inheritdoc IMerkleEpochDistributor
    function claimMany(Claim[] calldata claims) external nonReentrant {
        for (uint256 i = 0; i < claims.length; ++i) {
            Claim calldata c = claims[i];
            _claim(c.poolId, c.epoch, c.index, c.account, c.amount, c.proof);
        }
    }

    /// @inheritdoc IMerkleEpochDistributor
    function sweep(uint256 poolId, uint256 epoch) external nonReentrant {
        ClaimSlot storage slot = _claimSlots[poolId][epoch];
        if (slot.root == bytes20(0)) revert RootNotPosted(poolId, epoch);
        Lifetime storage lifetime = _lifetimes[poolId][epoch];
        if (lifetime.swept) revert AlreadySwept(poolId, epoch);
        if (block.timestamp < lifetime.expiresAt) revert ClaimWindowOpen(poolId, epoch, lifetime.expiresAt);
        Funding memory funding = _funding[poolId][epoch];
        // Fully funded: what claims left. Never fully funded: claims never opened, all of it.
        uint256 left = funding.funded == funding.total ? slot.remaining : funding.funded;
        slot.remaining = 0;
        lifetime.swept = true;
        emit EpochSwept(poolId, epoch, left, treasury);
        if (left > 0) token.safeTransfer(treasury, left);
    }

    /// @inheritdoc IMerkleEpochDistributor
    function isClaimed(uint256 poolId, uint256 epoch, uint256 index) public view returns (bool claimed) {
        claimed = _claimed[poolId][epoch][index >> 8] & (1 << (index & 0xff)) != 0;
    }

    /// @inheritdoc IMerkleEpochDistributor
    function epochInfo(uint256 poolId, uint256 epoch) external view returns (EpochInfo memory info) {
        ClaimSlot memory slot = _claimSlots[poolId][epoch];
        Funding memory funding = _funding[poolId][epoch];
        Lifetime memory lifetime = _lifetimes[poolId][epoch];
        info = EpochInfo({
            root: slot.root,
            remaining: slot.remaining,
            total: funding.total,
            funded: funding.funded,
            expiresAt: lifetime.expiresAt,
            swept: lifetime.swept
        });
    }

    function _fund(uint256 poolId, uint256 epoch, uint256 amount) private {
        if (amount == 0) revert ZeroAmount();
        ClaimSlot storage slot = _claimSlots[poolId][epoch];
        if (slot.root == bytes20(0)) revert RootNotPosted(poolId, epoch);
        Lifetime memory lifetime = _lifetimes[poolId][epoch];
        if (lifetime.swept || block.timestamp >= lifetime.expiresAt) {
            revert ClaimWindowClosed(poolId, epoch, lifetime.expiresAt);
        }
        Funding storage funding = _funding[poolId][epoch];
        uint256 total = funding.total;
        uint256 funded = funding.funded;
        if (funded + amount > total) revert FundingExceedsTotal(poolId, epoch, funded, amount, total);
        // funded + amount <= total < 2^96, checked just above.
        funding.funded = uint128(funded + amount);
        if (funded + amount == total) slot.remaining = uint96(total);
        emit EpochFunded(poolId, epoch, msg.sender, amount, funded + amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    function _claim(
        uint256 poolId,
        uint256 epoch,
        uint256 index,
        address account,
        uint256 amount,
        bytes32[] calldata proof
    ) private {
        ClaimSlot memory slot = _claimSlots[poolId][epoch];
        if (slot.root == bytes20(0)) revert RootNotPosted(poolId, epoch);
        mapping(uint256 => uint256) storage words = _claimed[poolId][epoch];
        uint256 bit = 1 << (index & 0xff);
        uint256 word = words[index >> 8];
        if (word & bit != 0) revert AlreadyClaimed(poolId, epoch, index);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(index, account, amount))));
        if (bytes20(MerkleProof.processProofCalldata(proof, leaf)) != slot.root) {
            revert InvalidProof(poolId, epoch, index, account, amount);
        }
        if (amount > slot.remaining) _revertUnclaimable(poolId, epoch, slot.remaining, amount);

        words[index >> 8] = word | bit;
        // amount <= remaining, checked above.
        _claimSlots[poolId][epoch].remaining = slot.remaining - uint96(amount);
        emit Claimed(poolId, epoch, account, index, amount, msg.sender);
        token.safeTransfer(account, amount);
    }

    /// @dev Explains why a valid leaf cannot be paid: not yet fully funded, swept, or a posted total
    /// smaller than the leaves add up to.
    function _revertUnclaimable(uint256 poolId, uint256 epoch, uint256 remaining, uint256 amount) private view {
        Funding memory funding = _funding[poolId][epoch];
        if (funding.funded < funding.total) revert NotFullyFunded(poolId, epoch, funding.funded, funding.total);
        Lifetime memory lifetime = _lifetimes[poolId][epoch];
        if (lifetime.swept) revert ClaimWindowClosed(poolId, epoch, lifetime.expiresAt);
        revert EpochExhausted(poolId, epoch, remaining, amount);
    }
}
