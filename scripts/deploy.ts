/**
 * Deploys the protocol with the Ignition module to the network named in `.env` (or the embedded one)
 * and writes the addresses file the SDK reads: `deployments/<chainId>.json`.
 *
 *   npm run deploy                    embedded in-process network (throwaway)
 *   npm run deploy -- --network live  the network configured by OPENLEDGER_RPC_URL and friends
 *
 * Ignition journals every step under deploy/deployments/, so re-running after an interruption
 * resumes instead of deploying twice; the start block of an existing addresses file is kept.
 * OPENLEDGER_DEPLOYMENT_ID names the journal (a new name deploys afresh, e.g. on a restarted local
 * node) and OPENLEDGER_DEPLOYMENTS_DIR where the addresses file goes.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";
import type { Address } from "viem";

import { deploymentFilePath, formatDeployment, readDeploymentFile } from "../sdk/deployment.ts";
import { deployProtocol } from "./lib/deploy.ts";

/** An environment setting, with an empty value (as in a copied .env.example) meaning unset. */
const setting = (name: string) => process.env[name] || undefined;
const DEPLOYMENTS_DIR = path.resolve(setting("OPENLEDGER_DEPLOYMENTS_DIR") ?? path.join(import.meta.dirname, "..", "deployments"));

const connection = await network.create();
const { chainId } = await connection.ethers.provider.getNetwork();
const file = deploymentFilePath(DEPLOYMENTS_DIR, Number(chainId));
const previous = await readDeploymentFile(file).catch(() => undefined);
const unbondingPeriod = setting("OPENLEDGER_UNBONDING_PERIOD");
const deployment = await deployProtocol(
  connection,
  {
    admin: setting("OPENLEDGER_ADMIN") as Address | undefined,
    treasury: setting("OPENLEDGER_TREASURY") as Address | undefined,
    unbondingPeriod: unbondingPeriod === undefined ? undefined : Number(unbondingPeriod),
    deploymentId: setting("OPENLEDGER_DEPLOYMENT_ID"),
  },
  previous?.startBlock,
);
await mkdir(DEPLOYMENTS_DIR, { recursive: true });
await writeFile(file, formatDeployment(deployment));
console.log(`Deployed on chain ${deployment.chainId} (network "${connection.networkName}"):`);
console.table(deployment.contracts);
console.log(`Addresses written to ${path.relative(process.cwd(), file)}`);
await connection.close();
