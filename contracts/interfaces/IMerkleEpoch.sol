// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title One Merkle epoch: an immutable root, its own balance, claims with proofs
/// @notice Created and funded to its total by the MerkleEpochDistributor in the transaction that
/// posts the root. The root is a binary Merkle trie keyed by the accounts' address bits:
/// - the leaf of account A sits at depth d, the shallowest depth at which A's top d bits are
///   unique among the epoch's accounts (an epoch of one account: depth 0, the leaf is the root);
///   going down, bit k of A (counting from the most significant) picks the left (0) or right (1)
///   child at depth k + 1;
/// - leaf = `keccak256(abi.encodePacked(uint256 index, address account, uint256 amount))` (84 bytes);
/// - internal node = `keccak256(abi.encodePacked(bytes32 left, bytes32 right))` (64 bytes), and an
///   empty subtree is `bytes32(0)`.
/// A proof lists the siblings from the leaf's depth up to depth 1, so its length is the leaf's depth.
/// Because a claim takes the path from the account's own bits, an account can have only one
/// claimable leaf in any root: a second one at the same node would be a second preimage of that
/// node's hash, and one deeper down would need a node on its path to be both a leaf hash (84-byte
/// preimage) and an internal hash (64-byte preimage). So the per-leaf cap is a per-account cap.
/// `index` numbers the leaves (the SDK: the accounts in address order) and keys the claimed bitmap,
/// so claims share bitmap words as densely as in Uniswap's MerkleDistributor. A poster who gives
/// two leaves one index only makes one of them unclaimable: nobody is paid more.
/// A claim pays `account` (anyone may submit it). The epoch pays only from its own balance, so no
/// root can reach another epoch's funds. After the claim window anyone may sweep what is left to
/// the treasury.
interface IMerkleEpoch {
    /// @notice Everything fixed at creation.
    /// @param poster Who posted and funded the epoch; epochs are keyed by (poster, poolId, epoch).
    /// @param poolId The pool (a datanet, a model's fee pool...) within the poster's namespace.
    /// @param epoch The epoch within the pool.
    /// @param root The root of the account-keyed Merkle trie.
    /// @param total The sum of the leaves' amounts, funded at creation.
    /// @param maxLeafAmount No account is paid more (one leaf per account; `total` for no cap).
    /// @param expiresAt When claims stop and the rest may be swept.
    /// @param token The paid token.
    /// @param treasury Receives what is swept.
    struct EpochTerms {
        address poster;
        uint256 poolId;
        uint256 epoch;
        bytes32 root;
        uint256 total;
        uint256 maxLeafAmount;
        uint40 expiresAt;
        address token;
        address treasury;
    }

    /// @notice The leaf was claimed already.
    error AlreadyClaimed(uint256 index);
    /// @notice The proof does not lead from this leaf, along the account's own address bits, to the root.
    error InvalidProof(uint256 index, address account, uint256 amount);
    /// @notice A proof longer than an address has bits: no leaf sits that deep.
    error ProofTooDeep(uint256 depth);
    /// @notice A valid leaf above the epoch's per-account cap: the root broke the cap it was posted with.
    error LeafAboveCap(uint256 index, uint256 amount, uint256 maxLeafAmount);
    /// @notice The claim window has closed.
    error ClaimWindowClosed(uint256 expiresAt);
    /// @notice Sweeping before the claim window closed.
    error ClaimWindowOpen(uint256 expiresAt);
    /// @notice Sweeping an epoch that holds nothing.
    error NothingToSweep();

    /// @notice A leaf was paid to `account`.
    event Claimed(address indexed account, uint256 index, uint256 amount);
    /// @notice What was left after the claim window went to the treasury.
    event Swept(uint256 amount, address treasury);

    /// @notice Pays an account's leaf. Anyone may call. If the poster's total was smaller than
    /// the leaves add up to, the claim that finds the balance short fails with the token's
    /// insufficient-balance error: an epoch never pays out more than it holds.
    /// @param index The leaf's index field.
    /// @param account Who is paid; its address bits give the proof's left/right directions.
    /// @param amount How much.
    /// @param proof The siblings from the leaf's depth up to depth 1 (at most 160).
    function claim(uint256 index, address account, uint256 amount, bytes32[] calldata proof) external;

    /// @notice Sends the epoch's whole balance to the treasury once the claim window has closed.
    /// Anyone may call.
    function sweep() external;

    /// @notice Whether a leaf was claimed.
    /// @param index The leaf's index field.
    /// @return claimed True once paid.
    function isClaimed(uint256 index) external view returns (bool claimed);

    /// @notice The epoch's fixed terms.
    /// @return terms Poster, pool, epoch, root, total, per-account cap, expiry, token and treasury.
    function terms() external view returns (EpochTerms memory terms);
}
