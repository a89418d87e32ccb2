import type { NetworkConnection } from "hardhat/types/network";
import { getAddress, type Address } from "viem";

import OpenLedgerModule from "../../deploy/modules/OpenLedger.ts";
import type { Deployment } from "../../sdk/deployment.ts";

/** Optional settings of a deployment. */
export interface ProtocolParameters {
  /** Takes over every admin role from the deployer once the deployment is complete. */
  admin?: Address;
  /** Receives the OPEN supply and slashed stake. */
  treasury?: Address;
  /** Seconds between a validator's unbond request and withdrawal. */
  unbondingPeriod?: number;
  /** Seconds a Merkle epoch stays claimable before it may be swept. */
  claimWindow?: number;
  /** Datanet epochs an ended reward pool stays claimable. */
  rewardClaimEpochs?: number;
  /** The protocol's share of inference fees, in basis points. */
  protocolFeeBps?: number;
  /** Seconds per attribution epoch. */
  attributionEpochLength?: number;
  /** Seconds an attribution proposal can be rejected before it is released. */
  challengeWindow?: number;
  /** Ignition's journal name (default `chain-<chainId>`): a fresh one deploys afresh. */
  deploymentId?: string;
}

/**
 * Deploys (or resumes deploying) the protocol with the Ignition module users deploy with, and
 * returns the deployment the SDK reads. `startBlock` is the first block that can hold protocol
 * events; pass `knownStartBlock` when resuming an earlier deployment.
 */
export async function deployProtocol(
  connection: NetworkConnection,
  parameters: ProtocolParameters = {},
  knownStartBlock?: bigint,
): Promise<Deployment> {
  const { ethers, ignition } = connection;
  const blockBefore = BigInt(await ethers.provider.getBlockNumber());
  const { admin, deploymentId, ...moduleParameters } = parameters;
  // An unset parameter falls back to the module's default.
  const given = Object.fromEntries(Object.entries(moduleParameters).filter(([, value]) => value !== undefined));
  const contracts = await ignition.deploy(OpenLedgerModule, {
    parameters: { OpenLedger: given },
    deploymentId,
    displayUi: false,
  });
  const { chainId } = await ethers.provider.getNetwork();
  const deployment: Deployment = {
    chainId: Number(chainId),
    startBlock: knownStartBlock ?? blockBefore + 1n,
    contracts: {
      openToken: getAddress(await contracts.openToken.getAddress()),
      datanetRegistry: getAddress(await contracts.datanetRegistry.getAddress()),
      validatorStaking: getAddress(await contracts.validatorStaking.getAddress()),
      attestationRegistry: getAddress(await contracts.attestationRegistry.getAddress()),
      merkleEpochDistributor: getAddress(await contracts.merkleEpochDistributor.getAddress()),
      rewardPools: getAddress(await contracts.rewardPools.getAddress()),
      modelFactory: getAddress(await contracts.modelFactory.getAddress()),
      proofOfAttribution: getAddress(await contracts.proofOfAttribution.getAddress()),
    },
  };
  if (admin !== undefined) await handOverAdmin(connection, deployment, getAddress(admin));
  return deployment;
}

/** Grants every admin role of the deployer to `admin`, then renounces the deployer's. Idempotent. */
async function handOverAdmin(connection: NetworkConnection, deployment: Deployment, admin: Address) {
  const [deployer] = await connection.ethers.getSigners();
  if (deployer === undefined || getAddress(deployer.address) === admin) return;
  const registry = await connection.ethers.getContractAt("DatanetRegistry", deployment.contracts.datanetRegistry, deployer);
  const staking = await connection.ethers.getContractAt("ValidatorStaking", deployment.contracts.validatorStaking, deployer);
  const attribution = await connection.ethers.getContractAt("ProofOfAttribution", deployment.contracts.proofOfAttribution, deployer);
  const roles = [
    [registry, await registry.PAUSER_ROLE()],
    [staking, await staking.SLASHER_ROLE()],
    [attribution, await attribution.ATTRIBUTOR_ROLE()],
    [attribution, await attribution.GUARDIAN_ROLE()],
    [registry, await registry.DEFAULT_ADMIN_ROLE()],
    [staking, await staking.DEFAULT_ADMIN_ROLE()],
    [attribution, await attribution.DEFAULT_ADMIN_ROLE()],
  ] as const;
  for (const [contract, role] of roles) {
    if (!(await contract.hasRole(role, deployer.address))) continue;
    await (await contract.grantRole(role, admin)).wait();
    await (await contract.renounceRole(role, deployer.address)).wait();
  }
}
