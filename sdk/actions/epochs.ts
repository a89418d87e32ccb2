import {
  parseEventLogs,
  zeroAddress,
  type Address,
  type ContractFunctionReturnType,
  type Hex,
  type TransactionReceipt,
} from "viem";

import { merkleEpochAbi, openTokenAbi } from "../abis/index.ts";
import { distributorContract, merkleEpochContract, requireWallet, type ProtocolClient } from "../client.ts";
import { InvalidInputError, protocolError } from "../errors.ts";
import { assertAddress } from "../validate.ts";
import type { EpochClaim, MerkleEpoch } from "../merkle.ts";
import { only, readProtocol, sendContractTransaction, type TransactionHandle } from "../transaction.ts";
import { signPermit } from "../permit.ts";

/** An epoch's fixed terms (poster, pool, epoch, root, total, cap, expiry, token, treasury) as its contract reports them. */
export type EpochTerms = ContractFunctionReturnType<typeof merkleEpochAbi, "view", "terms">;

/** Which (pool, epoch) of a poster's namespace an action is about. */
export interface EpochKey {
  /** Who posted the epoch (Proof of Attribution for attribution payouts). */
  poster: Address;
  poolId: bigint;
  epoch: bigint;
}

function assertPoolEpoch(key: Omit<EpochKey, "poster">): void {
  if (typeof key.poolId !== "bigint" || key.poolId < 0n) throw new InvalidInputError("poolId", "must be a non-negative bigint");
  if (typeof key.epoch !== "bigint" || key.epoch < 0n) throw new InvalidInputError("epoch", "must be a non-negative bigint");
}

function assertKey(key: EpochKey): void {
  assertAddress("poster", key.poster);
  assertPoolEpoch(key);
}

/**
 * Publishes a built epoch's root in the wallet's own namespace (anyone may post) and pays its total
 * in the same transaction, with an ERC-2612 permit. `recordsHash` names the inputs it came from;
 * `maxLeafAmount` caps what any one account may be paid (the total, i.e. no cap, by default).
 * `wait()` gives the epoch's own contract, where its claims are paid, and when they stop.
 */
export async function postEpochRoot(
  client: ProtocolClient,
  params: Omit<EpochKey, "poster"> & { built: Pick<MerkleEpoch, "root" | "total">; recordsHash: Hex; maxLeafAmount?: bigint },
): Promise<TransactionHandle<{ epochContract: Address; expiresAt: number }>> {
  assertPoolEpoch(params);
  const wallet = requireWallet(client, "postEpochRoot");
  const { root, total } = params.built;
  const maxLeafAmount = params.maxLeafAmount ?? total;
  if (maxLeafAmount <= 0n || maxLeafAmount > total) {
    throw new InvalidInputError("maxLeafAmount", `must be between 1 and the epoch's total (${total}), not ${maxLeafAmount}`);
  }
  const { deadline, v, r, s } = await signPermit(wallet, { spender: distributorContract(client).address, amount: total });
  return sendContractTransaction(
    wallet,
    {
      ...distributorContract(client),
      functionName: "postRootWithPermit",
      args: [params.poolId, params.epoch, root, total, maxLeafAmount, params.recordsHash, deadline, v, r, s],
    },
    (logs) => {
      const { epochContract, expiresAt } = only(logs, "RootPosted").args;
      return { epochContract, expiresAt };
    },
  );
}

/** The contract holding an epoch's root and funds; a `ProtocolError` `RootNotPosted` if there is none. */
export async function getEpochContract(client: ProtocolClient, key: EpochKey): Promise<Address> {
  assertKey(key);
  const address = await readProtocol(() =>
    client.publicClient.readContract({
      ...distributorContract(client),
      functionName: "epochContract",
      args: [key.poster, key.poolId, key.epoch],
    }),
  );
  if (address === zeroAddress) throw await protocolError("RootNotPosted", [key.poster, key.poolId, key.epoch], { preflight: true });
  return address;
}

/**
 * Claims leaves (each paid to its own account) from one or more epochs in one transaction. A single
 * claim goes straight to its epoch's contract (the cheapest path); several go through the
 * distributor's `claimMany`. `wait()` lists what was paid.
 */
export async function claimFromEpochs(
  client: ProtocolClient,
  claims: readonly (EpochKey & EpochClaim)[],
): Promise<TransactionHandle<{ paid: { account: Address; amount: bigint }[] }>> {
  if (claims.length === 0) throw new InvalidInputError("claims", "nothing to claim");
  claims.forEach(assertKey);
  const wallet = requireWallet(client, "claimFromEpochs");
  const decodePaid = (_: unknown, receipt: TransactionReceipt) => ({
    paid: parseEventLogs({ abi: merkleEpochAbi, eventName: "Claimed", logs: receipt.logs }).map(
      ({ args }) => ({ account: args.account, amount: args.amount }),
    ),
  });
  if (claims.length === 1) {
    const [c] = claims as [EpochKey & EpochClaim];
    const epochContract = await getEpochContract(client, c);
    return sendContractTransaction(
      wallet,
      { ...merkleEpochContract(epochContract), functionName: "claim", args: [c.index, c.account, c.amount, c.proof] },
      decodePaid,
    );
  }
  return sendContractTransaction(wallet, { ...distributorContract(client), functionName: "claimMany", args: [claims] }, decodePaid);
}

/** An epoch's contract and fixed terms, with what it still holds. */
export async function getEpochInfo(
  client: ProtocolClient,
  key: EpochKey,
): Promise<{ epochContract: Address; terms: EpochTerms; balance: bigint }> {
  const epochContract = await getEpochContract(client, key);
  const terms = await readProtocol(() =>
    client.publicClient.readContract({ ...merkleEpochContract(epochContract), functionName: "terms" }),
  );
  const balance = await readProtocol(() =>
    client.publicClient.readContract({ address: terms.token, abi: openTokenAbi, functionName: "balanceOf", args: [epochContract] }),
  );
  return { epochContract, terms, balance };
}

/** Whether a leaf was paid. */
export async function isEpochClaimed(client: ProtocolClient, params: EpochKey & { index: bigint }): Promise<boolean> {
  const epochContract = await getEpochContract(client, params);
  return readProtocol(() =>
    client.publicClient.readContract({ ...merkleEpochContract(epochContract), functionName: "isClaimed", args: [params.index] }),
  );
}
