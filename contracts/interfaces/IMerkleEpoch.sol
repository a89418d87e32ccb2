// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title One Merkle epoch: an immutable root, its own balance, claims with proofs
/// @notice Created and funded to its total by the MerkleEpochDistributor in the transaction that
/// posts the root. Leaves are `(uint256 index, address account, uint256 amount)` in OpenZeppelin
/// StandardMerkleTree format (`keccak256(bytes.concat(keccak256(abi.encode(index, account, amount))))`).
/// A claim pays `account` (anyone may submit it) and sets the leaf's bit, so each leaf pays once.
/// The epoch pays only from its own balance, so no root can reach another epoch's funds. After the
/// claim window anyone may sweep what is left to the treasury.
interface IMerkleEpoch {
    /// @notice Everything fixed at creation.
    /// @param poolId The pool (a datanet, a model's fee pool...).
    /// @param epoch The epoch within the pool.
    /// @param root The StandardMerkleTree root.
    /// @param total The sum of the leaves' amounts, funded at creation.
    /// @param maxLeafAmount No leaf pays more (a per-recipient cap; `total` for none).
    /// @param expiresAt When claims stop and the rest may be swept.
    /// @param token The paid token.
    /// @param treasury Receives what is swept.
    struct EpochTerms {
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
    /// @notice The proof does not lead to the epoch's root.
    error InvalidProof(uint256 index, address account, uint256 amount);
    /// @notice A valid leaf above the epoch's per-leaf cap: the root broke the cap it was posted with.
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

    /// @notice Pays a leaf to its account. Anyone may call. If the poster's total was smaller than
    /// the leaves add up to, the claim that finds the balance short fails with the token's
    /// insufficient-balance error: an epoch never pays out more than it holds.
    /// @param index The leaf's index field.
    /// @param account Who is paid.
    /// @param amount How much.
    /// @param proof The StandardMerkleTree proof.
    function claim(uint256 index, address account, uint256 amount, bytes32[] calldata proof) external;

    /// @notice Sends the epoch's whole balance to the treasury once the claim window has closed.
    /// Anyone may call.
    function sweep() external;

    /// @notice Whether a leaf was claimed.
    /// @param index The leaf's index field.
    /// @return claimed True once paid.
    function isClaimed(uint256 index) external view returns (bool claimed);

    /// @notice The epoch's fixed terms.
    /// @return terms Pool, epoch, root, total, per-leaf cap, expiry, token and treasury.
    function terms() external view returns (EpochTerms memory terms);
}
