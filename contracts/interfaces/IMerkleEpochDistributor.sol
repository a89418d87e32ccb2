// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Merkle epoch distributor: payouts computed off-chain, claimed with proofs
/// @notice For each (pool, epoch) an authorised poster publishes a Merkle root and the sum of its
/// leaves' amounts, and pays that sum in the same transaction. Each root gets its own MerkleEpoch
/// contract (see IMerkleEpoch) holding the root as an immutable and the funds as its own balance:
/// claims are open from the moment the root is posted, a claim costs what a one-off distributor's
/// claim costs, and no root can reach another epoch's funds. The distributor keeps the registry of
/// epochs and pays many leaves, of any epochs, in one call.
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

    /// @notice An address that must be set is zero.
    error ZeroAddress();
    /// @notice A root of zero, or a total of zero.
    error EmptyRoot();
    /// @notice A per-leaf cap of zero or above the total.
    error InvalidLeafCap(uint256 maxLeafAmount, uint256 total);
    /// @notice The epoch already has a root; roots are immutable.
    error RootAlreadyPosted(uint256 poolId, uint256 epoch);
    /// @notice No root was posted for the epoch.
    error RootNotPosted(uint256 poolId, uint256 epoch);
    /// @notice A claim window outside 1 day .. 10 years.
    error InvalidClaimWindow(uint256 window);

    /// @notice A root was posted and `total` paid into its MerkleEpoch contract `epochContract`.
    /// `recordsHash` names the off-chain records the payouts were computed from.
    event RootPosted(
        uint256 indexed poolId,
        uint256 indexed epoch,
        address indexed epochContract,
        bytes32 root,
        uint256 total,
        uint256 maxLeafAmount,
        bytes32 recordsHash,
        uint40 expiresAt,
        address poster
    );

    /// @notice Publishes an epoch's root and pays its total (approved beforehand) into a new
    /// MerkleEpoch contract. Only POSTER_ROLE; once per (pool, epoch).
    /// @param poolId The pool (a datanet, a model fee pool...).
    /// @param epoch The epoch.
    /// @param root The StandardMerkleTree root.
    /// @param total The sum of all leaf amounts, taken from the caller.
    /// @param maxLeafAmount No leaf may pay more: a per-recipient cap (1 .. total; `total` for none).
    /// @param recordsHash Hash of the off-chain records the payouts were computed from.
    /// @return epochContract The epoch's contract, where its claims are paid.
    function postRoot(
        uint256 poolId,
        uint256 epoch,
        bytes32 root,
        uint256 total,
        uint256 maxLeafAmount,
        bytes32 recordsHash
    ) external returns (address epochContract);

    /// @notice `postRoot` with an ERC-2612 permit for `total`.
    /// @param poolId The pool.
    /// @param epoch The epoch.
    /// @param root The StandardMerkleTree root.
    /// @param total The sum of all leaf amounts, taken from the caller.
    /// @param maxLeafAmount No leaf may pay more (1 .. total).
    /// @param recordsHash Hash of the off-chain records the payouts were computed from.
    /// @param deadline The permit's deadline.
    /// @param v Signature v.
    /// @param r Signature r.
    /// @param s Signature s.
    /// @return epochContract The epoch's contract.
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
    ) external returns (address epochContract);

    /// @notice Pays many leaves, of any epochs, each to its own account; all or nothing. Anyone may call.
    /// @param claims The claims.
    function claimMany(Claim[] calldata claims) external;

    /// @notice The contract of an epoch, or zero if no root was posted.
    /// @param poolId The pool.
    /// @param epoch The epoch.
    /// @return epochContract Its MerkleEpoch.
    function epochContract(uint256 poolId, uint256 epoch) external view returns (address epochContract);
}
