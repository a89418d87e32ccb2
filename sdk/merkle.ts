import { bytesToHex, getAddress, hexToBytes, keccak256, numberToBytes, type Address, type Hex } from "viem";

import { InvalidInputError } from "./errors.ts";
import { assertAddress } from "./validate.ts";

/** One account's payout in an epoch. */
export interface Payout {
  account: Address;
  amount: bigint;
}

/** What an account needs to claim its leaf. */
export interface EpochClaim {
  index: bigint;
  account: Address;
  amount: bigint;
  /** Siblings from the leaf's depth up to depth 1: its length is the leaf's depth. */
  proof: Hex[];
}

/** A built epoch: what to post (root, total) and how to claim each leaf. */
export interface MerkleEpoch {
  root: Hex;
  total: bigint;
  /** Leaves in index order, which is address order. */
  leaves: Omit<EpochClaim, "proof">[];
  /** The claim of leaf `index`, with its proof (computed on demand). */
  claim(index: bigint): EpochClaim;
}

/** Address bits: no leaf of the trie sits deeper. */
export const MAX_EPOCH_DEPTH = 160;

const EMPTY = new Uint8Array(32);

/** `keccak256(abi.encodePacked(uint256 index, address account, uint256 amount))`: 84 bytes, never 64 like a node. */
function leafBytes(index: bigint, account: Uint8Array, amount: bigint): Uint8Array {
  const packed = new Uint8Array(84);
  packed.set(numberToBytes(index, { size: 32 }), 0);
  packed.set(account, 32);
  packed.set(numberToBytes(amount, { size: 32 }), 52);
  return keccak256(packed, "bytes");
}

function nodeBytes(left: Uint8Array, right: Uint8Array): Uint8Array {
  const packed = new Uint8Array(64);
  packed.set(left, 0);
  packed.set(right, 32);
  return keccak256(packed, "bytes");
}

/** Bit `depth` of an address, counting from the most significant: the direction below depth `depth`. */
function bitAt(account: Uint8Array, depth: number): number {
  return (account[depth >> 3]! >> (7 - (depth & 7))) & 1;
}

/** The leaf hash of a claim, as MerkleEpoch computes it. */
export function epochLeafHash(leaf: Omit<EpochClaim, "proof">): Hex {
  return bytesToHex(leafBytes(leaf.index, hexToBytes(leaf.account), leaf.amount));
}

/**
 * The root a claim's proof leads to, walking up from its leaf along the account's own address bits
 * (as MerkleEpoch does): equal to the epoch's root exactly when the claim would verify on chain.
 */
export function epochRootFromProof(claim: EpochClaim): Hex {
  if (claim.proof.length > MAX_EPOCH_DEPTH) {
    throw new InvalidInputError("proof", `has ${claim.proof.length} siblings; no leaf sits deeper than ${MAX_EPOCH_DEPTH}`);
  }
  const account = hexToBytes(claim.account);
  let node = leafBytes(claim.index, account, claim.amount);
  claim.proof.forEach((sibling, i) => {
    const s = hexToBytes(sibling);
    node = bitAt(account, claim.proof.length - 1 - i) === 1 ? nodeBytes(s, node) : nodeBytes(node, s);
  });
  return bytesToHex(node);
}

/**
 * Builds an epoch from payouts: the binary Merkle trie keyed by the accounts' address bits that
 * MerkleEpoch verifies (format in `IMerkleEpoch.sol`). Each account's leaf sits at the shallowest
 * depth where its address prefix is unique, so an account has exactly one leaf and the epoch's
 * per-leaf cap holds per account. Deterministic: amounts of the same account are added, zero amounts
 * left out, accounts ordered by address, and leaf `i` is the i-th account, so the same payouts always
 * give the same root, whoever computes it.
 */
export function buildMerkleEpoch(payouts: readonly Payout[]): MerkleEpoch {
  const byAccount = new Map<Address, bigint>();
  payouts.forEach((p, i) => {
    assertAddress(`payouts[${i}].account`, p.account);
    if (typeof p.amount !== "bigint" || p.amount < 0n) {
      throw new InvalidInputError(`payouts[${i}].amount`, `${String(p.amount)} is not a non-negative amount in wei`);
    }
    const account = getAddress(p.account);
    byAccount.set(account, (byAccount.get(account) ?? 0n) + p.amount);
  });
  const entries = [...byAccount]
    .filter(([, amount]) => amount > 0n)
    .map(([account, amount]) => ({ key: account.toLowerCase(), account, amount }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  if (entries.length === 0) throw new InvalidInputError("payouts", "no account is paid anything");
  const leaves = entries.map(({ account, amount }, i) => ({ index: BigInt(i), account, amount }));
  const bits = entries.map(({ account }) => hexToBytes(account));

  // Nodes in arrays (a node id indexes them); -1 is the empty subtree. Accounts under a node are a
  // contiguous run of the sorted list, split where the next address bit turns to 1.
  const hashes: Uint8Array[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const hashOf = (id: number) => (id < 0 ? EMPTY : hashes[id]!);
  const build = (lo: number, hi: number, depth: number): number => {
    if (hi - lo === 1) {
      hashes.push(leafBytes(leaves[lo]!.index, bits[lo]!, leaves[lo]!.amount));
      left.push(-1);
      right.push(-1);
      return hashes.length - 1;
    }
    let [a, b] = [lo, hi];
    while (a < b) {
      const mid = (a + b) >> 1;
      if (bitAt(bits[mid]!, depth) === 0) a = mid + 1;
      else b = mid;
    }
    const l = a > lo ? build(lo, a, depth + 1) : -1;
    const r = a < hi ? build(a, hi, depth + 1) : -1;
    hashes.push(nodeBytes(hashOf(l), hashOf(r)));
    left.push(l);
    right.push(r);
    return hashes.length - 1;
  };
  const root = build(0, leaves.length, 0);

  return {
    root: bytesToHex(hashes[root]!),
    total: leaves.reduce((sum, l) => sum + l.amount, 0n),
    leaves,
    claim(index) {
      const leaf = typeof index === "bigint" && index >= 0n && index < leaves.length ? leaves[Number(index)] : undefined;
      if (leaf === undefined) throw new InvalidInputError("index", `the epoch has no leaf ${String(index)}`);
      const account = bits[Number(index)]!;
      const siblings: Hex[] = [];
      // Down from the root along the account's bits until its leaf (a node without children).
      for (let node = root, depth = 0; left[node]! >= 0 || right[node]! >= 0; depth++) {
        const [next, sibling] = bitAt(account, depth) === 1 ? [right[node]!, left[node]!] : [left[node]!, right[node]!];
        siblings.push(bytesToHex(hashOf(sibling)));
        node = next;
      }
      return { ...leaf, proof: siblings.reverse() };
    },
  };
}

/** The proofs file of an epoch: JSON with amounts as decimal strings, one claim per leaf. */
export function formatProofsFile(epoch: MerkleEpoch, meta: { poolId: bigint; epoch: bigint }): string {
  return `${JSON.stringify(
    {
      poolId: meta.poolId.toString(),
      epoch: meta.epoch.toString(),
      root: epoch.root,
      total: epoch.total.toString(),
      claims: epoch.leaves.map(({ index }) => {
        const c = epoch.claim(index);
        return { ...c, index: c.index.toString(), amount: c.amount.toString() };
      }),
    },
    null,
    2,
  )}\n`;
}
