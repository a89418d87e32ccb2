/**
 * Deploys the protocol with the Ignition module to the network named in `.env` (or the embedded one)
 * and writes the addresses file the SDK reads: `deployments/<chainId>.json`.
 *
 *   npm run deploy                    embedded in-process network (throwaway)
 *   npm run deploy -- --network live  the network configured by OPENLEDGER_RPC_URL and friends
 *
 * Ignition journals every step under deploy/deployments/, so re-running after an interruption
 * resumes instead of deploying twice; the start block of an existing addresses file is kept when
 * the addresses are the same. A journal whose contracts hold no code on the chain (a restarted
 * local node) is removed and the protocol deployed afresh on a local development chain; on any
 * other chain the script stops and says how to start afresh. It never reports addresses without code.
 * OPENLEDGER_DEPLOYMENT_ID names the journal (a new name deploys afresh) and
 * OPENLEDGER_DEPLOYMENTS_DIR where the addresses file goes.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import hre, { network } from "hardhat";
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

/** Chain ids of local development nodes (hardhat node and anvil use 31337; ganache and geth --dev 1337). */
const LOCAL_CHAIN_IDS = [31337n, 1337n];

const connection = await network.create();
const { provider } = connection.ethers;
const { chainId } = await provider.getNetwork();
const file = deploymentFilePath(DEPLOYMENTS_DIR, Number(chainId));
const previous = await readDeploymentFile(file).catch(() => undefined);
const hasCode = async (address: string) => (await provider.getCode(address)) !== "0x";

/** The contracts an Ignition journal records as deployed, by future id ({} when there is no journal). */
async function journaled(dir: string): Promise<Record<string, string>> {
  return JSON.parse(await readFile(path.join(dir, "deployed_addresses.json"), "utf8").catch(() => "{}")) as Record<string, string>;
}

// Ignition resumes from its journal without looking at the chain: after a local node restarts, it
// would report the old addresses, which hold no code. Find that out first. (On the embedded network
// Ignition keeps no journal.)
const deploymentId = setting("OPENLEDGER_DEPLOYMENT_ID") ?? `chain-${chainId}`;
const journalDir = path.join(hre.config.paths.ignition, "deployments", deploymentId);
const recorded = connection.networkConfig.type === "edr-simulated" ? [] : Object.entries(await journaled(journalDir));
const missing = [];
for (const [future, address] of recorded) if (!(await hasCode(address))) missing.push(`${future} at ${address}`);
if (missing.length > 0) {
  const where = path.relative(process.cwd(), journalDir);
  if (!LOCAL_CHAIN_IDS.includes(chainId)) {
    fail(
      `the journal ${where} records contracts that hold no code on chain ${chainId} (${missing[0]}): it belongs to another chain or a reset one. ` +
        `Set OPENLEDGER_DEPLOYMENT_ID to a new name to deploy afresh, or remove ${where} if that chain is gone.`,
    );
  }
  console.error(`deploy: the journal ${where} records ${missing.length} contract(s) that hold no code on this node (a restarted local node); deploying afresh.`);
  await rm(journalDir, { recursive: true, force: true });
}
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
    deploymentId,
  },
);
const empty = [];
for (const [name, address] of Object.entries(deployment.contracts)) if (!(await hasCode(address))) empty.push(`${name} at ${address}`);
if (empty.length > 0) fail(`Ignition reported contracts that hold no code on chain ${chainId} (${empty.join(", ")}); nothing was written.`);
// A resumed deployment keeps the start block its addresses file recorded; a new one starts where it began.
if (previous !== undefined && JSON.stringify(previous.contracts) === JSON.stringify(deployment.contracts)) deployment.startBlock = previous.startBlock;
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
