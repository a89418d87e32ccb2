// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Merkle epoch distributor: payouts computed off-chain, claimed with proofs
/// @notice For each (pool, epoch) an authorised poster publishes a Merkle root over leaves
/// `(uint256 index, address account, uint256 amount)` in OpenZeppelin StandardMerkleTree format
/// (`keccak256(bytes.concat(keccak256(abi.encode(index, account, amount))))`) and the sum of the
/// amounts. Anyone funds the epoch up to that total; claims open when it is fully funded. A claim
/// pays `account` (anyone may submit it, also in batches) and sets the leaf's bit, so each leaf pays
/// once. After the claim window anyone may sweep what is left to the treasury; claims stay possible
/// until that sweep.
interface IMerkleEpochDistributor {
    /// @notice One claim of a batch.
    struct Claim {
        uint256 poolId;
        uint256 epoch;
        uint256 index;
        address account;
        uint256 amount;
        bytes32[] proof;
    }

    /// @notice What is known about one (pool, epoch).
    /// @param root The first 20 bytes of the Merkle root (see `postRoot`).
    /// @param remaining What claims can still pay; set to `total` when funding completes.
    /// @param total The sum of the leaves' amounts.
    /// @param funded OPEN received for the epoch.
    /// @param expiresAt When unclaimed funds may be swept to the treasury.
    /// @param swept Whether they were.
    struct EpochInfo {
        bytes20 root;
        uint96 remaining;
        uint128 total;
        uint128 funded;
        uint40 expiresAt;
        bool swept;
    }

    /// @notice An address that must be set is zero.
    error ZeroAddress();
    /// @notice A root of zero, or a total of zero.
    error EmptyRoot();
    /// @notice A total larger than 2^96 − 1 wei.
    error TotalTooLarge(uint256 total);
    /// @notice The epoch already has a root; roots are immutable.
    error RootAlreadyPosted(uint256 poolId, uint256 epoch);
    /// @notice No root was posted for the epoch.
    error RootNotPosted(uint256 poolId, uint256 epoch);
    /// @notice Funding of zero.
    error ZeroAmount();
    /// @notice Funding beyond the root's total.
    error FundingExceedsTotal(uint256 poolId, uint256 epoch, uint256 funded, uint256 amount, uint256 total);
    /// @notice Claims open when the epoch is funded to its total.
    error NotFullyFunded(uint256 poolId, uint256 epoch, uint256 funded, uint256 total);
    /// @notice The leaf was claimed already.
    error AlreadyClaimed(uint256 poolId, uint256 epoch, uint256 index);
    /// @notice The proof does not lead to the epoch's root.
    error InvalidProof(uint256 poolId, uint256 epoch, uint256 index, address account, uint256 amount);
    /// @notice The claim window has closed (or the epoch was swept).
    error ClaimWindowClosed(uint256 poolId, uint256 epoch, uint256 expiresAt);
    /// @notice Sweeping before the claim window closed.
    error ClaimWindowOpen(uint256 poolId, uint256 epoch, uint256 expiresAt);
    /// @notice The epoch was swept already.
    error AlreadySwept(uint256 poolId, uint256 epoch);
    /// @notice The posted total was smaller than the leaves add up to; the epoch cannot pay this leaf.
    error EpochExhausted(uint256 poolId, uint256 epoch, uint256 remaining, uint256 amount);
    /// @notice A claim window outside 1 day .. 10 years.
    error InvalidClaimWindow(uint256 window);

    /// @notice A root was posted. `recordsHash` points at the off-chain records it was computed from.
    event RootPosted(
        uint256 indexed poolId,
        uint256 indexed epoch,
        bytes32 root,
        uint256 total,
        bytes32 recordsHash,
        uint40 expiresAt,
        address poster
    );
    /// @notice OPEN was added to an epoch; claims open when `fundedTotal` reaches the root's total.
    event EpochFunded(uint256 indexed poolId, uint256 indexed epoch, address indexed funder, uint256 amount, uint256 fundedTotal);
    /// @notice A leaf was paid to `account`.
    event Claimed(
        uint256 indexed poolId, uint256 indexed epoch, address indexed account, uint256 index, uint256 amount, address caller
    );
    /// @notice What was left of an expired epoch went to the treasury.
    event EpochSwept(uint256 indexed poolId, uint256 indexed epoch, uint256 amount, address treasury);

    /// @notice Publishes an epoch's root and total. Only POSTER_ROLE; once per (pool, epoch).
    /// @param poolId The pool (a datanet, a model fee pool...).
    /// @param epoch The epoch.
    /// @param root The StandardMerkleTree root.
    /// @param total The sum of all leaf amounts.
    /// @param recordsHash Hash of the off-chain records the payouts were computed from.
    function postRoot(uint256 poolId, uint256 epoch, bytes32 root, uint256 total, bytes32 recordsHash) external;

    /// @notice Adds OPEN (approved beforehand) to an epoch, up to its total.
    /// @param poolId The pool.
    /// @param epoch The epoch.
    /// @param amount OPEN in wei.
    function fund(uint256 poolId, uint256 epoch, uint256 amount) external;

    /// @notice `fund` with an ERC-2612 permit for the same amount.
    /// @param poolId The pool.
    /// @param epoch The epoch.
    /// @param amount OPEN in wei.
    /// @param deadline The permit's deadline.
    /// @param v Signature v.
    /// @param r Signature r.
    /// @param s Signature s.
    function fundWithPermit(
        uint256 poolId,
        uint256 epoch,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Pays a leaf to its account. Anyone may call.
    /// @param poolId The pool.
    /// @param epoch The epoch.
    /// @param index The leaf's index field.
    /// @param account Who is paid.
    /// @param amount How much.
    /// @param proof The StandardMerkleTree proof.
    function claim(
        uint256 poolId,
        uint256 epoch,
        uint256 index,
        address account,
        uint256 amount,
        bytes32[] calldata proof
    ) external;

    /// @notice Pays many leaves, each to its own account; all or nothing. Anyone may call.
    /// @param claims The claims.
    function claimMany(Claim[] calldata claims) external;

    /// @notice Sends what is left of an expired epoch to the treasury. Anyone may call.
    /// @param poolId The pool.
    /// @param epoch The epoch.
    function sweep(uint256 poolId, uint256 epoch) external;

    /// @notice Whether a leaf was claimed.
    /// @param poolId The pool.
    /// @param epoch The epoch.
    /// @param index The leaf's index field.
    /// @return claimed True once paid.
    function isClaimed(uint256 poolId, uint256 epoch, uint256 index) external view returns (bool claimed);

    /// @notice An epoch's root, funding and claim state.
    /// @param poolId The pool.
    /// @param epoch The epoch.
    /// @return info The state.
    function epochInfo(uint256 poolId, uint256 epoch) external view returns (EpochInfo memory info);
}
