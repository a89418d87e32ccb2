import { concat, encodeAbiParameters, keccak256, type Address, type ContractFunctionReturnType, type Hex } from "viem";

import type { datanetRegistryAbi } from "../abis/index.ts";
import { registryContract, requireWallet, type ProtocolClient } from "../client.ts";
import { InvalidInputError } from "../errors.ts";
import { fetchRegistryLogs, rebuildRegistryState, type ContributionRecord, type RegistryState } from "../history.ts";
import { only, readProtocol, sendContractTransaction, type TransactionHandle } from "../transaction.ts";
import { assertPositiveId } from "../validate.ts";
import { ContributionStatus } from "./contributions.ts";

/** A leaf of a version tree: (contribution id, contributor, content hash). */
export type VersionLeaf = [bigint, Address, Hex];
/** The leaf encoding (OpenZeppelin StandardMerkleTree's, for its tools). */
export const VERSION_LEAF_ENCODING = ["uint256", "address", "bytes32"] as const;

/** A published version as returned by `getVersion`. */
export type Version = ContractFunctionReturnType<typeof datanetRegistryAbi, "view", "getVersion">;


/** A version's Merkle tree: its root, and a leaf's proof for `MerkleProof.verify`. */
export interface VersionTree {
  readonly root: Hex;
  /** The sibling hashes from the leaf up to the root. */
  getProof(leaf: VersionLeaf): Hex[];
}

const LEAF_PARAMETERS = VERSION_LEAF_ENCODING.map((type) => ({ type }));
/** OpenZeppelin's standard leaf: keccak256 twice over the ABI-encoded values. */
const leafHash = (leaf: VersionLeaf) => keccak256(keccak256(encodeAbiParameters(LEAF_PARAMETERS, leaf)));
/** Pairs are hashed sorted (equal-length lowercase hex compares as the bytes do). */
const pairHash = (a: Hex, b: Hex) => keccak256(concat(a < b ? [a, b] : [b, a]));

/**
 * The tree of a version: one leaf per accepted contribution, built exactly as OpenZeppelin's
 * StandardMerkleTree builds it (leaves sorted by hash, so the root depends only on the set of
 * contributions; a test checks roots and proofs against that library). Written here with viem, not
 * with the library, which would add about 40 kB gzip to a dapp's bundle.
 */
export function buildVersionTree(leaves: readonly VersionLeaf[]): VersionTree {
  if (leaves.length === 0) throw new InvalidInputError("leaves", "a version needs at least one accepted contribution");
  const hashes = leaves.map(leafHash).sort();
  // A complete binary tree in an array (children of i at 2i + 1 and 2i + 2), leaves last in reverse order.
  const tree = new Array<Hex>(2 * hashes.length - 1);
  hashes.forEach((hash, i) => (tree[tree.length - 1 - i] = hash));
  for (let i = tree.length - 1 - hashes.length; i >= 0; i--) tree[i] = pairHash(tree[2 * i + 1]!, tree[2 * i + 2]!);
  return {
    root: tree[0]!,
    getProof(leaf) {
      let i = tree.length - 1 - hashes.indexOf(leafHash(leaf));
      if (i === tree.length) throw new InvalidInputError("leaf", "is not in the version");
      const proof: Hex[] = [];
      for (; i > 0; i = Math.floor((i - 1) / 2)) proof.push(tree[i % 2 === 1 ? i + 1 : i - 1]!);
      return proof;
    },
  };
}

/** The leaves of the first `count` contributions accepted into a datanet (all of them by default). */
export function versionLeaves(
  contributions: Iterable<ContributionRecord>,
  datanetId: bigint,
  count?: bigint,
): VersionLeaf[] {
  const accepted = [...contributions].filter(
    (c) =>
      c.datanetId === datanetId &&
      c.status === ContributionStatus.Accepted &&
      (count === undefined || (c.acceptedIndex ?? 0n) <= count),
  );
  accepted.sort((a, b) => (a.acceptedIndex! < b.acceptedIndex! ? -1 : 1));
  return accepted.map((c) => [c.contributionId, c.contributor, c.contentHash]);
}

/** The root over the first `count` contributions accepted into a datanet, from a rebuilt state. */
export function computeVersionRoot(state: RegistryState, datanetId: bigint, count?: bigint): Hex {
  return buildVersionTree(versionLeaves(state.contributions.values(), datanetId, count)).root;
}

/** The root and leaves of a datanet's accepted set, computed locally from the registry's events. */
export async function computeVersion(
  client: ProtocolClient,
  params: { datanetId: bigint; count?: bigint },
): Promise<{ root: Hex; leaves: VersionLeaf[]; tree: VersionTree }> {
  assertPositiveId("datanetId", params.datanetId);
  const state = rebuildRegistryState(await fetchRegistryLogs(client));
  const leaves = versionLeaves(state.contributions.values(), params.datanetId, params.count);
  const tree = buildVersionTree(leaves);
  return { root: tree.root, leaves, tree };
}

/**
 * Publishes the next version of a datanet (owner only) with the root computed locally over the first
 * `count` accepted contributions (default: every one accepted so far). The version names its count,
 * so finalizations landing before it do not make it revert. `wait()` gives the version number, root
 * and count.
 */
export async function publishVersion(
  client: ProtocolClient,
  params: { datanetId: bigint; uri: string; count?: bigint },
): Promise<TransactionHandle<{ version: number; root: Hex; contributionCount: bigint }>> {
  const wallet = requireWallet(client, "publishVersion");
  const { root, leaves } = await computeVersion(client, { datanetId: params.datanetId, count: params.count });
  return sendContractTransaction(
    wallet,
    {
      ...registryContract(client),
      functionName: "publishVersion",
      args: [params.datanetId, root, BigInt(leaves.length), params.uri],
    },
    (logs) => {
      const { version, root: published, contributionCount } = only(logs, "VersionPublished").args;
      return { version, root: published, contributionCount };
    },
  );
}

/** Reads a published version. */
export async function getVersion(client: ProtocolClient, params: { datanetId: bigint; version: number }): Promise<Version> {
  assertPositiveId("datanetId", params.datanetId);
  return readProtocol(() =>
    client.publicClient.readContract({
      ...registryContract(client),
      functionName: "getVersion",
      args: [params.datanetId, params.version],
    }),
  );
}

/** Recomputes a published version's root from events and reports whether it matches the chain's. */
export async function verifyVersion(
  client: ProtocolClient,
  params: { datanetId: bigint; version: number },
): Promise<{ matches: boolean; onChainRoot: Hex; recomputedRoot: Hex }> {
  const published = await getVersion(client, params);
  const { root } = await computeVersion(client, { datanetId: params.datanetId, count: published.contributionCount });
  return { matches: root === published.root, onChainRoot: published.root, recomputedRoot: root };
}
