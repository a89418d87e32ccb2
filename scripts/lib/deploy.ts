import type { NetworkConnection } from "hardhat/types/network";
import type { Address } from "viem";

import OpenLedgerModule from "../../deploy/modules/OpenLedger.ts";
import type { Deployment } from "../../sdk/deployment.ts";

/** Optional Ignition parameters of the `OpenLedger` module. */
export interface ProtocolParameters {
  admin?: Address;
  treasury?: Address;
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
  // An unset (or empty, as in a copied .env.example) parameter falls back to the module's default.
  const given = Object.fromEntries(Object.entries(parameters).filter(([, value]) => value !== undefined && value !== ""));
  const { openToken, datanetRegistry } = await ignition.deploy(OpenLedgerModule, {
    parameters: { OpenLedger: given },
    displayUi: false,
  });
  const { chainId } = await ethers.provider.getNetwork();
  return {
    chainId: Number(chainId),
    startBlock: knownStartBlock ?? blockBefore + 1n,
    contracts: {
      openToken: (await openToken.getAddress()) as Address,
      datanetRegistry: (await datanetRegistry.getAddress()) as Address,
    },
  };
}
