import { readFile } from "node:fs/promises";
import path from "node:path";

import { createPublicClient, createWalletClient, defineChain, http, isHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { NetworkConnection } from "hardhat/types/network";

import {
  ClientConfigError,
  createClient,
  createIndexerClient,
  DeploymentError,
  type Deployment,
  type OpenLedgerClient,
} from "@openledger-evm/sdk";
import { deploymentFilePath, readDeploymentFile } from "@openledger-evm/sdk/node";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
/** Where Multicall3 lives on almost every EVM chain. */
const MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11";

/** Options every command takes. */
export interface GlobalOptions {
  rpc?: string;
  deployment?: string;
  json: boolean;
}

/** Where a command runs: the SDK client, and how to end. */
export interface CliContext {
  client: OpenLedgerClient;
  /** True on the embedded in-process network, which lasts for this command only. */
  embedded: boolean;
  close(): Promise<void>;
}

/** A client that signs: the key is set. */
export type SigningClient = OpenLedgerClient & { walletClient: NonNullable<OpenLedgerClient["walletClient"]> };

/**
 * A command's way to the chain, connected on first use, so that a command checks all its arguments
 * before any connection is made (and refuses bad input without touching a node).
 */
export interface Session {
  /** The node's URL (--rpc, else OPENLEDGER_RPC_URL); undefined on the embedded network. */
  readonly rpc: string | undefined;
  client(): Promise<OpenLedgerClient>;
  /** The client, required to sign (a clear error naming OPENLEDGER_KEY otherwise). */
  wallet(): Promise<SigningClient>;
  close(): Promise<void>;
}

export function openSession(options: GlobalOptions, onConnect: (context: CliContext) => void): Session {
  let context: Promise<CliContext> | undefined;
  const get = () => {
    context ??= connect(options).then((c) => {
      onConnect(c);
      return c;
    });
    return context;
  };
  return {
    rpc: rpcUrl(options),
    client: async () => (await get()).client,
    wallet: async () => {
      const { client } = await get();
      if (client.walletClient === undefined) {
        throw new ClientConfigError("This command sends a transaction: set OPENLEDGER_KEY (a private key) in the environment or .env.");
      }
      return client as SigningClient;
    },
    // A connection that failed has nothing to close (and its error was already reported).
    close: async () => {
      if (context !== undefined) await (await context.catch(() => undefined))?.close();
    },
  };
}

/** The node a command talks to: --rpc, else OPENLEDGER_RPC_URL; undefined for the embedded network. */
const rpcUrl = (options: GlobalOptions, env: NodeJS.ProcessEnv = process.env) => options.rpc ?? (env.OPENLEDGER_RPC_URL || undefined);

/**
 * Connects as the command asks. With `--rpc` (or OPENLEDGER_RPC_URL in `.env`), to that node, with
 * the deployment from `--deployment`, OPENLEDGER_DEPLOYMENT or `deployments/<chainId>.json`, and the
 * key from OPENLEDGER_KEY (never a flag: flags end up in shell history), and the indexer API from
 * OPENLEDGER_INDEXER_URL when set (the leaderboard, pending queue, claimable epochs and lineage read
 * from it; without it, from the chain's logs). Otherwise, to the embedded
 * in-process network with a fresh deployment, as its first account.
 */
export async function connect(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<CliContext> {
  const rpc = rpcUrl(options, env);
  if (rpc === undefined) return connectEmbedded();
  const probe = createPublicClient({ transport: http(rpc) });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (cause) {
    throw new ClientConfigError(`Cannot reach the node at ${rpc}: ${(cause as Error).message.split("\n")[0]}`);
  }
  // Batched reads go through Multicall3 where the chain has it at its canonical address.
  const multicallCode = await probe.getCode({ address: MULTICALL3 }).catch(() => undefined);
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpc] } },
    contracts: multicallCode !== undefined && multicallCode !== "0x" ? { multicall3: { address: MULTICALL3 } } : undefined,
  });
  const file = options.deployment ?? (env.OPENLEDGER_DEPLOYMENT || undefined) ?? deploymentFilePath(path.join(ROOT, "deployments"), chainId);
  const deployment = await readDeploymentFile(file);
  if (deployment.chainId !== chainId) {
    throw new DeploymentError(`${file} is for chain ${deployment.chainId}, but ${rpc} serves chain ${chainId}.`);
  }
  // The SDK sends through these transports with its own retry layer (createClient's `retry`).
  const publicClient = createPublicClient({ chain, transport: http(rpc) });
  const key = env.OPENLEDGER_KEY || undefined;
  if (key !== undefined && !(isHex(key) && key.length === 66)) {
    throw new ClientConfigError("OPENLEDGER_KEY must be a 0x-prefixed 32-byte private key.");
  }
  const walletClient =
    key === undefined ? undefined : createWalletClient({ account: privateKeyToAccount(key as Hex), chain, transport: http(rpc) });
  // With an indexer API the readers that would scan the chain's logs ask it instead.
  const indexerUrl = env.OPENLEDGER_INDEXER_URL || undefined;
  const indexer = indexerUrl === undefined ? undefined : createIndexerClient({ url: indexerUrl });
  return { client: createClient({ publicClient, walletClient, deployment, indexer }), embedded: false, close: async () => {} };
}

/**
 * The embedded network deploys the repository's contracts with hardhat: it runs inside the
 * repository only (hardhat is no dependency of the published CLI). A URL, not a literal import, so
 * the compiled CLI in `cli/dist/` finds the script too and its build does not pull the script in.
 */
const DEPLOY_SCRIPT = new URL("../../scripts/lib/deploy.ts", import.meta.url).href;

async function connectEmbedded(): Promise<CliContext> {
  let network: typeof import("hardhat").network;
  let deployProtocol: (connection: NetworkConnection) => Promise<Deployment>;
  try {
    ({ network } = await import("hardhat"));
    ({ deployProtocol } = (await import(DEPLOY_SCRIPT)) as { deployProtocol: typeof deployProtocol });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw cause;
    throw new ClientConfigError(
      "No node given: pass --rpc <url> (or set OPENLEDGER_RPC_URL) and --deployment <file>; the embedded network runs only inside the openledger-evm repository.",
    );
  }
  const connection = await network.create();
  const deployment = await deployProtocol(connection);
  const publicClient = await connection.viem.getPublicClient();
  const [walletClient] = await connection.viem.getWalletClients();
  return {
    client: createClient({ publicClient, walletClient, deployment }),
    embedded: true,
    close: () => connection.close(),
  };
}

/** Reads a file the user named, as an input error when it cannot be read. */
export async function readInput(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ClientConfigError(code === "ENOENT" ? `${file} not found` : `Cannot read ${file}: ${code ?? (cause as Error).message}`);
  }
}
