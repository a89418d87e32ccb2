import {
  createPublicClient,
  createWalletClient,
  custom,
  type Account,
  type Address,
  type Chain,
  type Client,
  type EIP1193RequestFn,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import {
  attestationRegistryAbi,
  datanetRegistryAbi,
  merkleEpochAbi,
  merkleEpochDistributorAbi,
  modelFactoryAbi,
  openTokenAbi,
  proofOfAttributionAbi,
  rewardPoolsAbi,
  validatorStakingAbi,
} from "./abis/index.ts";
import type { Deployment } from "./deployment.ts";
import { ClientConfigError, DeploymentError } from "./errors.ts";
import type { IndexerClient } from "./indexer-api.ts";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "./indexer/retry.ts";

/** What every SDK action receives: how to read, how (optionally) to write, and where the protocol is. */
export interface ProtocolClient {
  publicClient: PublicClient<Transport, Chain | undefined>;
  walletClient?: WalletClient<Transport, Chain | undefined, Account>;
  deployment: Deployment;
  /** The indexer service's API: readers that would scan the chain's logs ask it instead. */
  indexer?: IndexerClient;
}

/** A `ProtocolClient` that can send transactions. */
export type WritableProtocolClient = ProtocolClient & {
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
};

/**
 * What `createClient` and `openledgerActions` accept: any viem client on any chain (a `PublicClient`,
 * a `WalletClient`, or a bare `Client` such as wagmi's `getClient()` returns).
 */
export type AnyClient<chain extends Chain | undefined = Chain | undefined, account extends Account | undefined = Account | undefined> = Client<
  Transport,
  chain,
  account
>;

/** Options `createClient` and `openledgerActions` share. */
export interface ClientOptions {
  /**
   * How the SDK retries a request that failed transiently (timeout, dropped connection, HTTP 408/429/5xx).
   * This is the only retry layer: the SDK sends through the caller's transport without the
   * transport's own retries. Default `DEFAULT_RETRY`: 5 requests within about 1.5 s; `false`: none.
   */
  retry?: RetryPolicy | false;
  /**
   * The indexer service's API (`createIndexerClient`): with it the leaderboard, a validator's pending
   * queue, claimable epochs and model lineage are read from its tables instead of the chain's logs.
   */
  indexer?: IndexerClient;
}

/**
 * The transport of the caller's client with the SDK's retries in place of the transport's own: viem's
 * transports keep their un-retried request function as `transport.request`.
 */
function retrying(client: AnyClient, policy: RetryPolicy | false): Transport {
  const raw = client.transport.request as EIP1193RequestFn;
  const request = (async (args: Parameters<EIP1193RequestFn>[0]) =>
    // A wallet asked to send a transaction may have sent it before failing: that one is never repeated.
    policy === false || args.method === "eth_sendTransaction" ? raw(args) : withRetry(() => raw(args), policy)) as EIP1193RequestFn;
  return custom({ request }, { key: client.transport.key, name: client.transport.name, retryCount: 0 });
}

/** The settings of the caller's client the SDK's own clients keep (chain formatters, polling, caching, multicall). */
const settingsOf = (client: AnyClient) => ({
  chain: client.chain,
  cacheTime: client.cacheTime,
  pollingInterval: client.pollingInterval,
  batch: client.batch,
  ccipRead: client.ccipRead,
  key: client.key,
  name: client.name,
});

/**
 * Builds the `ProtocolClient` the actions use from any viem clients: a public client, and a wallet
 * client whose account signs. Both send through the callers' transports with one retry layer (`retry`).
 */
export function protocolClient(
  config: { publicClient: AnyClient; walletClient?: AnyClient<Chain | undefined, Account> | undefined; deployment: Deployment } & ClientOptions,
): ProtocolClient {
  const policy = config.retry ?? DEFAULT_RETRY;
  const publicClient = createPublicClient({
    ...settingsOf(config.publicClient),
    transport: retrying(config.publicClient, policy),
  }) as PublicClient<Transport, Chain | undefined>;
  const wallet = config.walletClient;
  if (wallet !== undefined && wallet.account === undefined) {
    throw new ClientConfigError("The walletClient has no account: create it with `account` (a local account or the wallet's address).");
  }
  const walletClient =
    wallet === undefined
      ? undefined
      : createWalletClient({ ...settingsOf(wallet), account: wallet.account, transport: retrying(wallet, policy) });
  return {
    publicClient,
    ...(walletClient === undefined ? {} : { walletClient }),
    deployment: config.deployment,
    ...(config.indexer === undefined ? {} : { indexer: config.indexer }),
  };
}

/** Checks that the client can write, so a read-only client fails with a clear error, not deep in viem. */
export function requireWallet(client: ProtocolClient, action: string): WritableProtocolClient {
  if (client.walletClient === undefined) {
    throw new ClientConfigError(`${action} sends a transaction: create the client with a walletClient.`);
  }
  return client as WritableProtocolClient;
}

/** Verifies that the deployment belongs to the chain the public client is connected to. */
export async function assertDeploymentChain(client: ProtocolClient): Promise<void> {
  const chainId = await client.publicClient.getChainId();
  if (chainId !== client.deployment.chainId) {
    throw new DeploymentError(
      `The deployment is for chain ${client.deployment.chainId} but the RPC serves chain ${chainId}.`,
    );
  }
}

/** The registry's address and ABI, ready to spread into a viem read or write. */
export function registryContract(client: ProtocolClient) {
  return { address: client.deployment.contracts.datanetRegistry, abi: datanetRegistryAbi } as const;
}

/** The staking contract's address and ABI. */
export function stakingContract(client: ProtocolClient) {
  return { address: client.deployment.contracts.validatorStaking, abi: validatorStakingAbi } as const;
}

/** The attestation contract's address and ABI. */
export function attestationContract(client: ProtocolClient) {
  return { address: client.deployment.contracts.attestationRegistry, abi: attestationRegistryAbi } as const;
}

/** The OPEN token's address and ABI. */
export function tokenContract(client: ProtocolClient) {
  return { address: client.deployment.contracts.openToken, abi: openTokenAbi } as const;
}

/** The Merkle epoch distributor's address and ABI. */
export function distributorContract(client: ProtocolClient) {
  return { address: client.deployment.contracts.merkleEpochDistributor, abi: merkleEpochDistributorAbi } as const;
}

/** One Merkle epoch's contract (its address comes from the distributor's `epochContract`). */
export function merkleEpochContract(address: Address) {
  return { address, abi: merkleEpochAbi } as const;
}

/** The reward pools' address and ABI. */
export function rewardPoolsContract(client: ProtocolClient) {
  return { address: client.deployment.contracts.rewardPools, abi: rewardPoolsAbi } as const;
}

/** The model factory's address and ABI. */
export function modelFactoryContract(client: ProtocolClient) {
  return { address: client.deployment.contracts.modelFactory, abi: modelFactoryAbi } as const;
}

/** Proof of Attribution's address and ABI. */
export function attributionContract(client: ProtocolClient) {
  return { address: client.deployment.contracts.proofOfAttribution, abi: proofOfAttributionAbi } as const;
}
