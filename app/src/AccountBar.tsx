import { createWalletClient, http, parseEther, parseUnits } from "viem";
import { useConnect, useConnection, useConnectors, useDisconnect } from "wagmi";

import { openTokenAbi } from "@openledger-evm/sdk";

import { ActionStatus, Alert, Short, open, useAction, useApp, useLoad, useWallet } from "./protocol.tsx";
import { deploymentChain, seedAccounts } from "./wallet.ts";

/** What a burner gets from the local node's seed accounts: gas, and OPEN for bonds and stake. */
const BURNER_ETH = parseEther("10");
const BURNER_OPEN = parseUnits("5000", 18);

/** The connected account, its balances, and (on a local chain) the burner's funding from the node. */
export function AccountBar() {
  const { config, reader } = useApp();
  const connection = useConnection();
  const connectors = useConnectors();
  const connect = useConnect();
  const disconnect = useDisconnect();
  const action = useAction();
  const wallet = useWallet();
  const account = connection.status === "connected" ? connection.address : undefined;
  const balances = useLoad(
    ["balances", account],
    async () => ({
      eth: await reader.publicClient.getBalance({ address: account! }),
      open: await reader.publicClient.readContract({ address: config.deployment.contracts.openToken, abi: openTokenAbi, functionName: "balanceOf", args: [account!] }),
    }),
    { enabled: account !== undefined },
  );

  const fund = () =>
    action.run(async (step) => {
      // The node's seed accounts are unlocked: the node signs for them (a local chain only).
      const [seed] = await seedAccounts(config.rpcUrl);
      if (seed === undefined) throw new Error("The node has no unlocked seed account to fund the burner from.");
      const chain = deploymentChain(config);
      const node = createWalletClient({ account: seed, chain, transport: http(config.rpcUrl) });
      step("Sending 10 ETH for gas from the node's seed account…");
      await reader.publicClient.waitForTransactionReceipt({ hash: await node.sendTransaction({ to: account!, value: BURNER_ETH }) });
      step("Sending 5,000 OPEN from the deployer's supply…");
      await reader.publicClient.waitForTransactionReceipt({
        hash: await node.writeContract({ address: config.deployment.contracts.openToken, abi: openTokenAbi, functionName: "transfer", args: [account!, BURNER_OPEN] }),
      });
      return "The burner wallet is funded.";
    });

  return (
    <section className="account" aria-label="Wallet">
      {connection.status === "reconnecting" || connection.status === "connecting" ? (
        <span role="status">Connecting the wallet…</span>
      ) : account === undefined ? (
        <>
          {connectors.map((connector) => (
            <button key={connector.uid} type="button" onClick={() => connect.mutate({ connector })}>
              {connector.id === "burner" ? "Use a burner wallet" : `Connect ${connector.name}`}
            </button>
          ))}
          <Alert text={connect.error?.message.split("\n")[0]} />
        </>
      ) : (
        <>
          <span>
            <Short address={account} /> via {connection.connector?.name}
          </span>
          {balances.data !== undefined && (
            <span data-testid="balances">
              {" "}· {open(balances.data.open)} · {(Number(balances.data.eth) / 1e18).toFixed(3)} ETH
            </span>
          )}
          {config.local && connection.connector?.id === "burner" && (
            <button type="button" disabled={action.busy} onClick={fund}>
              Fund from the local node
            </button>
          )}
          <button type="button" onClick={() => disconnect.mutate({})}>
            Disconnect
          </button>
          <Alert text={wallet.problem} />
          <ActionStatus action={action} />
        </>
      )}
    </section>
  );
}
