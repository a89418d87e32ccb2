// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Merkle epoch distributor: payouts computed off-chain, claimed with proofs
/// @notice Anyone may post an epoch: a Merkle root (see IMerkleEpoch for the leaf format) and the sum
/// of its leaves' amounts, paid in the same transaction. Epochs are keyed by (poster, pool, epoch):
/// every poster has its own namespace, so nobody can take an id another poster, or a contract built
/// on this one (Proof of Attribution), will need. Each root gets its own MerkleEpoch contract
/// holding the root as an immutable and the funds as its own balance: claims are open from the
/// moment the root is posted, a claim costs what a one-off distributor's claim costs, and no root
/// can reach another epoch's funds. The distributor keeps the registry of epochs and pays many
/// leaves, of any epochs, in one call. It has no admin.
interface IMerkleEpochDistributor {
    /// @notice One claim of a batch.
    struct Claim {
        address poster;
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
    /// @notice A per-account cap of zero or above the total.
    error InvalidLeafCap(uint256 maxLeafAmount, uint256 total);
    /// @notice The poster already posted this epoch; roots are immutable.
    error RootAlreadyPosted(address poster, uint256 poolId, uint256 epoch);
    /// @notice The poster posted no root for the epoch.
    error RootNotPosted(address poster, uint256 poolId, uint256 epoch);
    /// @notice A claim window outside 1 day .. 10 years.
    error InvalidClaimWindow(uint256 window);

    /// @notice `poster` posted a root and paid `total` into its MerkleEpoch contract `epochContract`.
    /// `recordsHash` names the off-chain records the payouts were computed from.
    event RootPosted(
        address indexed poster,
        uint256 indexed poolId,
        uint256 indexed epoch,
        address epochContract,
        bytes32 root,
        uint256 total,
        uint256 maxLeafAmount,
        bytes32 recordsHash,
        uint40 expiresAt
    );

    /// @notice Publishes an epoch's root in the caller's namespace and pays its total (approved
    /// beforehand) into a new MerkleEpoch contract. Anyone may post; once per (caller, pool, epoch).
    /// @param poolId The pool (a datanet, a model fee pool...).
    /// @param epoch The epoch.
    /// @param root The root of the account-keyed Merkle trie.
    /// @param total The sum of all leaf amounts, taken from the caller.
    /// @param maxLeafAmount No account may be paid more (1 .. total; `total` for no cap).
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
    /// @param root The root of the account-keyed Merkle trie.
    /// @param total The sum of all leaf amounts, taken from the caller.
    /// @param maxLeafAmount No account may be paid more (1 .. total).
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

    /// @notice The contract of a poster's epoch, or zero if it posted no root for it.
    /// @param poster Who posted the epoch.
    /// @param poolId The pool.
    /// @param epoch The epoch.
    /// @return epochContract Its MerkleEpoch.
    function epochContract(address poster, uint256 poolId, uint256 epoch) external view returns (address epochContract);
}
