import {
  encodeFunctionData,
  keccak256,
  parseEventLogs,
  type Address,
  type Abi,
  type ContractEventName,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hash,
  type ParseEventLogsReturnType,
  type TransactionReceipt,
} from "viem";

import { datanetRegistryAbi } from "./abis/index.ts";
import { registryContract, requireWallet, type ProtocolClient, type WritableProtocolClient } from "./client.ts";
import { toSdkError, TransactionError } from "./errors.ts";

/** A sent transaction. `wait()` resolves once mined with the decoded outcome (ids, not just a receipt). */
export interface TransactionHandle<T> {
  hash: Hash;
  wait(options?: { confirmations?: number }): Promise<T & { receipt: TransactionReceipt }>;
}

/** The protocol events a mined transaction emitted, decoded with the contract's ABI. */
export type DecodedLogs<A extends Abi> = ParseEventLogsReturnType<A, ContractEventName<A>, true>;

interface WriteRequest<A extends Abi, F extends ContractFunctionName<A, "nonpayable" | "payable">> {
  address: `0x${string}`;
  abi: A;
  functionName: F;
  args: ContractFunctionArgs<A, "nonpayable" | "payable", F>;
}

/**
 * Simulates the call first (a revert becomes a `ProtocolError` and nothing is sent), then sends it
 * and returns a handle whose `wait()` decodes the receipt's events with `decode` (the target's own
 * events decoded, and the whole receipt for events of other contracts). `simulateAt:
 * "pending"` simulates in the next block's context, for calls that must follow an earlier block.
 */
export async function sendContractTransaction<
  const A extends Abi,
  F extends ContractFunctionName<A, "nonpayable" | "payable">,
  T,
>(
  client: WritableProtocolClient,
  request: WriteRequest<A, F>,
  decode: (logs: DecodedLogs<A>, receipt: TransactionReceipt) => T,
  options: { simulateAt?: "latest" | "pending" } = {},
): Promise<TransactionHandle<T>> {
  const { publicClient, walletClient } = client;
  let hash: Hash;
  try {
    // The request is typed by the caller's generic ABI and function name, which viem cannot narrow
    // through this generic helper; the call sites are fully typed.
    const { request: prepared } = await publicClient.simulateContract({
      ...request,
      account: walletClient.account,
      blockTag: options.simulateAt ?? "latest",
    } as never);
    hash =
      walletClient.account.type === "local"
        ? await sendSignedOnce(client, prepared as never)
        : await walletClient.writeContract(prepared as never);
  } catch (error) {
    throw await toSdkError(error);
  }
  return {
    hash,
    async wait(options = {}) {
      let receipt: TransactionReceipt;
      try {
        receipt = await publicClient.waitForTransactionReceipt({ hash, confirmations: options.confirmations ?? 1 });
      } catch (error) {
        throw await toSdkError(error);
      }
      if (receipt.status !== "success") {
        throw new TransactionError(`Transaction ${hash} reverted on chain after a successful simulation.`, {
          details: "State changed between simulation and inclusion; read the state again and retry.",
        });
      }
      const own = receipt.logs.filter((log) => log.address.toLowerCase() === request.address.toLowerCase());
      const logs = parseEventLogs({ abi: request.abi, logs: own, strict: true }) as DecodedLogs<A>;
      return { ...decode(logs, receipt), receipt };
    },
  };
}

/**
 * Runs a read or a wallet request, turning what viem throws into an SDK error (`toSdkError`): a
 * revert becomes a `ProtocolError`, a refusal in the wallet a `UserRejectedError`. Transient
 * failures were already retried by the client's retry layer.
 */
export async function withSdkErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw await toSdkError(error);
  }
}

/** Reads a view (`withSdkErrors`). */
export const readProtocol = withSdkErrors;

/**
 * Sends a transaction signed here (a local account) exactly once, however the connection behaves:
 * the nonce is fixed and the transaction signed before anything is sent, so its hash is known, and
 * every retry (the client's retry layer) resends the very same bytes. A retry the node refuses because it already has the
 * transaction ("already known", "nonce too low") is a success when the node knows that hash.
 */
async function sendSignedOnce(client: WritableProtocolClient, call: { address: Address; abi: Abi; functionName: string; args?: readonly unknown[] }): Promise<Hash> {
  const { publicClient, walletClient } = client;
  const account = walletClient.account;
  const data = encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args } as never);
  const nonce = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
  const request = await walletClient.prepareTransactionRequest({ account, chain: walletClient.chain, to: call.address, data, nonce } as never);
  // Signing is local, but viem asks the node for its chain id first.
  const serialized = await walletClient.signTransaction(request as never);
  const hash = keccak256(serialized);
  try {
    await publicClient.sendRawTransaction({ serializedTransaction: serialized });
  } catch (error) {
    const known = await publicClient.getTransaction({ hash }).catch(() => undefined);
    if (known === undefined) throw error;
  }
  return hash;
}

/** The single event of a kind a mined transaction must have emitted. */
export function only<L extends { eventName: string }, N extends L["eventName"]>(
  logs: readonly L[],
  eventName: N,
): Extract<L, { eventName: N }> {
  const found = logs.filter((log): log is Extract<L, { eventName: N }> => log.eventName === eventName);
  if (found.length !== 1) throw new TransactionError(`Expected one ${eventName} event, found ${found.length}.`);
  return found[0]!;
}

type RegistryWrite = ContractFunctionName<typeof datanetRegistryAbi, "nonpayable">;

/** Sends a registry call whose only outcome is success (the owner and admin actions). */
export async function sendRegistryCall<F extends RegistryWrite>(
  client: ProtocolClient,
  functionName: F,
  args: ContractFunctionArgs<typeof datanetRegistryAbi, "nonpayable", F>,
): Promise<TransactionHandle<Record<string, never>>> {
  const request = { ...registryContract(client), functionName, args } as WriteRequest<typeof datanetRegistryAbi, RegistryWrite>;
  return sendContractTransaction(requireWallet(client, functionName), request, () => ({}));
}
