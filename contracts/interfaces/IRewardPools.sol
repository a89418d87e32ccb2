// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Reward pools: OPEN per datanet epoch for accepted contributions and agreeing validators
/// @notice Anyone funds the pool of a datanet epoch while that epoch has not ended. When it has
/// ended, funding stops and claims open: the pool splits by the datanet's `contributorRewardBps`
/// (snapshotted at the first funding), and each part is shared in proportion to the points the
/// attestation contract recorded for that epoch. A claim pays the caller its shares of the epochs
/// it names, each epoch at most once. Shares round down, so claims never pay more than was funded.
/// After `claimWindowEpochs` more epochs, anyone may sweep what is left (unclaimed shares and
/// rounding dust) to the treasury.
interface IRewardPools {
    /// @notice One datanet epoch's pool.
    /// @param funded OPEN received.
    /// @param claimed OPEN paid out.
    /// @param contributorBps Contributors' share, from the datanet's policy at the first funding.
    /// @param swept Whether the remainder went to the treasury.
    struct Pool {
        uint104 funded;
        uint104 claimed;
        uint16 contributorBps;
        bool swept;
    }

    /// @notice An address that must be set is zero.
    error ZeroAddress();
    /// @notice Funding of zero.
    error ZeroAmount();
    /// @notice The epoch's terms are not fixed yet (only the current and the next epoch's are).
    error EpochTermsNotFixed(uint256 datanetId, uint256 epoch, uint256 lastFixedEpoch);
    /// @notice The epoch has ended: its pool is closed to funding.
    error EpochEnded(uint256 datanetId, uint256 epoch, uint256 currentEpoch);
    /// @notice The epoch has not ended: its pool is not open to claims or sweeping yet.
    error EpochNotEnded(uint256 datanetId, uint256 epoch, uint256 currentEpoch);
    /// @notice The claim window of the epoch has passed.
    error ClaimPeriodOver(uint256 datanetId, uint256 epoch, uint256 lastClaimEpoch);
    /// @notice Sweeping before the claim window has passed.
    error ClaimPeriodNotOver(uint256 datanetId, uint256 epoch, uint256 lastClaimEpoch);
    /// @notice The pool was swept already.
    error PoolAlreadySwept(uint256 datanetId, uint256 epoch);
    /// @notice The claim pays nothing: no points, nothing funded, or every epoch already claimed.
    error NothingToClaim(uint256 datanetId, address account);
    /// @notice A claim must name at least one epoch.
    error NoEpochs();
    /// @notice A pool larger than 2^104 − 1 wei.
    error PoolTooLarge(uint256 amount);
    /// @notice A claim window of zero epochs.
    error InvalidClaimWindow(uint256 epochs);

    /// @notice OPEN was added to a pool.
    event RewardsFunded(
        uint256 indexed datanetId, uint256 indexed epoch, address indexed funder, uint256 amount, uint256 fundedTotal
    );
    /// @notice An account was paid its shares of a pool.
    event RewardsClaimed(
        uint256 indexed datanetId,
        uint256 indexed epoch,
        address indexed account,
        uint256 contributorShare,
        uint256 validatorShare
    );
    /// @notice What a pool had left after its claim window went to the treasury.
    event RewardsSwept(uint256 indexed datanetId, uint256 indexed epoch, uint256 amount, address treasury);

    /// @notice Adds OPEN (approved beforehand) to a datanet epoch's pool: the current epoch or the next,
    /// whose terms (`IDatanetRegistry.epochTerms`) can no longer change.
    /// @param datanetId The datanet.
    /// @param epoch The epoch, current or next.
    /// @param amount OPEN in wei.
    function fund(uint256 datanetId, uint256 epoch, uint256 amount) external;

    /// @notice `fund` with an ERC-2612 permit for the same amount.
    /// @param datanetId The datanet.
    /// @param epoch The epoch.
    /// @param amount OPEN in wei.
    /// @param deadline The permit's deadline.
    /// @param v Signature v.
    /// @param r Signature r.
    /// @param s Signature s.
    function fundWithPermit(
        uint256 datanetId,
        uint256 epoch,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Pays the caller its shares of each named epoch that has ended and that it has not
    /// claimed yet (already claimed epochs pay nothing again). An epoch is marked claimed only when it
    /// pays something, so an epoch a validator has not settled yet stays claimable; but a claim pays the
    /// points settled by then, so a validator settles its verdicts of the epoch before claiming it.
    /// @param datanetId The datanet.
    /// @param epochs The epochs.
    /// @return paid The OPEN paid in total.
    function claim(uint256 datanetId, uint256[] calldata epochs) external returns (uint256 paid);

    /// @notice Sends what a pool has left to the treasury once its claim window has passed.
    /// @param datanetId The datanet.
    /// @param epoch The epoch.
    function sweep(uint256 datanetId, uint256 epoch) external;

    /// @notice What an account can claim from an ended epoch now (0 if claimed, not ended or expired).
    /// @param datanetId The datanet.
    /// @param epoch The epoch.
    /// @param account The account.
    /// @return contributorShare Its contributor share.
    /// @return validatorShare Its validator share.
    function claimable(uint256 datanetId, uint256 epoch, address account)
        external
        view
        returns (uint256 contributorShare, uint256 validatorShare);

    /// @notice Whether an account has claimed an epoch.
    function hasClaimed(uint256 datanetId, uint256 epoch, address account) external view returns (bool claimed);

    /// @notice A pool's funding and payouts.
    function poolOf(uint256 datanetId, uint256 epoch) external view returns (Pool memory pool);
}
