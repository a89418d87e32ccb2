import { createConnector, createConfig, http, injected, type Config } from "wagmi";
import { createWalletClient, defineChain, getAddress, type Address, type Chain, type Hex, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import type { AppConfig } from "./config.ts";

/** Where the burner wallet's private key lives: this browser only, never sent anywhere. */
const BURNER_KEY = "openledger.burner-key";
/** Set while the burner is the connected wallet, so a reload reconnects it. */
const BURNER_CONNECTED = "openledger.burner-connected";

/** The chain the deployment is on, reached through the app's RPC URL. */
export function deploymentChain(config: AppConfig): Chain {
  return defineChain({
    id: config.deployment.chainId,
    name: config.local ? "Local node" : `Chain ${config.deployment.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
}

/** The burner's key from localStorage, made on first use. */
export function burnerKey(): Hex {
  let key = localStorage.getItem(BURNER_KEY) as Hex | null;
  if (key === null || !/^0x[0-9a-fA-F]{64}$/.test(key)) {
    key = generatePrivateKey();
    localStorage.setItem(BURNER_KEY, key);
  }
  return key;
}

/**
 * A wagmi connector for the burner wallet: a local account that signs in the page, so a local chain
 * needs no wallet extension. Its client is a viem wallet client with that account.
 */
function burner(chain: Chain, rpcUrl: string) {
  let client: WalletClient | undefined;
  /** One client (and so one provider object: wagmi tells providers apart by identity) per page. */
  const walletClient = () => (client ??= createWalletClient({ account: privateKeyToAccount(burnerKey()), chain, transport: http(rpcUrl) }));
  const address = () => walletClient().account!.address;
  return createConnector<WalletClient>(() => ({
    id: "burner",
    name: "Burner wallet (this browser)",
    type: "burner",
    async connect() {
      localStorage.setItem(BURNER_CONNECTED, "1");
      return { accounts: [address()] as never, chainId: chain.id };
    },
    async disconnect() {
      localStorage.removeItem(BURNER_CONNECTED);
    },
    async getAccounts() {
      return [address()] as readonly Address[];
    },
    async getChainId() {
      return chain.id;
    },
    async getProvider() {
      return walletClient();
    },
    async getClient() {
      return walletClient();
    },
    // Reconnects after a reload unless the user disconnected.
    async isAuthorized() {
      return localStorage.getItem(BURNER_CONNECTED) === "1";
    },
    onAccountsChanged() {},
    onChainChanged() {},
    onDisconnect() {},
  }));
}

/** wagmi's configuration: the deployment's chain; a burner on local chains, injected (EIP-1193) wallets always. */
export function wagmiConfig(config: AppConfig): Config {
  const chain = deploymentChain(config);
  return createConfig({
    chains: [chain],
    connectors: config.local ? [burner(chain, config.rpcUrl), injected()] : [injected()],
    transports: { [chain.id]: http(config.rpcUrl) },
    multiInjectedProviderDiscovery: false,
  });
}

/** The node's unlocked seed accounts (a local node only): the first holds the OPEN supply after deployment. */
export async function seedAccounts(rpcUrl: string): Promise<Address[]> {
  const response = await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_accounts", params: [] }) });
  const { result } = (await response.json()) as { result?: string[] };
  return (result ?? []).map((a) => getAddress(a));
}
