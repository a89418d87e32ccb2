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

import { formatDeployment } from "../sdk/deployment.ts";
import { deploymentFilePath, readDeploymentFile } from "../sdk/node/index.ts";
import { deployProtocol } from "./lib/deploy.ts";

/** One readable line and a non-zero exit. */
function fail(message: string): never {
  console.error(`deploy: ${message}`);
  process.exit(1);
}

/** An environment setting, with an empty value (as in a copied .env.example) meaning unset. */
const setting = (name: string) => process.env[name] || undefined;
const DEPLOYMENTS_DIR = path.resolve(setting("OPENLEDGER_DEPLOYMENTS_DIR") ?? path.join(import.meta.dirname, "..", "deployments"));

const connection = await network.create();
const { chainId } = await connection.ethers.provider.getNetwork();
const file = deploymentFilePath(DEPLOYMENTS_DIR, Number(chainId));
const previous = await readDeploymentFile(file).catch(() => undefined);
const seconds = (name: string) => {
  const value = setting(name);
  if (value !== undefined && !/^\d+$/.test(value)) fail(`${name} must be a number of seconds, not "${value}".`);
  return value === undefined ? undefined : Number(value);
};
const guardian = setting("OPENLEDGER_GUARDIAN") as Address | undefined;
// The guardian checks the attributor, so it must be another account: with one deploying key the
// module cannot pick one, and Ignition's own message would not say why.
if (guardian === undefined && (await connection.ethers.getSigners()).length < 2) {
  fail("Set OPENLEDGER_GUARDIAN to the address that may reject attributions (not the deployer, who attributes).");
}
const timelockDelay = seconds("OPENLEDGER_TIMELOCK_DELAY");
const timelockProposer = setting("OPENLEDGER_TIMELOCK_PROPOSER") as Address | undefined;
if (timelockDelay !== undefined && timelockProposer === undefined) {
  fail("OPENLEDGER_TIMELOCK_DELAY needs OPENLEDGER_TIMELOCK_PROPOSER (the multisig that schedules admin actions).");
}
const deployment = await deployProtocol(
  connection,
  {
    admin: setting("OPENLEDGER_ADMIN") as Address | undefined,
    treasury: setting("OPENLEDGER_TREASURY") as Address | undefined,
    unbondingPeriod: seconds("OPENLEDGER_UNBONDING_PERIOD"),
    attributor: setting("OPENLEDGER_ATTRIBUTOR") as Address | undefined,
    guardian,
    adminDelay: seconds("OPENLEDGER_ADMIN_DELAY"),
    timelock:
      timelockDelay === undefined
        ? undefined
        : { minDelay: timelockDelay, proposers: [timelockProposer!], executors: [timelockProposer!] },
    deploymentId: setting("OPENLEDGER_DEPLOYMENT_ID"),
  },
  previous?.startBlock,
);
await mkdir(DEPLOYMENTS_DIR, { recursive: true });
await writeFile(file, formatDeployment(deployment));
console.log(`Deployed on chain ${deployment.chainId} (network "${connection.networkName}"):`);
console.table(deployment.contracts);
console.log(`Addresses written to ${path.relative(process.cwd(), file)}`);
if (deployment.timelock !== undefined) {
  console.log(
    `Admin roles are moving to the timelock ${deployment.timelock}: its proposer schedules acceptDefaultAdminTransfer() ` +
      "on the registry, staking, reward pools and Proof of Attribution, and executes it after both delays.",
  );
} else if (setting("OPENLEDGER_ADMIN") !== undefined) {
  console.log(`Admin roles are moving to ${setting("OPENLEDGER_ADMIN")}: it calls acceptDefaultAdminTransfer() on each contract after the admin delay.`);
}
await connection.close();
