import { readFile } from "node:fs/promises";

import {
  bytesToHex,
  concat,
  encodeAbiParameters,
  keccak256,
  toBytes,
  type Address,
  type ContractFunctionReturnType,
  type Hex,
} from "viem";

import type { datanetRegistryAbi } from "../abis/index.ts";
import { registryContract, requireWallet, type ProtocolClient, type WritableProtocolClient } from "../client.ts";
import { InvalidInputError, ProtocolError } from "../errors.ts";
import { only, readProtocol, sendContractTransaction, type TransactionHandle } from "../transaction.ts";
import { assertBytes32, assertPositiveId, assertUint64 } from "../validate.ts";

/** One contribution to register. */
export interface SubmissionItem {
  contentHash: Hex;
  sizeBytes: bigint;
  uri: string;
}

/** A contribution as stored on chain, keyed by content hash (size, URI and time are in its `ContributionSubmitted` event). */
export type Contribution = ContractFunctionReturnType<typeof datanetRegistryAbi, "view", "getContribution">;

/** The contract's `ContributionStatus` enum. */
export const ContributionStatus = { None: 0, Pending: 1, Accepted: 2, Rejected: 3, Withdrawn: 4 } as const;
export type ContributionStatus = (typeof ContributionStatus)[keyof typeof ContributionStatus];

/** A reveal is valid only after its commitment's block, so it is simulated in the pending block. */
const REVEAL = { simulateAt: "pending" } as const;


/** The content hash the protocol registers (keccak256 of the bytes) and the size in bytes. */
export function hashContent(content: Uint8Array | string): { contentHash: Hex; sizeBytes: bigint } {
  const bytes = typeof content === "string" ? toBytes(content) : content;
  return { contentHash: keccak256(bytes), sizeBytes: BigInt(bytes.length) };
}

/** `hashContent` of a file's bytes. */
export async function hashFile(file: string): Promise<{ contentHash: Hex; sizeBytes: bigint }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new InvalidInputError("file", `cannot read ${file} (${(cause as Error).message})`);
  }
  return hashContent(bytes);
}

