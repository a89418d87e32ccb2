import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getAddress, type Address, type Hex } from "viem";

import { InvalidInputError } from "./errors.ts";
import { assertAddress } from "./validate.ts";

/** The leaf encoding of MerkleEpochDistributor: (index, account, amount). */
export const EPOCH_LEAF_ENCODING = ["uint256", "address", "uint256"] as const;

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
  proof: Hex[];
}

/** A built epoch: what to post (root, total) and how to claim each leaf. */
export interface MerkleEpoch {
  root: Hex;
  total: bigint;
  /** Leaves in index order. */
  leaves: Omit<EpochClaim, "proof">[];
  /** The claim of leaf `index`, with its proof (computed on demand: about 0.4 ms each). */
  claim(index: bigint): EpochClaim;
  tree: StandardMerkleTree<[bigint, Address, bigint]>;
}

/**
 * Builds an epoch from payouts. Deterministic: amounts of the same account are added, accounts are
 * ordered by address, and leaf `i` is the i-th account, so the same payouts always give the same
 * root, whoever computes it. Zero amounts are left out.
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
    .sort(([a], [b]) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
  if (entries.length === 0) throw new InvalidInputError("payouts", "no account is paid anything");
  const values = entries.map(([account, amount], i) => [BigInt(i), account, amount] as [bigint, Address, bigint]);
  const tree = StandardMerkleTree.of(values, [...EPOCH_LEAF_ENCODING]);
  // The tree reorders values by leaf hash; remember where each index went.
  const position = new Map<bigint, number>();
  for (const [treeIndex, [index]] of tree.entries()) position.set(index, treeIndex);
  return {
    root: tree.root as Hex,
    total: values.reduce((sum, [, , amount]) => sum + amount, 0n),
    leaves: values.map(([index, account, amount]) => ({ index, account, amount })),
    claim(index) {
      const treeIndex = position.get(index);
      if (treeIndex === undefined) throw new InvalidInputError("index", `the epoch has no leaf ${index}`);
      const [, account, amount] = values[Number(index)]!;
      return { index, account, amount, proof: tree.getProof(treeIndex) as Hex[] };
    },
    tree,
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
