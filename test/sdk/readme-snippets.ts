/**
 * The README's SDK snippets (Browser, wagmi, Node), type-checked by `npm run typecheck`: each README
 * block is the body of one function here, line for line (test/sdk/dapp-client.test.ts holds them
 * equal; the README imports from "@openledger-evm/sdk" what this file imports from the source).
 */
import { readFile } from "node:fs/promises";

import { createPublicClient, createWalletClient, custom, http, type Account, type Chain, type Client, type EIP1193Provider, type Transport } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { optimism } from "viem/chains";

import { createClient, hashBlob, memoryRevealStore, openledgerActions, parseDeployment, serializeSignedVerdicts, type Deployment } from "../../sdk/index.ts";

// README "Browser": `ethereum` is the wallet's provider (window.ethereum), `file` an <input type="file">'s File.
export async function browser(ethereum: EIP1193Provider, file: File, deployment: Deployment, datanetId: bigint, uri: string) {
  const [address] = await ethereum.request({ method: "eth_requestAccounts" });
  const walletClient = createWalletClient({ account: address!, chain: optimism, transport: custom(ethereum) });
  const publicClient = createPublicClient({ chain: optimism, transport: http() });
  const openledger = createClient({ publicClient, walletClient, deployment });

  const { contentHash, sizeBytes } = await hashBlob(file); // the hash the chain registers for these bytes
  const store = memoryRevealStore(); // or your own, over localStorage or IndexedDB
  const submitted = await openledger.contributions.submit(
    { datanetId, contentHash, sizeBytes, uri },
    { store, onProgress: (p) => console.log(p.step) }, // checked, committed, revealing, revealed
  );
  // A rejected reveal throws UserRejectedError; the commitment and its salt stay in the store:
  // for (const pending of await store.list()) await openledger.contributions.reveal(pending, { store });
  const { contributionId } = await submitted.wait();

  const signed = await openledger.validators.signVerdict({ contentHash, accept: true, quality: 90, reasonCode: 0 });
  await fetch("https://relayer.example/verdicts", { method: "POST", body: serializeSignedVerdicts([signed]) });
  return contributionId;
}

// README "wagmi": `client` is getClient(config), `connectorClient` is await getConnectorClient(config).
export async function wagmi(client: Client<Transport, Chain>, connectorClient: Client<Transport, Chain, Account>, deployment: Deployment) {
  const reader = client.extend(openledgerActions(deployment));
  const writer = connectorClient.extend(openledgerActions(deployment)); // signs with the connected wallet
  const board = await reader.reputation.leaderboard({ datanetId: 1n });
  await (await writer.validators.stake({ datanetId: 1n, amount: 1_000n * 10n ** 18n })).wait();
  return board;
}

// README "Node": a key from the environment, the addresses file `npm run deploy` wrote.
export async function node(rpcUrl: string, key: `0x${string}`) {
  const deployment = parseDeployment(JSON.parse(await readFile("deployments/10.json", "utf8")));
  const publicClient = createPublicClient({ chain: optimism, transport: http(rpcUrl) });
  const walletClient = createWalletClient({ account: privateKeyToAccount(key), chain: optimism, transport: http(rpcUrl) });
  const openledger = createClient({ publicClient, walletClient, deployment, retry: { retries: 6, baseDelayMs: 200, maxDelayMs: 4_000 } });
  return openledger.datanets.get(1n);
}
