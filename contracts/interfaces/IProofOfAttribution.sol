// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Proof of Attribution: inference fees back to the data a model's outputs draw on
/// @notice Model owners and inference providers pay OPEN fees into a model's fee pool for the
/// current attribution epoch, each payment tagged with the hash of the inference batch it covers.
/// After the epoch, an attributor (ATTRIBUTOR_ROLE) proposes the Merkle root of the payouts to data
/// contributors and validators, with the hash of the raw attribution records it computed them from.
/// During the challenge window a guardian (GUARDIAN_ROLE) may reject the proposal; anyone can
/// recompute the root from the public records with the SDK's deterministic engine. After the
/// window anyone releases it: the contract splits the pool by the model's fee split (snapshotted at
/// the epoch's first payment) — contributors and validators through the Merkle epoch distributor,
/// with a per-recipient cap enforced on every claim; the developer (the model's owner) credited to
/// withdraw; the protocol share and rounding to the treasury.
interface IProofOfAttribution {
    /// @notice How a model's fees split, in basis points. The protocol's share is fixed at
    /// deployment; the four shares add up to 10,000.
    /// @param contributorsBps Data contributors, by attribution weight: at least 5,000.
    /// @param developerBps The model's owner: at most 4,000.
    /// @param validatorsBps Validators who accepted the attributed data: at most 2,000.
    /// @param maxRecipientBps No single recipient of the Merkle payouts gets more than this share of
    /// them: 100 .. 10,000.
    struct FeeSplit {
        uint16 contributorsBps;
        uint16 developerBps;
        uint16 validatorsBps;
        uint16 maxRecipientBps;
    }

    /// @notice Who holds the contract's roles at deployment.
    /// @param admin DEFAULT_ADMIN_ROLE (two-step transfer with a delay) and PAUSER_ROLE.
    /// @param attributor ATTRIBUTOR_ROLE: proposes attributions.
    /// @param guardian GUARDIAN_ROLE: may reject proposals within the challenge window; never the attributor.
    struct Roles {
        address admin;
        address attributor;
        address guardian;
    }

    /// @notice One fee payment of a batch.
    struct FeePayment {
        uint256 modelId;
        uint256 amount;
        bytes32 inferenceBatchHash;
    }

    /// @notice Where an epoch's attribution stands. `Unattributed`: no attribution was released within
    /// `ATTRIBUTION_DEADLINE_EPOCHS`, and the fees went to the treasury.
    enum AttributionStatus {
        None,
        Proposed,
        Rejected,
        Released,
        Unattributed
    }

    /// @notice One model epoch's fee pool and its attribution.
    /// @param fees OPEN paid in.
    /// @param split The model's fee split at the epoch's first payment.
    /// @param status Where its attribution stands.
    /// @param challengeEndsAt When the current proposal may be released.
    /// @param root The proposed payouts root.
    /// @param recordsHash Hash of the raw attribution records.
    /// @param merkleTotal What the root pays out in total.
    struct FeePool {
        uint128 fees;
        FeeSplit split;
        AttributionStatus status;
        uint40 challengeEndsAt;
        bytes32 root;
        bytes32 recordsHash;
        uint256 merkleTotal;
    }

    /// @notice How a pool's fees divide; `contributors + developer + validators + protocol == fees`.
    struct SplitAmounts {
        uint256 contributors;
        uint256 developer;
        uint256 validators;
        uint256 protocol;
    }

