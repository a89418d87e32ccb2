// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IAttestationRegistry} from "./interfaces/IAttestationRegistry.sol";
import {IDatanetRegistry} from "./interfaces/IDatanetRegistry.sol";
import {IRewardPools} from "./interfaces/IRewardPools.sol";
import {TokenPull} from "./libraries/TokenPull.sol";
import {RewardMath} from "./libraries/RewardMath.sol";
import {BoundedPause} from "./utils/BoundedPause.sol";

/// @title RewardPools
/// @notice OPEN reward pools per datanet epoch. See IRewardPools.
/// @dev A claim costs the same whatever the number of participants: it reads the account's points
/// and the epoch totals from the attestation contract, sets one bit and updates one pool slot per
/// epoch, and makes one transfer. Funding is credited by the balance actually received, so a
/// fee-on-transfer token cannot make the pool promise more than it holds.
/// The admin only manages the pauser (PAUSER_ROLE may stop funding, claims and sweeps for a bounded time).
contract RewardPools is IRewardPools, AccessControlDefaultAdminRules, BoundedPause, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The reward token (OPEN).
    IERC20 public immutable token;
    /// @notice Where datanet epochs and reward splits come from.
    IDatanetRegistry public immutable registry;
    /// @notice Where points come from.
    IAttestationRegistry public immutable attestations;
    /// @notice Receives swept remainders.
    address public immutable treasury;
    /// @notice Epochs after an epoch ends during which it can be claimed.
    uint32 public immutable claimWindowEpochs;

    /// @dev A datanet's creation time and epoch length, which never change: cached at its first
    /// funding so a claim reads one slot instead of calling the registry.
    struct EpochClock {
        uint40 createdAt;
        uint32 epochLength;
    }

    mapping(uint256 datanetId => EpochClock) private _clocks;
    mapping(uint256 datanetId => mapping(uint256 epoch => Pool)) private _pools;
    mapping(uint256 datanetId => mapping(address account => mapping(uint256 word => uint256 bits))) private _claimed;

    /// @param token_ The reward token.
    /// @param registry_ The datanet registry.
    /// @param attestations_ The attestation contract that records points.
    /// @param treasury_ Receives swept remainders.
    /// @param claimWindowEpochs_ Epochs an ended epoch stays claimable (at least 1).
    /// @param admin Receives DEFAULT_ADMIN_ROLE and PAUSER_ROLE.
    /// @param adminDelay Seconds a new admin waits before accepting the role.
    constructor(
        IERC20 token_,
        IDatanetRegistry registry_,
        IAttestationRegistry attestations_,
        address treasury_,
        uint32 claimWindowEpochs_,
        address admin,
        uint48 adminDelay
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (
            address(token_) == address(0) || address(registry_) == address(0) || address(attestations_) == address(0)
                || treasury_ == address(0)
        ) revert ZeroAddress();
        if (claimWindowEpochs_ == 0) revert InvalidClaimWindow(0);
        token = token_;
        registry = registry_;
        attestations = attestations_;
        treasury = treasury_;
        claimWindowEpochs = claimWindowEpochs_;
        _grantRole(PAUSER_ROLE, admin);
    }

    /// @inheritdoc IRewardPools
    function fund(uint256 datanetId, uint256 epoch, uint256 amount) external whenNotPaused nonReentrant {
        _fund(datanetId, epoch, amount);
    }

    /// @inheritdoc IRewardPools
    function fundWithPermit(
        uint256 datanetId,
        uint256 epoch,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused nonReentrant {
        TokenPull.tryPermit(address(token), amount, deadline, v, r, s);
        _fund(datanetId, epoch, amount);
    }

    /// @inheritdoc IRewardPools
    function claim(uint256 datanetId, uint256[] calldata epochs)
        external
        whenNotPaused
        nonReentrant
        returns (uint256 paid)
    {
        if (epochs.length == 0) revert NoEpochs();
        uint256 current = _currentEpoch(datanetId);
        mapping(uint256 => uint256) storage claimedWords = _claimed[datanetId][msg.sender];
        for (uint256 i = 0; i < epochs.length; ++i) {
            uint256 epoch = epochs[i];
            _checkClaimable(datanetId, epoch, current);
            uint256 bit = 1 << (epoch & 0xff);
            uint256 word = claimedWords[epoch >> 8];
            if (word & bit != 0) continue;

            Pool storage pool = _pools[datanetId][epoch];
            (uint256 contributorShare, uint256 validatorShare) = _shares(datanetId, epoch, msg.sender, pool);
            uint256 amount = contributorShare + validatorShare;
            // An epoch that pays nothing yet (a validator that has not settled) stays claimable.
            if (amount == 0) continue;
            claimedWords[epoch >> 8] = word | bit;
            // Shares round down from `funded`, so the sum of all claims stays within it (< 2^104).
            pool.claimed += uint104(amount);
            paid += amount;
            emit RewardsClaimed(datanetId, epoch, msg.sender, contributorShare, validatorShare);
        }
        if (paid == 0) revert NothingToClaim(datanetId, msg.sender);
        token.safeTransfer(msg.sender, paid);
    }

    /// @inheritdoc IRewardPools
    function sweep(uint256 datanetId, uint256 epoch) external whenNotPaused nonReentrant {
        uint256 current = _currentEpoch(datanetId);
        uint256 lastClaimEpoch = epoch + claimWindowEpochs;
        if (current <= lastClaimEpoch) revert ClaimPeriodNotOver(datanetId, epoch, lastClaimEpoch);
        Pool storage pool = _pools[datanetId][epoch];
        if (pool.swept) revert PoolAlreadySwept(datanetId, epoch);
        uint256 left = uint256(pool.funded) - pool.claimed;
        pool.swept = true;
        emit RewardsSwept(datanetId, epoch, left, treasury);
        if (left > 0) token.safeTransfer(treasury, left);
    }

    /// @inheritdoc IRewardPools
    function claimable(uint256 datanetId, uint256 epoch, address account)
        external
        view
        returns (uint256 contributorShare, uint256 validatorShare)
    {
        uint256 current = _currentEpoch(datanetId);
        if (epoch >= current || current > epoch + claimWindowEpochs || hasClaimed(datanetId, epoch, account)) {
            return (0, 0);
        }
        (contributorShare, validatorShare) = _shares(datanetId, epoch, account, _pools[datanetId][epoch]);
    }

    /// @inheritdoc IRewardPools
    function hasClaimed(uint256 datanetId, uint256 epoch, address account) public view returns (bool claimed) {
        claimed = _claimed[datanetId][account][epoch >> 8] & (1 << (epoch & 0xff)) != 0;
    }

    /// @inheritdoc IRewardPools
    function poolOf(uint256 datanetId, uint256 epoch) external view returns (Pool memory pool) {
        pool = _pools[datanetId][epoch];
    }

    function _authorizePause() internal view override {
        _checkRole(PAUSER_ROLE);
    }

    function _fund(uint256 datanetId, uint256 epoch, uint256 amount) private {
        if (amount == 0) revert ZeroAmount();
        if (_clocks[datanetId].epochLength == 0) {
            IDatanetRegistry.DatanetInfo memory info = registry.getDatanet(datanetId); // reverts DatanetUnknown
            _clocks[datanetId] = EpochClock({createdAt: info.createdAt, epochLength: info.policy.epochLength});
        }
        uint256 current = _currentEpoch(datanetId);
        if (epoch < current) revert EpochEnded(datanetId, epoch, current);
        // Only epochs whose terms are fixed take money: the current one and the next (a policy change
        // applies two epochs later). So no deposit fixes terms, and nobody funds terms that may move.
        if (epoch > current + 1) revert EpochTermsNotFixed(datanetId, epoch, current + 1);
        Pool storage pool = _pools[datanetId][epoch];
        // The epoch's terms cannot change any more; keep its split so claims need not ask the registry.
        if (pool.contributorBps == 0) {
            pool.contributorBps = registry.epochTerms(datanetId, epoch).contributorRewardBps;
        }
        uint256 balanceBefore = token.balanceOf(address(this));
        TokenPull.pullExactly(token, msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        uint256 funded = uint256(pool.funded) + received;
        if (funded > type(uint104).max) revert PoolTooLarge(funded);
        pool.funded = uint104(funded);
        emit RewardsFunded(datanetId, epoch, msg.sender, received, funded);
    }

    /// @dev The datanet's current epoch, as the registry computes it; `registry.currentEpoch` for a
    /// datanet that was never funded (which has nothing to claim or sweep).
    function _currentEpoch(uint256 datanetId) private view returns (uint256) {
        EpochClock memory clock = _clocks[datanetId];
        if (clock.epochLength == 0) return registry.currentEpoch(datanetId);
        return (block.timestamp - clock.createdAt) / clock.epochLength;
    }

    function _checkClaimable(uint256 datanetId, uint256 epoch, uint256 current) private view {
        if (epoch >= current) revert EpochNotEnded(datanetId, epoch, current);
        uint256 lastClaimEpoch = epoch + claimWindowEpochs;
        if (current > lastClaimEpoch) revert ClaimPeriodOver(datanetId, epoch, lastClaimEpoch);
    }

    /// @dev The account's shares of the pool, by RewardMath.
    function _shares(uint256 datanetId, uint256 epoch, address account, Pool storage pool)
        private
        view
        returns (uint256 contributorShare, uint256 validatorShare)
    {
        uint256 funded = pool.funded;
        if (funded == 0) return (0, 0);
        (uint256 contributorPoints, uint256 validatorPoints) = attestations.pointsOf(datanetId, epoch, account);
        if (contributorPoints == 0 && validatorPoints == 0) return (0, 0);
        (uint256 contributorTotal, uint256 validatorTotal) = attestations.epochTotals(datanetId, epoch);
        (uint256 contributorPart, uint256 validatorPart) = RewardMath.split(funded, pool.contributorBps);
        contributorShare = RewardMath.share(contributorPart, contributorPoints, contributorTotal);
        validatorShare = RewardMath.share(validatorPart, validatorPoints, validatorTotal);
    }
}
