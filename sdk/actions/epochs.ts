import type { ContractFunctionReturnType, Hex } from "viem";

import type { merkleEpochDistributorAbi } from "../abis/index.ts";
import { distributorContract, requireWallet, type ProtocolClient } from "../client.ts";
import { InvalidInputError } from "../errors.ts";
import type { EpochClaim, MerkleEpoch } from "../merkle.ts";
import { only, readProtocol, sendContractTransaction, type TransactionHandle } from "../transaction.ts";
import { signPermit } from "../permit.ts";

/** An epoch's root, funding and claim state as the distributor reports it. */
export type EpochInfo = ContractFunctionReturnType<typeof merkleEpochDistributorAbi, "view", "epochInfo">;

/** Which (pool, epoch) an action is about. */
export interface EpochKey {
  poolId: bigint;
  epoch: bigint;
}

function assertKey(key: EpochKey): void {
  if (typeof key.poolId !== "bigint" || key.poolId < 0n) throw new InvalidInputError("poolId", "must be a non-negative bigint");
  if (typeof key.epoch !== "bigint" || key.epoch < 0n) throw new InvalidInputError("epoch", "must be a non-negative bigint");
}

/** Publishes a built epoch's root and total (POSTER_ROLE). `recordsHash` names the inputs it came from. */
export async function postEpochRoot(
  client: ProtocolClient,
  params: EpochKey & { built: Pick<MerkleEpoch, "root" | "total">; recordsHash: Hex },
): Promise<TransactionHandle<{ expiresAt: number }>> {
  assertKey(params);
  return sendContractTransaction(
    requireWallet(client, "postEpochRoot"),
    {
      ...distributorContract(client),
      functionName: "postRoot",
      args: [params.poolId, params.epoch, params.built.root, params.built.total, params.recordsHash],
    },
    (logs) => ({ expiresAt: only(logs, "RootPosted").args.expiresAt }),
  );
}

/** Funds an epoch with an ERC-2612 permit (one transaction). `wait()` gives the funded total. */
export async function fundEpoch(
  client: ProtocolClient,
  params: EpochKey & { amount: bigint },
): Promise<TransactionHandle<{ fundedTotal: bigint }>> {
  assertKey(params);
  if (params.amount <= 0n) throw new InvalidInputError("amount", "must be more than zero");
  const wallet = requireWallet(client, "fundEpoch");
  const { deadline, v, r, s } = await signPermit(wallet, { spender: distributorContract(client).address, amount: params.amount });
  return sendContractTransaction(
    wallet,
    {
      ...distributorContract(client),
      functionName: "fundWithPermit",
      args: [params.poolId, params.epoch, params.amount, deadline, v, r, s],
    },
    (logs) => ({ fundedTotal: only(logs, "EpochFunded").args.fundedTotal }),
  );
}

/** Claims leaves (each paid to its own account) from one or more epochs in one transaction. */
export async function claimFromEpochs(
  client: ProtocolClient,
  claims: readonly (EpochKey & EpochClaim)[],
): Promise<TransactionHandle<{ paid: { account: Hex; amount: bigint }[] }>> {
  if (claims.length === 0) throw new InvalidInputError("claims", "nothing to claim");
  claims.forEach(assertKey);
  return sendContractTransaction(
    requireWallet(client, "claimFromEpochs"),
    { ...distributorContract(client), functionName: "claimMany", args: [claims] },
    (logs) =>
      ({
        paid: logs
          .filter((log) => log.eventName === "Claimed")
          .map((log) => {
            const args = log.args as { account: Hex; amount: bigint };
            return { account: args.account, amount: args.amount };
          }),
      }),
  );
}

/** An epoch's root, total, funding, remaining and expiry. */
export async function getEpochInfo(client: ProtocolClient, key: EpochKey): Promise<EpochInfo> {
  assertKey(key);
  return readProtocol(() =>
    client.publicClient.readContract({ ...distributorContract(client), functionName: "epochInfo", args: [key.poolId, key.epoch] }),
  );
}

/** Whether a leaf was paid. */
export async function isEpochClaimed(client: ProtocolClient, params: EpochKey & { index: bigint }): Promise<boolean> {
  assertKey(params);
  return readProtocol(() =>
    client.publicClient.readContract({
      ...distributorContract(client),
      functionName: "isClaimed",
      args: [params.poolId, params.epoch, params.index],
    }),
  );
}
