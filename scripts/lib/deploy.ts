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
  /** Proposes attributions (default: the deployer). */
  attributor?: Address;
  /** Rejects bad proposals within the challenge window; never the attributor (default: account 1). */
  guardian?: Address;
  /** Seconds a new admin waits before it may accept the admin role (default: 1 day). */
  adminDelay?: number;
  /**
   * Deploys a `ProtocolTimelock` (OpenZeppelin TimelockController) and starts handing every admin role
   * to it instead of `admin`: the documented mainnet path. Its proposers schedule the
   * `adminAcceptCalls` batch, which runs after both delays.
   */
  timelock?: { minDelay: number; proposers: Address[]; executors: Address[] };
  /** Ignition's journal name (default `chain-<chainId>`): a fresh one deploys afresh. */
  deploymentId?: string;
}

/**
 * Deploys (or resumes deploying) the protocol with the Ignition module users deploy with, and
 * returns the deployment the SDK reads. `startBlock` is the first block that can hold protocol
 * events (a caller resuming an earlier deployment keeps the one it recorded then).
 */
export async function deployProtocol(
  connection: NetworkConnection,
  parameters: ProtocolParameters = {},
): Promise<Deployment & { timelock?: Address }> {
  const { ethers, ignition } = connection;
  const blockBefore = BigInt(await ethers.provider.getBlockNumber());
  const { admin, timelock, deploymentId, ...moduleParameters } = parameters;
  // The guardian checks the attributor, so it must be another account; on a local node the second one.
  moduleParameters.guardian ??= (await ethers.getSigners())[1]?.address as Address | undefined;
  if (moduleParameters.guardian === undefined) {
    throw new Error("deployProtocol needs a guardian: an address other than the attributor that may reject attributions.");
  }
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
    startBlock: blockBefore + 1n,
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
  if (timelock !== undefined) {
    const contract = await ethers.deployContract("ProtocolTimelock", [timelock.minDelay, timelock.proposers, timelock.executors]);
    await contract.waitForDeployment();
    const address = getAddress(await contract.getAddress());
    await handOverAdmin(connection, deployment, address);
    return { ...deployment, timelock: address };
  }
  if (admin !== undefined) await handOverAdmin(connection, deployment, getAddress(admin));
  return deployment;
}

/** The contracts whose admin role moves in two steps with a delay (AccessControlDefaultAdminRules). */
export async function adminRuledContracts(connection: NetworkConnection, deployment: Deployment) {
  const { ethers } = connection;
  return [
    await ethers.getContractAt("DatanetRegistry", deployment.contracts.datanetRegistry),
    await ethers.getContractAt("ValidatorStaking", deployment.contracts.validatorStaking),
    await ethers.getContractAt("RewardPools", deployment.contracts.rewardPools),
    await ethers.getContractAt("ProofOfAttribution", deployment.contracts.proofOfAttribution),
  ] as const;
}

/**
 * Hands the deployer's powers to `admin`: the operational roles (pausers, slasher) are granted and
 * the deployer's renounced at once; the admin role itself starts a two-step transfer, which `admin`
 * completes with `acceptDefaultAdminTransfer()` on each contract once the admin delay has passed
 * (`adminAcceptCalls` lists the calls, for a key or a timelock). Idempotent. The attributor and
 * guardian stay as deployed; the distributor has no admin (each poster posts in its own namespace).
 */
async function handOverAdmin(connection: NetworkConnection, deployment: Deployment, admin: Address) {
  const [deployer] = await connection.ethers.getSigners();
  if (deployer === undefined || getAddress(deployer.address) === admin) return;
  const [registry, staking, pools, attribution] = await adminRuledContracts(connection, deployment);
  const operational = [
    [registry, await registry.PAUSER_ROLE()],
    [staking, await staking.PAUSER_ROLE()],
    [staking, await staking.SLASHER_ROLE()],
    [pools, await pools.PAUSER_ROLE()],
    [attribution, await attribution.PAUSER_ROLE()],
  ] as const;
  for (const [contract, role] of operational) {
    if (!(await contract.hasRole(role, deployer.address))) continue;
    await (await contract.connect(deployer).grantRole(role, admin)).wait();
    await (await contract.connect(deployer).renounceRole(role, deployer.address)).wait();
  }
  for (const contract of [registry, staking, pools, attribution]) {
    const [pending] = await contract.pendingDefaultAdmin();
    if ((await contract.defaultAdmin()) === deployer.address && getAddress(pending) !== admin) {
      await (await contract.connect(deployer).beginDefaultAdminTransfer(admin)).wait();
    }
  }
}

/**
 * The calls that complete the admin transfers `handOverAdmin` started: `acceptDefaultAdminTransfer()`
 * on each two-step contract, to be sent by the new admin (directly, or as a timelock's scheduled
 * batch) once each contract's schedule has passed.
 */
export async function adminAcceptCalls(connection: NetworkConnection, deployment: Deployment) {
  const contracts = await adminRuledContracts(connection, deployment);
  return Promise.all(
    contracts.map(async (contract) => ({
      target: getAddress(await contract.getAddress()),
      data: contract.interface.encodeFunctionData("acceptDefaultAdminTransfer") as `0x${string}`,
      readyAt: (await contract.pendingDefaultAdmin())[1],
    })),
  );
}