/** A fresh random salt for a commitment. */
export function randomSalt(): Hex {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * The commitment `commitSubmission` stores and `submit` / `submitBatch` reveal:
 * keccak256(abi.encode(contributor, datanetId, keccak256(abi.encodePacked(contentHashes)), salt)).
 */
export function submissionCommitment(params: {
  contributor: Address;
  datanetId: bigint;
  contentHashes: readonly Hex[];
  salt: Hex;
}): Hex {
  const digest = keccak256(concat(params.contentHashes));
  return keccak256(
    encodeAbiParameters(
      [{ type: "address" }, { type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }],
      [params.contributor, params.datanetId, digest, params.salt],
    ),
  );
}

function assertItems(items: readonly SubmissionItem[]): void {
  if (items.length === 0) throw new InvalidInputError("items", "the batch is empty");
  items.forEach((item, i) => {
    assertBytes32(`items[${i}].contentHash`, item.contentHash);
    assertUint64(`items[${i}].sizeBytes`, item.sizeBytes);
    if (typeof item.uri !== "string") throw new InvalidInputError(`items[${i}].uri`, "must be a string");
  });
}

/**
 * Checks a submission against the datanet's current policy, quotas and registered hashes, in the
 * contract's order, and throws the `ProtocolError` the contract would revert with (`preflight: true`).
 * Submitting is two transactions (commit, then reveal), so this keeps a doomed submission from
 * spending the first. Near an epoch boundary it can refuse what the next epoch would allow.
 */
export async function checkSubmission(
  client: ProtocolClient,
  params: { datanetId: bigint; contributor: Address; items: readonly SubmissionItem[] },
): Promise<void> {
  const { datanetId, contributor, items } = params;
  const fail = (error: ConstructorParameters<typeof ProtocolError>[0], args: readonly unknown[]): never => {
    throw new ProtocolError(error, args as never, { preflight: true });
  };
  const { publicClient } = client;
  const contract = registryContract(client);

  const [protocolPaused, info, usage, datanetBytes, count, allowlisted, existing] = await readProtocol(() =>
    Promise.all([
      publicClient.readContract({ ...contract, functionName: "protocolPaused" }),
      publicClient.readContract({ ...contract, functionName: "getDatanet", args: [datanetId] }),
      publicClient.readContract({ ...contract, functionName: "contributorUsage", args: [datanetId, contributor] }),
      publicClient.readContract({ ...contract, functionName: "datanetBytesUsed", args: [datanetId] }),
      publicClient.readContract({ ...contract, functionName: "contributionCount" }),
      publicClient.readContract({ ...contract, functionName: "isAllowlisted", args: [datanetId, contributor] }),
      Promise.all(
        items.map((item) =>
          publicClient.readContract({ ...contract, functionName: "contributionIdOf", args: [item.contentHash] }),
        ),
      ),
    ]),
  );
  if (protocolPaused) fail("ProtocolPaused", []);
  if (info.paused) fail("DatanetPaused", [datanetId]);
  if (info.policy.allowlistOnly && !allowlisted) fail("ContributorNotAllowlisted", [datanetId, contributor]);

  const { policy } = info;
  const epoch = BigInt(usage.epoch);
  let contributions = usage.contributions;
  let contributorBytes = usage.bytesUsed;
  let totalBytes = datanetBytes;
  const inBatch = new Map<Hex, bigint>();
  items.forEach((item, i) => {
    const { contentHash, sizeBytes } = item;
    if (BigInt(contentHash) === 0n) fail("ZeroContentHash", []);
    if (sizeBytes === 0n) fail("ZeroSize", [contentHash]);
    if (sizeBytes > policy.maxBytesPerContribution) {
      fail("ContributionTooLarge", [contentHash, sizeBytes, policy.maxBytesPerContribution]);
    }
    const duplicateOf = existing[i] || inBatch.get(contentHash.toLowerCase() as Hex);
    if (duplicateOf) fail("DuplicateContent", [contentHash, duplicateOf]);
    if (contributions >= policy.maxContributionsPerContributorPerEpoch) {
      fail("ContributorCountQuotaExceeded", [
        datanetId, contributor, epoch, BigInt(contributions), BigInt(policy.maxContributionsPerContributorPerEpoch),
      ]);
    }
    if (contributorBytes + sizeBytes > policy.maxBytesPerContributorPerEpoch) {
      fail("ContributorBytesQuotaExceeded", [
        datanetId, contributor, epoch, contributorBytes, sizeBytes, policy.maxBytesPerContributorPerEpoch,
      ]);
    }
    if (totalBytes + sizeBytes > policy.maxBytesPerDatanetPerEpoch) {
      fail("DatanetBytesQuotaExceeded", [datanetId, epoch, totalBytes, sizeBytes, policy.maxBytesPerDatanetPerEpoch]);
    }
    contributions += 1;
    contributorBytes += sizeBytes;
    totalBytes += sizeBytes;
    inBatch.set(contentHash.toLowerCase() as Hex, count + BigInt(i) + 1n);
  });
}

/**
 * Sends the commitment for a submission and waits until it is mined; the reveal must come in a
 * later block. Returns the salt to reveal with.
 */
export async function commitSubmission(
  client: ProtocolClient,
  params: { datanetId: bigint; contentHashes: readonly Hex[]; salt?: Hex },
): Promise<{ salt: Hex; commitment: Hex; committedAtBlock: bigint }> {
  const wallet = requireWallet(client, "commitSubmission");
  const salt = params.salt ?? randomSalt();
  const commitment = submissionCommitment({
    contributor: wallet.walletClient.account.address,
    datanetId: params.datanetId,
    contentHashes: params.contentHashes,
    salt,
  });
  const handle = await sendContractTransaction(
    wallet,
    { ...registryContract(client), functionName: "commitSubmission", args: [commitment] },
    (logs) => ({ committedAtBlock: only(logs, "SubmissionCommitted").args.blockNumber }),
  );
  const { committedAtBlock } = await handle.wait();
  return { salt, commitment, committedAtBlock };
}

async function prepare(
  client: ProtocolClient,
  action: string,
  datanetId: bigint,
  items: readonly SubmissionItem[],
): Promise<{ wallet: WritableProtocolClient; salt: Hex }> {
  const wallet = requireWallet(client, action);
  assertPositiveId("datanetId", datanetId);
  assertItems(items);
  await checkSubmission(client, { datanetId, contributor: wallet.walletClient.account.address, items });
  const { salt } = await commitSubmission(client, {
    datanetId,
    contentHashes: items.map((item) => item.contentHash),
  });
  return { wallet, salt };
}

/**
 * Registers one contribution: checks it, commits, then reveals in a later block. The returned handle
 * is the reveal; `wait()` gives the contribution id.
 */
export async function submitContribution(
  client: ProtocolClient,
  params: { datanetId: bigint } & SubmissionItem,
): Promise<TransactionHandle<{ contributionId: bigint }>> {
  const { datanetId, contentHash, sizeBytes, uri } = params;
  const { wallet, salt } = await prepare(client, "submitContribution", datanetId, [params]);
  return sendContractTransaction(
    wallet,
    { ...registryContract(client), functionName: "submit", args: [datanetId, contentHash, sizeBytes, uri, salt] },
    (logs) => ({ contributionId: only(logs, "ContributionSubmitted").args.contributionId }),
    REVEAL,
  );
}

/** Registers several contributions with one commitment and one reveal; all or nothing. */
export async function submitContributions(
  client: ProtocolClient,
  params: { datanetId: bigint; items: readonly SubmissionItem[] },
): Promise<TransactionHandle<{ contributionIds: bigint[] }>> {
  const { datanetId, items } = params;
  const { wallet, salt } = await prepare(client, "submitContributions", datanetId, items);
  return sendContractTransaction(
    wallet,
    { ...registryContract(client), functionName: "submitBatch", args: [datanetId, items, salt] },
    (logs) => ({
      contributionIds: logs
        .filter((log) => log.eventName === "ContributionSubmitted")
        .map((log) => (log.args as { contributionId: bigint }).contributionId),
    }),
    REVEAL,
  );
}

/** Withdraws one of the wallet account's pending contributions. */
export async function withdrawContribution(
  client: ProtocolClient,
  params: { contentHash: Hex },
): Promise<TransactionHandle<{ contributionId: bigint }>> {
  assertBytes32("contentHash", params.contentHash);
  return sendContractTransaction(
    requireWallet(client, "withdrawContribution"),
    { ...registryContract(client), functionName: "withdraw", args: [params.contentHash] },
    (logs) => ({ contributionId: only(logs, "ContributionWithdrawn").args.contributionId }),
  );
}

/** Reads a stored contribution by its content hash (its key on chain). */
export async function getContribution(client: ProtocolClient, contentHash: Hex): Promise<Contribution> {
  assertBytes32("contentHash", contentHash);
  return readProtocol(() =>
    client.publicClient.readContract({ ...registryContract(client), functionName: "getContribution", args: [contentHash] }),
  );
}

/** The content hash of a contribution id, from its `ContributionSubmitted` event (ids are indexed). */
export async function contentHashOf(client: ProtocolClient, contributionId: bigint): Promise<Hex> {
  assertPositiveId("contributionId", contributionId);
  const logs = await readProtocol(() =>
    client.publicClient.getContractEvents({
      ...registryContract(client),
      eventName: "ContributionSubmitted",
      args: { contributionId },
      fromBlock: client.deployment.startBlock,
      strict: true,
    }),
  );
  const log = logs[0];
  if (log === undefined) throw new InvalidInputError("contributionId", `no contribution ${contributionId} was submitted`);
  return log.args.contentHash;
}
