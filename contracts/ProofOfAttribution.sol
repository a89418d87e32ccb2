// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IMerkleEpochDistributor} from "./interfaces/IMerkleEpochDistributor.sol";
import {IModelFactory} from "./interfaces/IModelFactory.sol";
import {IProofOfAttribution} from "./interfaces/IProofOfAttribution.sol";
import {FeeSplitMath} from "./libraries/FeeSplitMath.sol";
import {TokenPull} from "./libraries/TokenPull.sol";
import {BoundedPause} from "./utils/BoundedPause.sol";

/// @title ProofOfAttribution
/// @notice Inference fee pools per model and attribution epoch, released through the Merkle epoch
/// distributor after a challenge window. See IProofOfAttribution.
/// @dev A payment touches one slot: `{fees | split | status | challengeEndsAt}`. The split is
/// FeeSplitMath's: the protocol takes the rounding, so the four parts always add up to the fees.
/// The admin role moves in two steps with a delay; attributor and guardian are always different accounts.
contract ProofOfAttribution is
    IProofOfAttribution,
    AccessControlDefaultAdminRules,
    BoundedPause,
    ReentrancyGuardTransient
{
    using SafeERC20 for IERC20;

    /// @notice May propose attributions.
    bytes32 public constant ATTRIBUTOR_ROLE = keccak256("ATTRIBUTOR_ROLE");
    /// @notice May reject proposals within their challenge window.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    uint16 internal constant BPS = 10_000;
    uint16 internal constant MIN_CONTRIBUTORS_BPS = 5_000;
    uint16 internal constant MAX_DEVELOPER_BPS = 4_000;
    uint16 internal constant MAX_VALIDATORS_BPS = 2_000;
    uint16 internal constant MIN_RECIPIENT_CAP_BPS = 100;
    uint16 internal constant MAX_PROTOCOL_BPS = 1_000;
    uint16 internal constant DEFAULT_DEVELOPER_BPS = 2_000;
    uint16 internal constant DEFAULT_VALIDATORS_BPS = 500;
    uint16 internal constant DEFAULT_RECIPIENT_CAP_BPS = 2_500;
    /// @notice The smallest payment: below it the basis-point split would round the data's share away.
    uint256 public constant MIN_FEE = 10_000;
    /// @notice Epochs after an epoch ends during which its attribution can still be released; after
    /// that, unless one was released or is waiting, anyone may sweep its fees to the treasury.
    uint256 public constant ATTRIBUTION_DEADLINE_EPOCHS = 30;

    /// @notice The fee token (OPEN).
    IERC20 public immutable token;
    /// @notice Where models and their owners are.
    IModelFactory public immutable models;
    /// @notice Where released payouts are posted.
    IMerkleEpochDistributor public immutable distributor;
    /// @notice Receives the protocol's share and what the root leaves of the data's share.
    address public immutable treasury;
    /// @notice The protocol's share of every pool, in basis points.
    uint16 public immutable protocolBps;
    /// @notice When epoch 0 started.
    uint40 public immutable genesis;
    /// @notice Seconds per attribution epoch.
    uint32 public immutable epochLength;
    /// @notice Seconds a proposal waits before it can be released.
    uint32 public immutable challengeWindow;

    struct StoredSplit {
        FeeSplit split;
        bool set;
    }

    mapping(uint256 modelId => StoredSplit) private _splits;
    mapping(uint256 modelId => mapping(uint256 epoch => FeePool)) private _pools;
    mapping(address account => uint256 amount) private _earnings;

    /// @param token_ The fee token.
    /// @param models_ The model factory.
    /// @param distributor_ The Merkle epoch distributor (this contract posts in its own namespace there).
    /// @param treasury_ The protocol treasury.
    /// @param roles Who administers (DEFAULT_ADMIN_ROLE and PAUSER_ROLE), attributes and guards; the
    /// attributor and the guardian must differ.
    /// @param protocolBps_ The protocol's share: at most 1,000 basis points.
    /// @param epochLength_ Seconds per epoch: 1 hour .. 366 days.
    /// @param challengeWindow_ Seconds before a proposal can be released: 1 hour .. 30 days.
    /// @param adminDelay Seconds a new admin waits before accepting the role.
    constructor(
        IERC20 token_,
        IModelFactory models_,
        IMerkleEpochDistributor distributor_,
        address treasury_,
        Roles memory roles,
        uint16 protocolBps_,
        uint32 epochLength_,
        uint32 challengeWindow_,
        uint48 adminDelay
    ) AccessControlDefaultAdminRules(adminDelay, roles.admin) {
        if (
            address(token_) == address(0) || address(models_) == address(0) || address(distributor_) == address(0)
                || treasury_ == address(0) || roles.attributor == address(0) || roles.guardian == address(0)
        ) revert ZeroAddress();
        if (
            protocolBps_ > MAX_PROTOCOL_BPS || epochLength_ < 1 hours || epochLength_ > 366 days
                || challengeWindow_ < 1 hours || challengeWindow_ > 30 days
        ) revert InvalidConfiguration();
        (token, models, distributor, treasury) = (token_, models_, distributor_, treasury_);
        (protocolBps, epochLength, challengeWindow) = (protocolBps_, epochLength_, challengeWindow_);
        genesis = uint40(block.timestamp);
        _grantRole(PAUSER_ROLE, roles.admin);
        _grantRole(ATTRIBUTOR_ROLE, roles.attributor);
        _grantRole(GUARDIAN_ROLE, roles.guardian); // reverts RoleConflict if it is the attributor
    }

    /// @inheritdoc IProofOfAttribution
    function setFeeSplit(uint256 modelId, FeeSplit calldata split) external {
        address owner = models.ownerOf(modelId);
        if (owner == address(0)) revert UnknownModel(modelId);
        if (owner != msg.sender) revert NotModelOwner(modelId, msg.sender);
        if (split.contributorsBps < MIN_CONTRIBUTORS_BPS) revert ContributorShareTooLow(split.contributorsBps);
        if (split.developerBps > MAX_DEVELOPER_BPS) revert DeveloperShareTooHigh(split.developerBps);
        if (split.validatorsBps > MAX_VALIDATORS_BPS) revert ValidatorShareTooHigh(split.validatorsBps);
        uint256 totalBps = uint256(split.contributorsBps) + split.developerBps + split.validatorsBps + protocolBps;
        if (totalBps != BPS) revert SplitNotWhole(totalBps);
        if (split.maxRecipientBps < MIN_RECIPIENT_CAP_BPS || split.maxRecipientBps > BPS) {
            revert InvalidRecipientCap(split.maxRecipientBps);
        }
        _splits[modelId] = StoredSplit({split: split, set: true});
        emit FeeSplitSet(modelId, split);
    }

    /// @inheritdoc IProofOfAttribution
    function payFees(FeePayment[] calldata payments) external whenNotPaused nonReentrant {
        _payFees(payments);
    }

    /// @inheritdoc IProofOfAttribution
    function payFeesWithPermit(FeePayment[] calldata payments, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        whenNotPaused
        nonReentrant
    {
        uint256 sum;
        for (uint256 i = 0; i < payments.length; ++i) sum += payments[i].amount;
        TokenPull.tryPermit(address(token), sum, deadline, v, r, s);
        _payFees(payments);
    }

    /// @inheritdoc IProofOfAttribution
    function proposeAttribution(uint256 modelId, uint256 epoch, bytes32 root, uint256 merkleTotal, bytes32 recordsHash)
        external
        onlyRole(ATTRIBUTOR_ROLE)
        whenNotPaused
    {
        uint256 current = currentEpoch();
        if (epoch >= current) revert AttributionEpochNotEnded(epoch, current);
        FeePool storage pool = _pools[modelId][epoch];
        if (pool.fees == 0) revert NoFees(modelId, epoch);
        _checkOpen(pool, modelId, epoch);
        if (root == bytes32(0) || merkleTotal == 0) revert EmptyAttribution();
        SplitAmounts memory amounts = FeeSplitMath.amounts(pool.fees, pool.split);
        uint256 share = amounts.contributors + amounts.validators;
        if (merkleTotal > share) revert MerkleTotalExceedsShare(merkleTotal, share);
        uint40 challengeEndsAt = uint40(block.timestamp) + challengeWindow;
        (pool.status, pool.challengeEndsAt) = (AttributionStatus.Proposed, challengeEndsAt);
        (pool.root, pool.recordsHash, pool.merkleTotal) = (root, recordsHash, merkleTotal);
        emit AttributionProposed(modelId, epoch, msg.sender, root, merkleTotal, recordsHash, challengeEndsAt);
    }

    /// @inheritdoc IProofOfAttribution
    function rejectAttribution(uint256 modelId, uint256 epoch, bytes32 reason) external onlyRole(GUARDIAN_ROLE) {
        FeePool storage pool = _pools[modelId][epoch];
        if (pool.status != AttributionStatus.Proposed) revert NoProposal(modelId, epoch);
        if (block.timestamp >= pool.challengeEndsAt) revert ChallengeWindowOver(modelId, epoch, pool.challengeEndsAt);
        pool.status = AttributionStatus.Rejected;
        emit AttributionRejected(modelId, epoch, msg.sender, reason);
    }

    /// @inheritdoc IProofOfAttribution
    function releaseAttribution(uint256 modelId, uint256 epoch)
        external
        whenNotPaused
        nonReentrant
        returns (address epochContract)
    {
        FeePool storage pool = _pools[modelId][epoch];
        if (pool.status != AttributionStatus.Proposed) revert NoProposal(modelId, epoch);
        if (block.timestamp < pool.challengeEndsAt) revert ChallengeWindowOpen(modelId, epoch, pool.challengeEndsAt);
        pool.status = AttributionStatus.Released;
        SplitAmounts memory amounts = FeeSplitMath.amounts(pool.fees, pool.split);
        uint256 merkleTotal = pool.merkleTotal;
        uint256 share = amounts.contributors + amounts.validators;
        uint256 maxLeafAmount = FeeSplitMath.leafCap(share, pool.split.maxRecipientBps, merkleTotal);
        address developer = models.ownerOf(modelId);
        _earnings[developer] += amounts.developer;
        uint256 toTreasury = amounts.protocol + (share - merkleTotal);

        token.forceApprove(address(distributor), merkleTotal);
        epochContract = distributor.postRoot(poolIdOf(modelId), epoch, pool.root, merkleTotal, maxLeafAmount, pool.recordsHash);
        emit AttributionReleased(
            modelId, epoch, epochContract, merkleTotal, maxLeafAmount, developer, amounts.developer, toTreasury
        );
        token.safeTransfer(treasury, toTreasury);
    }

    /// @inheritdoc IProofOfAttribution
    function withdrawEarnings() external whenNotPaused nonReentrant {
        uint256 amount = _earnings[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        _earnings[msg.sender] = 0;
        emit EarningsWithdrawn(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IProofOfAttribution
    function sweepUnattributed(uint256 modelId, uint256 epoch) external whenNotPaused nonReentrant {
        FeePool storage pool = _pools[modelId][epoch];
        uint256 fees = pool.fees;
        if (fees == 0) revert NoFees(modelId, epoch);
        _checkOpen(pool, modelId, epoch);
        uint256 lastEpoch = epoch + ATTRIBUTION_DEADLINE_EPOCHS;
        if (currentEpoch() <= lastEpoch) revert AttributionDeadlineNotReached(modelId, epoch, lastEpoch);
        pool.status = AttributionStatus.Unattributed;
        emit UnattributedFeesSwept(modelId, epoch, fees, treasury);
        token.safeTransfer(treasury, fees);
    }

    /// @inheritdoc IProofOfAttribution
    function currentEpoch() public view returns (uint256 epoch) {
        epoch = (block.timestamp - genesis) / epochLength;
    }

    /// @inheritdoc IProofOfAttribution
    function feeSplitOf(uint256 modelId) public view returns (FeeSplit memory split) {
        StoredSplit memory stored = _splits[modelId];
        if (stored.set) return stored.split;
        split = FeeSplit({
            contributorsBps: BPS - DEFAULT_DEVELOPER_BPS - DEFAULT_VALIDATORS_BPS - protocolBps,
            developerBps: DEFAULT_DEVELOPER_BPS,
            validatorsBps: DEFAULT_VALIDATORS_BPS,
            maxRecipientBps: DEFAULT_RECIPIENT_CAP_BPS
        });
    }

    /// @inheritdoc IProofOfAttribution
    function feePool(uint256 modelId, uint256 epoch) external view returns (FeePool memory pool) {
        pool = _pools[modelId][epoch];
    }

    /// @inheritdoc IProofOfAttribution
    function splitAmounts(uint256 modelId, uint256 epoch) external view returns (SplitAmounts memory amounts) {
        FeePool storage pool = _pools[modelId][epoch];
        amounts = FeeSplitMath.amounts(pool.fees, pool.split);
    }

    /// @inheritdoc IProofOfAttribution
    function poolIdOf(uint256 modelId) public view returns (uint256 poolId) {
        poolId = uint256(keccak256(abi.encode(address(this), modelId)));
    }

    /// @inheritdoc IProofOfAttribution
    function earningsOf(address account) external view returns (uint256 amount) {
        amount = _earnings[account];
    }

    /// @dev The guardian checks the attributor, so no account may hold both roles.
    function _grantRole(bytes32 role, address account) internal override returns (bool) {
        if (role == ATTRIBUTOR_ROLE && hasRole(GUARDIAN_ROLE, account)) revert RoleConflict(role, account);
        if (role == GUARDIAN_ROLE && hasRole(ATTRIBUTOR_ROLE, account)) revert RoleConflict(role, account);
        return super._grantRole(role, account);
    }

    /// @dev An epoch takes a proposal, or a sweep, only while nothing is waiting, released or swept.
    function _checkOpen(FeePool storage pool, uint256 modelId, uint256 epoch) private view {
        AttributionStatus status = pool.status;
        if (status != AttributionStatus.None && status != AttributionStatus.Rejected) {
            revert AttributionNotOpen(modelId, epoch, status);
        }
    }

    function _authorizePause() internal view override {
        _checkRole(PAUSER_ROLE);
    }

    function _payFees(FeePayment[] calldata payments) private {
        if (payments.length == 0) revert NoPayments();
        uint256 epoch = currentEpoch();
        uint256 sum;
        for (uint256 i = 0; i < payments.length; ++i) {
            FeePayment calldata payment = payments[i];
            if (payment.amount < MIN_FEE) revert FeeTooSmall(payment.amount, MIN_FEE);
            if (payment.inferenceBatchHash == bytes32(0)) revert EmptyInferenceBatch();
            FeePool storage pool = _pools[payment.modelId][epoch];
            uint256 fees = pool.fees;
            if (fees == 0) _openPool(pool, payment.modelId, epoch);
            fees += payment.amount;
            if (fees > type(uint128).max) revert PoolTooLarge(fees);
            pool.fees = uint128(fees);
            sum += payment.amount;
            emit InferenceFeesPaid(payment.modelId, epoch, msg.sender, payment.amount, payment.inferenceBatchHash, fees);
        }
        TokenPull.pullExactly(token, msg.sender, address(this), sum);
    }

    /// @dev The first payment of an epoch checks the model exists and fixes the pool's split, so an
    /// owner's later change cannot reach fees already paid.
    function _openPool(FeePool storage pool, uint256 modelId, uint256 epoch) private {
        if (models.ownerOf(modelId) == address(0)) revert UnknownModel(modelId);
        FeeSplit memory split = feeSplitOf(modelId);
        pool.split = split;
        emit FeePoolOpened(modelId, epoch, split);
    }
}
