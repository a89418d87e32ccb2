import { getAddress, type Address, type ContractFunctionReturnType } from "viem";

import type { rewardPoolsAbi } from "../abis/index.ts";
import { requireWallet, rewardPoolsContract, type ProtocolClient } from "../client.ts";
import { InvalidInputError } from "../errors.ts";
import type { ClaimableEpoch } from "../indexer-api.ts";
import { signPermit } from "../permit.ts";
import { only, readProtocol, sendContractTransaction, type TransactionHandle } from "../transaction.ts";
import { assertAddress, assertPositiveId } from "../validate.ts";
import { fetchAttestationLogs } from "./validators.ts";

/** A datanet epoch's reward pool. */
export type RewardPool = ContractFunctionReturnType<typeof rewardPoolsAbi, "view", "poolOf">;

/** What an account can claim from one epoch. */
export interface ClaimableReward {
  epoch: bigint;
  contributorShare: bigint;
  validatorShare: bigint;
}

function assertEpochs(epochs: readonly bigint[]): void {
  if (epochs.length === 0) throw new InvalidInputError("epochs", "name at least one epoch");
  epochs.forEach((epoch, i) => {
    if (typeof epoch !== "bigint" || epoch < 0n) throw new InvalidInputError(`epochs[${i}]`, `${String(epoch)} is not an epoch`);
  });
}

/**
 * Funds the reward pool of a datanet epoch (the current one or a later one) with an ERC-2612 permit,
 * in one transaction. `wait()` gives the amount credited and the pool's new total.
 */
export async function fundRewards(
  client: ProtocolClient,
  params: { datanetId: bigint; epoch: bigint; amount: bigint },
): Promise<TransactionHandle<{ credited: bigint; fundedTotal: bigint }>> {
  assertPositiveId("datanetId", params.datanetId);
  assertEpochs([params.epoch]);
  if (params.amount <= 0n) throw new InvalidInputError("amount", "must be more than zero");
  const wallet = requireWallet(client, "fundRewards");
  const { deadline, v, r, s } = await signPermit(wallet, { spender: rewardPoolsContract(client).address, amount: params.amount });
  return sendContractTransaction(
    wallet,
    {
      ...rewardPoolsContract(client),
      functionName: "fundWithPermit",
      args: [params.datanetId, params.epoch, params.amount, deadline, v, r, s],
    },
    (logs) => {
      const { amount, fundedTotal } = only(logs, "RewardsFunded").args;
      return { credited: amount, fundedTotal };
    },
  );
}

/** What `account` can claim now from each of `epochs` (zero for epochs not ended, claimed or expired). */
export async function claimableRewards(
  client: ProtocolClient,
  params: { datanetId: bigint; account: Address; epochs: readonly bigint[] },
): Promise<ClaimableReward[]> {
  assertPositiveId("datanetId", params.datanetId);
  assertAddress("account", params.account);
  assertEpochs(params.epochs);
  return readProtocol(() =>
    Promise.all(
      params.epochs.map(async (epoch) => {
        const [contributorShare, validatorShare] = await client.publicClient.readContract({
          ...rewardPoolsContract(client),
          functionName: "claimable",
          args: [params.datanetId, epoch, params.account],
        });
        return { epoch, contributorShare, validatorShare };
      }),
    ),
  );
}

/**
 * Every ended epoch, of every datanet or one, from which `account` can claim something now, with its
 * shares: from the indexer API when the client has one, else from the attestation events (the epochs
 * where it earned points) and `RewardPools.claimable` for each.
 */
export async function claimableEpochs(client: ProtocolClient, params: { account: Address; datanetId?: bigint }): Promise<ClaimableEpoch[]> {
  assertAddress("account", params.account);
  if (params.datanetId !== undefined) assertPositiveId("datanetId", params.datanetId);
  if (client.indexer !== undefined) {
    const claimWindowEpochs = await readProtocol(() => client.publicClient.readContract({ ...rewardPoolsContract(client), functionName: "claimWindowEpochs" }));
    return client.indexer.claimableEpochs(params.account, { claimWindowEpochs, datanetId: params.datanetId });
  }
  const account = getAddress(params.account);
  const earned = new Map<bigint, Set<bigint>>();
  for (const log of await fetchAttestationLogs(client)) {
    const args = log.args as { datanetId: bigint; epoch: number | bigint; contributor?: Address; contributorPoints?: bigint; validator?: Address; points?: bigint };
    const points =
      log.eventName === "ValidationClosed" && getAddress(args.contributor!) === account
        ? args.contributorPoints!
        : log.eventName === "VerdictSettled" && getAddress(args.validator!) === account
          ? args.points!
          : 0n;
    if (points === 0n || (params.datanetId !== undefined && args.datanetId !== params.datanetId)) continue;
    if (!earned.has(args.datanetId)) earned.set(args.datanetId, new Set());
    earned.get(args.datanetId)!.add(BigInt(args.epoch));
  }
  const claimable: ClaimableEpoch[] = [];
  for (const [datanetId, epochs] of [...earned].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const shares = await claimableRewards(client, { datanetId, account, epochs: [...epochs].sort((a, b) => (a < b ? -1 : 1)) });
    claimable.push(...shares.filter((s) => s.contributorShare + s.validatorShare > 0n).map((s) => ({ datanetId, ...s })));
  }
  return claimable;
}

/** Claims the wallet account's shares of several ended epochs in one transaction. */
export async function claimRewards(
  client: ProtocolClient,
  params: { datanetId: bigint; epochs: readonly bigint[] },
): Promise<TransactionHandle<{ paid: bigint; epochs: ClaimableReward[] }>> {
  assertPositiveId("datanetId", params.datanetId);
  assertEpochs(params.epochs);
  return sendContractTransaction(
    requireWallet(client, "claimRewards"),
    { ...rewardPoolsContract(client), functionName: "claim", args: [params.datanetId, params.epochs] },
    (logs) => {
      const epochs = logs
        .filter((log) => log.eventName === "RewardsClaimed")
        .map((log) => {
          const args = log.args as { epoch: bigint; contributorShare: bigint; validatorShare: bigint };
          return { epoch: args.epoch, contributorShare: args.contributorShare, validatorShare: args.validatorShare };
        });
      return { paid: epochs.reduce((sum, e) => sum + e.contributorShare + e.validatorShare, 0n), epochs };
    },
  );
}

/** A datanet epoch's pool: funded, claimed, reward split, swept. */
export async function getRewardPool(client: ProtocolClient, params: { datanetId: bigint; epoch: bigint }): Promise<RewardPool> {
  assertPositiveId("datanetId", params.datanetId);
  assertEpochs([params.epoch]);
  return readProtocol(() =>
    client.publicClient.readContract({ ...rewardPoolsContract(client), functionName: "poolOf", args: [params.datanetId, params.epoch] }),
  );
}