    /// @notice An address that must be set is zero.
    error ZeroAddress();
    /// @notice A protocol share above 1,000 basis points, or an epoch length or challenge window out of range.
    error InvalidConfiguration();
    /// @notice No fine-tuned model has this id.
    error UnknownModel(uint256 modelId);
    /// @notice Only the model's owner may set its fee split.
    error NotModelOwner(uint256 modelId, address caller);
    /// @notice Contributors' share below 5,000 basis points.
    error ContributorShareTooLow(uint16 contributorsBps);
    /// @notice Developer's share above 4,000 basis points.
    error DeveloperShareTooHigh(uint16 developerBps);
    /// @notice Validators' share above 2,000 basis points.
    error ValidatorShareTooHigh(uint16 validatorsBps);
    /// @notice The shares and the protocol's do not add up to 10,000 basis points.
    error SplitNotWhole(uint256 totalBps);
    /// @notice A per-recipient cap outside 100 .. 10,000 basis points.
    error InvalidRecipientCap(uint16 maxRecipientBps);
    /// @notice A payment batch with no payments.
    error NoPayments();
    /// @notice A payment below the minimum (10,000 wei), which would split into nothing.
    error FeeTooSmall(uint256 amount, uint256 minimum);
    /// @notice A payment without an inference batch hash.
    error EmptyInferenceBatch();
    /// @notice A pool would exceed 2^128 − 1 wei.
    error PoolTooLarge(uint256 amount);
    /// @notice The epoch has not ended: its fees are still coming in.
    error AttributionEpochNotEnded(uint256 epoch, uint256 currentEpoch);
    /// @notice The pool received no fees.
    error NoFees(uint256 modelId, uint256 epoch);
    /// @notice A proposal with a zero root or zero total.
    error EmptyAttribution();
    /// @notice The root pays out more than the contributors' and validators' shares.
    error MerkleTotalExceedsShare(uint256 merkleTotal, uint256 share);
    /// @notice The epoch already has a proposal waiting, was released, or its fees were swept as unattributed.
    error AttributionNotOpen(uint256 modelId, uint256 epoch, AttributionStatus status);
    /// @notice The epoch has no proposal waiting.
    error NoProposal(uint256 modelId, uint256 epoch);
    /// @notice Rejecting after the challenge window closed.
    error ChallengeWindowOver(uint256 modelId, uint256 epoch, uint256 challengeEndsAt);
    /// @notice Releasing before the challenge window closed.
    error ChallengeWindowOpen(uint256 modelId, uint256 epoch, uint256 challengeEndsAt);
    /// @notice Nothing to withdraw.
    error NothingToWithdraw(address account);
    /// @notice One account cannot be both attributor and guardian: the guardian checks the attributor.
    error RoleConflict(bytes32 role, address account);
    /// @notice The epoch's attribution deadline has not passed, so its fees cannot be swept yet.
    error AttributionDeadlineNotReached(uint256 modelId, uint256 epoch, uint256 lastEpoch);

    /// @notice A model's owner set its fee split (applies from the next epoch that receives a first payment).
    event FeeSplitSet(uint256 indexed modelId, FeeSplit split);
    /// @notice Fees were paid into a model's pool for `epoch`; `poolFees` is its new total.
    event InferenceFeesPaid(
        uint256 indexed modelId,
        uint256 indexed epoch,
        address indexed payer,
        uint256 amount,
        bytes32 inferenceBatchHash,
        uint256 poolFees
    );
    /// @notice The first payment of an epoch fixed the pool's split.
    event FeePoolOpened(uint256 indexed modelId, uint256 indexed epoch, FeeSplit split);
    /// @notice An attributor proposed the epoch's payouts.
    event AttributionProposed(
        uint256 indexed modelId,
        uint256 indexed epoch,
        address indexed attributor,
        bytes32 root,
        uint256 merkleTotal,
        bytes32 recordsHash,
        uint40 challengeEndsAt
    );
    /// @notice A guardian rejected the proposal; a new one may follow.
    event AttributionRejected(uint256 indexed modelId, uint256 indexed epoch, address indexed guardian, bytes32 reason);
    /// @notice The proposal was released: the Merkle part is claimable from `epochContract`.
    event AttributionReleased(
        uint256 indexed modelId,
        uint256 indexed epoch,
        address indexed epochContract,
        uint256 merkleTotal,
        uint256 maxLeafAmount,
        address developer,
        uint256 developerAmount,
        uint256 protocolAmount
    );
    /// @notice A developer withdrew its credited shares.
    event EarningsWithdrawn(address indexed account, uint256 amount);
    /// @notice No attribution was released in time: the epoch's fees went to the treasury.
    event UnattributedFeesSwept(uint256 indexed modelId, uint256 indexed epoch, uint256 amount, address treasury);

