import { getAddress, isAddress, type Address } from "viem";

import { DeploymentError } from "./errors.ts";

/** Where a deployment lives: what the SDK, CLI and indexers need to find the protocol on a chain. */
export interface Deployment {
  chainId: number;
  /** The block the first contract was deployed in: where event scans start. */
  startBlock: bigint;
  contracts: {
    openToken: Address;
    datanetRegistry: Address;
    validatorStaking: Address;
    attestationRegistry: Address;
    merkleEpochDistributor: Address;
    rewardPools: Address;
    modelFactory: Address;
    proofOfAttribution: Address;
  };
}

const CONTRACT_KEYS = [
  "openToken",
  "datanetRegistry",
  "validatorStaking",
  "attestationRegistry",
  "merkleEpochDistributor",
  "rewardPools",
  "modelFactory",
  "proofOfAttribution",
] as const;

/** Serialises a deployment as the JSON addresses file. */
export function formatDeployment(deployment: Deployment): string {
  return `${JSON.stringify({ ...deployment, startBlock: deployment.startBlock.toString() }, null, 2)}\n`;
}

/** Validates a parsed addresses file; every problem is a `DeploymentError` naming the field. */
export function parseDeployment(value: unknown, source = "deployment"): Deployment {
  const fail = (problem: string): never => {
    throw new DeploymentError(`${source}: ${problem}`);
  };
  if (typeof value !== "object" || value === null) return fail("not a JSON object");
  const record = value as Record<string, unknown>;
  const chainId = record.chainId;
  if (typeof chainId !== "number" || !Number.isSafeInteger(chainId) || chainId <= 0) {
    return fail("chainId must be a positive integer");
  }
  const startBlock = record.startBlock;
  if (typeof startBlock !== "string" && typeof startBlock !== "number") {
    return fail("startBlock must be a block number");
  }
  if (!/^\d+$/.test(String(startBlock))) return fail(`startBlock ${String(startBlock)} is not a block number`);
  const contracts = record.contracts;
  if (typeof contracts !== "object" || contracts === null) return fail("contracts is missing");
  const addresses = {} as Deployment["contracts"];
  for (const key of CONTRACT_KEYS) {
    const address = (contracts as Record<string, unknown>)[key];
    if (typeof address !== "string" || !isAddress(address)) return fail(`contracts.${key} is not an address`);
    addresses[key] = getAddress(address);
  }
  return { chainId, startBlock: BigInt(startBlock), contracts: addresses };
}
