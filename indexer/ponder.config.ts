/**
 * The protocol's contracts on one chain, from the addresses file `npm run deploy` writes, indexed from
 * its start block. Settings (environment):
 *   OPENLEDGER_RPC_URL      the chain's JSON-RPC endpoint (required)
 *   OPENLEDGER_DEPLOYMENT   the addresses file (default: deployments/<chainId>.json, as the CLI reads)
 *   DATABASE_URL            PostgreSQL connection string; without it the data lives in embedded PGlite
 *   OPENLEDGER_INDEXER_DIR  PGlite's folder (default: indexer/.ponder/pglite)
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import { createConfig, factory } from "ponder";
import { getAbiItem } from "viem";

import {
  attestationRegistryAbi,
  datanetRegistryAbi,
  merkleEpochAbi,
  merkleEpochDistributorAbi,
  modelFactoryAbi,
  proofOfAttributionAbi,
  rewardPoolsAbi,
  validatorStakingAbi,
} from "../sdk/abis/index.ts";
import { deploymentFilePath, readDeploymentFile } from "../sdk/node/deployment.ts";

/** This app's folder (Ponder's loader has no `import.meta.dirname`). */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..");
const rpc = process.env.OPENLEDGER_RPC_URL || undefined;
if (rpc === undefined) throw new Error("Set OPENLEDGER_RPC_URL to the chain's JSON-RPC endpoint.");

/** The chain id the node reports: it names the default addresses file. */
async function chainIdOf(url: string): Promise<number> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
  const body = (await response.json()) as { result?: string; error?: { message: string } };
  if (body.result === undefined) throw new Error(`${url} did not answer eth_chainId: ${body.error?.message ?? "no result"}`);
  return Number(body.result);
}

const file = process.env.OPENLEDGER_DEPLOYMENT || deploymentFilePath(path.join(ROOT, "deployments"), await chainIdOf(rpc));
const deployment = await readDeploymentFile(file);
const { contracts } = deployment;
const startBlock = Number(deployment.startBlock);
/** Local development chains restart from scratch: their blocks must not be cached across runs. */
const LOCAL_CHAIN_IDS = [31337, 1337];

export default createConfig({
  database:
    process.env.DATABASE_URL
      ? { kind: "postgres", connectionString: process.env.DATABASE_URL }
      : { kind: "pglite", directory: process.env.OPENLEDGER_INDEXER_DIR || path.join(HERE, ".ponder", "pglite") },
  chains: {
    openledger: { id: deployment.chainId, rpc, disableCache: LOCAL_CHAIN_IDS.includes(deployment.chainId) },
  },
  contracts: {
    DatanetRegistry: { chain: "openledger", abi: datanetRegistryAbi, address: contracts.datanetRegistry, startBlock },
    ValidatorStaking: { chain: "openledger", abi: validatorStakingAbi, address: contracts.validatorStaking, startBlock },
    AttestationRegistry: { chain: "openledger", abi: attestationRegistryAbi, address: contracts.attestationRegistry, startBlock },
    MerkleEpochDistributor: { chain: "openledger", abi: merkleEpochDistributorAbi, address: contracts.merkleEpochDistributor, startBlock },
    // Every epoch contract the distributor deploys (reward and attribution epochs alike), found from its RootPosted.
    MerkleEpoch: {
      chain: "openledger",
      abi: merkleEpochAbi,
      address: factory({
        address: contracts.merkleEpochDistributor,
        event: getAbiItem({ abi: merkleEpochDistributorAbi, name: "RootPosted" }),
        parameter: "epochContract",
      }),
      startBlock,
    },
    RewardPools: { chain: "openledger", abi: rewardPoolsAbi, address: contracts.rewardPools, startBlock },
    ModelFactory: { chain: "openledger", abi: modelFactoryAbi, address: contracts.modelFactory, startBlock },
    ProofOfAttribution: { chain: "openledger", abi: proofOfAttributionAbi, address: contracts.proofOfAttribution, startBlock },
  },
});
