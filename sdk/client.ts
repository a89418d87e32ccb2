import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";

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

/** What every SDK action receives: how to read, how (optionally) to write, and where the protocol is. */
export interface ProtocolClient {
  publicClient: PublicClient<Transport, Chain | undefined>;
  walletClient?: WalletClient<Transport, Chain | undefined, Account>;
  deployment: Deployment;
}

/** A `ProtocolClient` that can send transactions. */
export type WritableProtocolClient = ProtocolClient & {
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
};

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