    /// @notice Sets the split of the model's future epochs. Only the model's owner.
    /// @param modelId The model.
    /// @param split The shares and the per-recipient cap.
    function setFeeSplit(uint256 modelId, FeeSplit calldata split) external;

    /// @notice Pays fees (approved beforehand) into the models' pools for the current epoch.
    /// @param payments One or more payments; the token moves once, for their sum.
    function payFees(FeePayment[] calldata payments) external;

    /// @notice `payFees` with an ERC-2612 permit for the payments' sum.
    /// @param payments One or more payments.
    /// @param deadline The permit's deadline.
    /// @param v Signature v.
    /// @param r Signature r.
    /// @param s Signature s.
    function payFeesWithPermit(FeePayment[] calldata payments, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external;

    /// @notice Proposes an ended epoch's payouts. Only ATTRIBUTOR_ROLE. Opens the challenge window.
    /// @param modelId The model.
    /// @param epoch The attribution epoch.
    /// @param root The Merkle epoch's account-keyed trie root over `(index, account, amount)` leaves (see IMerkleEpoch).
    /// @param merkleTotal The sum of the leaves: at most the contributors' plus validators' shares;
    /// the difference goes to the treasury.
    /// @param recordsHash Hash of the raw attribution records (inference id, contribution id, weight).
    function proposeAttribution(uint256 modelId, uint256 epoch, bytes32 root, uint256 merkleTotal, bytes32 recordsHash)
        external;

    /// @notice Rejects a proposal within its challenge window. Only GUARDIAN_ROLE.
    /// @param modelId The model.
    /// @param epoch The attribution epoch.
    /// @param reason Why (a hash or a short code).
    function rejectAttribution(uint256 modelId, uint256 epoch, bytes32 reason) external;

    /// @notice Releases a proposal whose challenge window has closed. Anyone may call.
    /// @param modelId The model.
    /// @param epoch The attribution epoch.
    /// @return epochContract The Merkle epoch contributors and validators claim from.
    function releaseAttribution(uint256 modelId, uint256 epoch) external returns (address epochContract);

    /// @notice Pays the caller its credited developer shares.
    function withdrawEarnings() external;

    /// @notice Sends an epoch's fees to the treasury when no attribution was released for it within
    /// `ATTRIBUTION_DEADLINE_EPOCHS` epochs after it ended (none proposed, or the last one rejected), so
    /// fees never stay stuck because nobody attributes them. Anyone may call.
    /// @param modelId The model.
    /// @param epoch The attribution epoch.
    function sweepUnattributed(uint256 modelId, uint256 epoch) external;

    /// @notice The current attribution epoch.
    /// @return epoch `(now − genesis) / epochLength`.
    function currentEpoch() external view returns (uint256 epoch);

    /// @notice The split a model's next epoch would get.
    /// @param modelId The model.
    /// @return split Its own split, or the default if its owner never set one.
    function feeSplitOf(uint256 modelId) external view returns (FeeSplit memory split);

    /// @notice A model epoch's pool and attribution.
    /// @param modelId The model.
    /// @param epoch The attribution epoch.
    /// @return pool The pool.
    function feePool(uint256 modelId, uint256 epoch) external view returns (FeePool memory pool);

    /// @notice How a pool's fees divide (exactly: the four amounts add up to the fees).
    /// @param modelId The model.
    /// @param epoch The attribution epoch.
    /// @return amounts The four parts.
    function splitAmounts(uint256 modelId, uint256 epoch) external view returns (SplitAmounts memory amounts);

    /// @notice The distributor pool id of a model's payouts.
    /// @param modelId The model.
    /// @return poolId `keccak256(abi.encode(address(this), modelId))`.
    function poolIdOf(uint256 modelId) external view returns (uint256 poolId);

    /// @notice Developer shares credited and not yet withdrawn.
    /// @param account The developer.
    /// @return amount OPEN in wei.
    function earningsOf(address account) external view returns (uint256 amount);
}
