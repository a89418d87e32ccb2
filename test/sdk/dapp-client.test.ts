import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";
import { network } from "hardhat";
import {
  createClient as createViemClient,
  createPublicClient,
  createWalletClient,
  custom,
  getAddress,
  http,
  type Chain,
  type Client,
  type EIP1193RequestFn,
  type Transport,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat, optimism } from "viem/chains";

import {
  createClient,
  DataKind,
  datanetPolicy,
  DeploymentError,
  knownDeployment,
  knownDeployments,
  NodeUnavailableError,
  openledgerActions,
  requireWallet,
  signPermit,
  TransactionError,
  UserRejectedError,
  type Deployment,
  type OpenLedgerActions,
  type OpenLedgerClient,
} from "../../sdk/index.ts";
import { deployProtocol } from "../../scripts/lib/deploy.ts";
import { ROOT } from "../helpers/local-node.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;

/** An HTTP JSON-RPC endpoint that answers every request with 503, counting and timing them. */
async function alwaysUnavailable() {
  const arrivals: number[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      arrivals.push(performance.now());
      response.writeHead(503, { "content-type": "text/plain" }).end("Service Unavailable");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A read through `sdk` against the 503 endpoint: the error, the requests it made and how long it took. */
async function failingRead(read: () => Promise<unknown>, arrivals: number[]) {
  arrivals.length = 0;
  const started = performance.now();
  const error = await read().then(
    () => expect.fail("the read should fail"),
    (e: unknown) => e,
  );
  return { error, requests: arrivals.length, ms: performance.now() - started };
}

async function deployed() {
  return { deployment: await deployProtocol(connection) };
}

// Type-level checks (tsc runs over this file in `npm run typecheck`): clients on any chain, bare or
// decorated, public or wallet, are accepted; a wallet client without an account is not.
type WagmiStyleClient = Client<Transport, Chain>; // what wagmi's `getClient(config)` returns
export function typeChecks(deployment: Deployment, wagmiClient: WagmiStyleClient) {
  const account = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  const opPublic = createPublicClient({ chain: optimism, transport: http() });
  const opWallet = createWalletClient({ chain: optimism, account, transport: http() });
  const a: OpenLedgerClient = createClient({ publicClient: opPublic, walletClient: opWallet, deployment });
  const b: OpenLedgerClient = createClient({ publicClient: wagmiClient, deployment, retry: { retries: 1, baseDelayMs: 50, maxDelayMs: 50 } });
  const c = opPublic.extend(openledgerActions(deployment));
  const d = wagmiClient.extend(openledgerActions(deployment, { retry: false }));
  const e: OpenLedgerActions = opWallet.extend(openledgerActions(deployment));
  // Viem's own actions stay beside the SDK's.
  return [a.datanets.get, b.contributions.submit, c.getBlockNumber, c.datanets.get, d.validators.pending, e.contributions.reveal] as const;
}

describe("SDK clients for dapps", function () {
  it("decorates any viem client with the same actions createClient binds", async function () {
    const { deployment } = await networkHelpers.loadFixture(deployed);
    const publicClient = await viem.getPublicClient();
    const [, owner] = await viem.getWalletClients();
    const decorated = owner!.extend(openledgerActions(deployment));
    const made = createClient({ publicClient, walletClient: owner!, deployment });
    expect(Object.keys(decorated).filter((k) => k in made && typeof (made as Record<string, unknown>)[k] === "object")).to.include.members([
      "datanets",
      "contributions",
      "validators",
      "history",
    ]);
    for (const [name, group] of Object.entries(made)) {
      if (typeof group !== "object" || group === null || name === "deployment" || name.endsWith("Client")) continue;
      expect(Object.keys((decorated as unknown as Record<string, object>)[name]!), name).to.deep.equal(Object.keys(group));
    }
    // The decorated wallet client writes with its account; a decorated bare client reads.
    const { datanetId } = await (await decorated.datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://decorated", policy: datanetPolicy() })).wait();
    const bare = createViemClient({ chain: hardhat, transport: custom(connection.provider) }).extend(openledgerActions(deployment));
    expect(getAddress((await bare.datanets.get(datanetId)).owner)).to.equal(getAddress(owner!.account.address));
    expect(decorated.deployment).to.equal(deployment);
    // A client on an OP Stack chain keeps its chain (and its formatters) in the SDK's clients.
    const op = createClient({ publicClient: createPublicClient({ chain: optimism, transport: http("http://127.0.0.1:1") }), deployment });
    expect(op.publicClient.chain?.id).to.equal(optimism.id);
  });

  it("retries once, in the SDK: a dead RPC fails within 5 requests and 3 s by default, and as configured", async function () {
    const { deployment } = await networkHelpers.loadFixture(deployed);
    const rpc = await alwaysUnavailable();
    try {
      // A stock viem transport retries 3 times by itself; the SDK sends without those retries.
      const publicClient = createPublicClient({ chain: hardhat, transport: http(rpc.url) });
      const cases = [
        ["createClient", createClient({ publicClient, deployment }).datanets, 5],
        ["decorator", publicClient.extend(openledgerActions(deployment)).datanets, 5],
        ["retry: 1", createClient({ publicClient, deployment, retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 10 } }).datanets, 2],
        ["retry: false", publicClient.extend(openledgerActions(deployment, { retry: false })).datanets, 1],
      ] as const;
      for (const [name, datanets, expected] of cases) {
        const { error, requests, ms } = await failingRead(() => datanets.get(1n), rpc.arrivals);
        // Without retries the 503 is the answer (a TransactionError); with them, the node "kept failing".
        expect(error, name).to.be.instanceOf(expected === 1 ? TransactionError : NodeUnavailableError);
        expect(requests, name).to.equal(expected);
        expect(ms, name).to.be.lessThan(3_000);
        if (name === "createClient") console.log(`      a read against an RPC answering 503: ${requests} requests, ${Math.round(ms)} ms`);
      }
    } finally {
      await rpc.close();
    }
  });

  it("turns a wallet's refusal (EIP-1193 code 4001) into a UserRejectedError, for transactions and signatures", async function () {
    const { deployment } = await networkHelpers.loadFixture(deployed);
    const publicClient = await viem.getPublicClient();
    const [, owner] = await viem.getWalletClients();
    // A browser wallet whose user clicks "Reject" on every prompt.
    const refusing = (async ({ method, params }: { method: string; params?: unknown[] }) => {
      if (method === "eth_sendTransaction" || method.startsWith("eth_signTypedData") || method === "personal_sign") {
        throw Object.assign(new Error("User rejected the request."), { code: 4001 });
      }
      return connection.provider.request({ method, params });
    }) as EIP1193RequestFn;
    const walletClient = createWalletClient({ chain: hardhat, account: owner!.account.address, transport: custom({ request: refusing }) });
    const sdk = createClient({ publicClient, walletClient, deployment });
    const before = await publicClient.getTransactionCount({ address: owner!.account.address });
    for (const attempt of [
      () => sdk.datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://rejected", policy: datanetPolicy() }),
      () => signPermit(requireWallet(sdk, "permit"), { spender: deployment.contracts.validatorStaking, amount: 1n }),
    ]) {
      const error = await attempt().then(() => expect.fail("expected a rejection"), (e: unknown) => e);
      expect(error).to.be.instanceOf(UserRejectedError);
      expect((error as UserRejectedError).name).to.equal("UserRejectedError");
    }
    expect(await publicClient.getTransactionCount({ address: owner!.account.address })).to.equal(before);
  });

  it("ships deployments by chain id, and says so when a chain has none", function () {
    for (const [chainId, deployment] of Object.entries(knownDeployments)) {
      expect(knownDeployment(Number(chainId))).to.equal(deployment);
      expect(deployment.chainId).to.equal(Number(chainId));
    }
    // A local node's addresses differ per run: never shipped, always read from its addresses file.
    expect(knownDeployments[31337]).to.equal(undefined);
    expect(() => knownDeployment(31337)).to.throw(DeploymentError, /No deployment of the protocol is shipped for chain 31337.*deployments\/31337\.json/);
  });

  it("shows in the README's Browser, wagmi and Node sections only code that readme-snippets.ts type-checks", async function () {
    const readme = await readFile(`${ROOT}/README.md`, "utf8");
    const snippets = await readFile(`${ROOT}/test/sdk/readme-snippets.ts`, "utf8");
    const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("//"));
    const imported = (text: string, from: string) =>
      [...text.matchAll(new RegExp(`import \\{([^}]*)\\} from "${from}";`, "g"))].flatMap((m) => m[1]!.split(",").map((n) => n.trim().replace(/^type /, "")));
    for (const [heading, fn] of [["### Browser (an EIP-1193 wallet)", "browser"], ["### wagmi", "wagmi"], ["### Node", "node"]] as const) {
      const block = readme.split(`${heading}\n`)[1]?.split("```ts\n")[1]?.split("```")[0];
      expect(block, heading).to.be.a("string");
      const body = lines(snippets.split(`export async function ${fn}(`)[1]!.split("\n}\n")[0]!.split("\n").slice(1).join("\n"));
      const code = lines(block!).filter((l) => !l.startsWith("import "));
      // Every line the README shows is in the type-checked function, in the same order.
      let at = 0;
      for (const line of code) {
        at = body.indexOf(line, at);
        expect(at, `${heading}: ${line}`).to.be.greaterThan(-1);
      }
      // What the README imports from the SDK and viem, the snippets import too (wagmi is the app's own).
      for (const [from, local] of [["@openledger-evm/sdk", "../../sdk/index.ts"], ["viem", "viem"], ["viem/chains", "viem/chains"], ["viem/accounts", "viem/accounts"]] as const) {
        for (const name of imported(block!, from)) expect(imported(snippets, local), `${heading}: ${name} from ${from}`).to.include(name);
      }
    }
  });
});
