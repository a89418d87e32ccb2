import type { Address, ContractFunctionArgs, ContractFunctionReturnType } from "viem";

import type { datanetRegistryAbi } from "../abis/index.ts";
import { registryContract, requireWallet, type ProtocolClient } from "../client.ts";
import { InvalidInputError } from "../errors.ts";
import { only, readProtocol, sendContractTransaction, sendRegistryCall, type TransactionHandle } from "../transaction.ts";
import { assertAddress, assertPositiveId } from "../validate.ts";

/** A datanet policy, exactly as the contract's `DatanetPolicy` struct. */
export type DatanetPolicy = ContractFunctionArgs<typeof datanetRegistryAbi, "nonpayable", "createDatanet">[2];
/** A datanet as returned by `getDatanet`. */
export type DatanetInfo = ContractFunctionReturnType<typeof datanetRegistryAbi, "view", "getDatanet">;
/** A contributor's quota use in the current epoch. */
export type QuotaUsage = ContractFunctionReturnType<typeof datanetRegistryAbi, "view", "contributorUsage">;

/** The kinds of data a datanet can collect, as the contract's `DataKind` enum. */
export const DataKind = { Text: 0, Image: 1, Audio: 2, Other: 3 } as const;
export type DataKind = (typeof DataKind)[keyof typeof DataKind];


function assertKind(kind: number): asserts kind is DataKind {
  if (!Object.values(DataKind).includes(kind as DataKind)) {
    throw new InvalidInputError("kind", `${kind} is not one of Text (0), Image (1), Audio (2), Other (3)`);
  }
}

/** Creates a datanet owned by the wallet's account. `wait()` gives the new id. */
export async function createDatanet(
  client: ProtocolClient,
  params: { kind: DataKind; metadataURI: string; policy: DatanetPolicy },
): Promise<TransactionHandle<{ datanetId: bigint }>> {
  assertKind(params.kind);
  return sendContractTransaction(
    requireWallet(client, "createDatanet"),
    { ...registryContract(client), functionName: "createDatanet", args: [params.kind, params.metadataURI, params.policy] },
    (logs) => ({ datanetId: only(logs, "DatanetCreated").args.datanetId }),
  );
}

/**
 * Schedules a new policy for a datanet (owner only; the epoch length cannot change). It applies two
 * epochs after the current one, so the current and next epoch's terms never move; `wait()` gives the
 * first epoch it governs. One change at a time: a second one before the first applies is refused.
 */
export async function updateDatanetPolicy(
  client: ProtocolClient,
  params: { datanetId: bigint; policy: DatanetPolicy },
): Promise<TransactionHandle<{ effectiveEpoch: number }>> {
  assertPositiveId("datanetId", params.datanetId);
  return sendContractTransaction(
    requireWallet(client, "updatePolicy"),
    { ...registryContract(client), functionName: "updatePolicy", args: [params.datanetId, params.policy] },
    (logs) => ({ effectiveEpoch: only(logs, "DatanetPolicyUpdated").args.effectiveEpoch }),
  );
}

/** The policy that governs an epoch (current or later; fixed for the current and next epoch): what a funder funds. */
export async function getEpochTerms(
  client: ProtocolClient,
  params: { datanetId: bigint; epoch: bigint },
): Promise<DatanetPolicy> {
  assertPositiveId("datanetId", params.datanetId);
  return readProtocol(() =>
    client.publicClient.readContract({ ...registryContract(client), functionName: "epochTerms", args: [params.datanetId, params.epoch] }),
  );
}

/** Replaces a datanet's metadata URI (owner only). */
export async function updateDatanetMetadata(
  client: ProtocolClient,
  params: { datanetId: bigint; metadataURI: string },
): Promise<TransactionHandle<Record<string, never>>> {
  assertPositiveId("datanetId", params.datanetId);
  return sendRegistryCall(client, "updateMetadata", [params.datanetId, params.metadataURI]);
}

/** Adds contributors to, or removes them from, a datanet's allowlist (owner only). */
export async function setAllowlisted(
  client: ProtocolClient,
  params: { datanetId: bigint; accounts: readonly Address[]; allowed: boolean },
): Promise<TransactionHandle<Record<string, never>>> {
  assertPositiveId("datanetId", params.datanetId);
  if (params.accounts.length === 0) throw new InvalidInputError("accounts", "the list is empty");
  params.accounts.forEach((account, i) => assertAddress(`accounts[${i}]`, account));
  return sendRegistryCall(client, "setAllowlisted", [params.datanetId, params.accounts, params.allowed]);
}

/** Pauses or resumes submissions to a datanet (owner only). */
export async function setDatanetPaused(
  client: ProtocolClient,
  params: { datanetId: bigint; paused: boolean },
): Promise<TransactionHandle<Record<string, never>>> {
  assertPositiveId("datanetId", params.datanetId);
  return sendRegistryCall(client, "setDatanetPaused", [params.datanetId, params.paused]);
}

/** Names the next owner of a datanet, who must accept (owner only). */
export async function transferDatanetOwnership(
  client: ProtocolClient,
  params: { datanetId: bigint; newOwner: Address },
): Promise<TransactionHandle<Record<string, never>>> {
  assertPositiveId("datanetId", params.datanetId);
  assertAddress("newOwner", params.newOwner);
  return sendRegistryCall(client, "transferDatanetOwnership", [params.datanetId, params.newOwner]);
}

/** Accepts ownership of a datanet the wallet's account was named for. */
export async function acceptDatanetOwnership(
  client: ProtocolClient,
  params: { datanetId: bigint },
): Promise<TransactionHandle<Record<string, never>>> {
  assertPositiveId("datanetId", params.datanetId);
  return sendRegistryCall(client, "acceptDatanetOwnership", [params.datanetId]);
}

/** Reads a datanet's owner, policy and counters. */
export async function getDatanet(client: ProtocolClient, datanetId: bigint): Promise<DatanetInfo> {
  assertPositiveId("datanetId", datanetId);
  return readProtocol(() =>
    client.publicClient.readContract({ ...registryContract(client), functionName: "getDatanet", args: [datanetId] }),
  );
}

/** The datanet's current epoch (from 0 at creation). */
export async function getCurrentEpoch(client: ProtocolClient, datanetId: bigint): Promise<number> {
  assertPositiveId("datanetId", datanetId);
  return readProtocol(() =>
    client.publicClient.readContract({ ...registryContract(client), functionName: "currentEpoch", args: [datanetId] }),
  );
}

/** What a contributor has used of its quotas in the datanet's current epoch. */
export async function getContributorUsage(
  client: ProtocolClient,
  params: { datanetId: bigint; contributor: Address },
): Promise<QuotaUsage> {
  assertPositiveId("datanetId", params.datanetId);
  assertAddress("contributor", params.contributor);
  return readProtocol(() =>
    client.publicClient.readContract({
      ...registryContract(client),
      functionName: "contributorUsage",
      args: [params.datanetId, params.contributor],
    }),
  );
}
