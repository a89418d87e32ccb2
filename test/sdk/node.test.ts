import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { createPublicClient, createWalletClient, defineChain, http, keccak256, toBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import {
  buildMerkleEpoch,
  createClient,
  datanetPolicy,
  datanetRegistryAbi,
  DataKind,
  hashContent,
  NodeUnavailableError,
  openTokenAbi,
  rebuildProtocolState,
  TransactionError,
  verifyProtocolState,
  type Deployment,
} from "../../sdk/index.ts";
import { indexProtocolEvents, readDeploymentFile } from "../../sdk/node/index.ts";
import { startFaultProxy, type Fault } from "../helpers/fault-proxy.ts";
import { advanceTime, deployToNode, NODE_KEYS, startLocalNode, type LocalNode } from "../helpers/local-node.ts";

const OPEN = 10n ** 18n;

describe("SDK over HTTP against a separate node, with faults", function () {
  let node: LocalNode;
  let dir: string;
  let deployment: Deployment;
  const chain = defineChain({ id: 31_337, name: "hardhat node", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [] } } });

  /** An SDK client for `key` through `url`, with viem's own retries off so the SDK's are what is tested. */
  function sdkAt(url: string, key?: string) {
    const transport = http(url, { retryCount: 0, timeout: 1_000 });
    const publicClient = createPublicClient({ chain, transport });
    const walletClient = key === undefined ? undefined : createWalletClient({ account: privateKeyToAccount(key as `0x${string}`), chain, transport });
    return createClient({ publicClient, walletClient, deployment });
  }

  before(async function () {
    this.timeout(240_000);
    dir = await mkdtemp(path.join(tmpdir(), "openledger-node-"));
    node = await startLocalNode();
    deployment = await readDeploymentFile(await deployToNode(node.url, dir));
  });

  after(async function () {
    await node?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("exercises the modules over HTTP, then indexes and verifies the node's whole history", async function () {
    this.timeout(180_000);
    const [treasury, owner, contributor, v1, v2] = NODE_KEYS.map((k) => sdkAt(node.url, k));
    // The validators stake, the contributor bonds its submission.
    for (const v of [v1!, v2!, contributor!]) {
      const hash = await treasury!.walletClient!.writeContract({ address: deployment.contracts.openToken, abi: openTokenAbi, functionName: "transfer", args: [v.walletClient!.account.address, 1_000n * OPEN], chain });
      await treasury!.publicClient.waitForTransactionReceipt({ hash });
    }
    const { datanetId } = await (await owner!.datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://http", policy: datanetPolicy({ quorum: 2 }) })).wait();
    for (const v of [v1!, v2!]) await (await v.validators.stake({ datanetId, amount: 1_000n * OPEN })).wait();
    const item = { ...hashContent("Tides come from the Moon's gravity pulling on the oceans."), uri: "ipfs://http/1" };
    await (await contributor!.contributions.submit({ datanetId, ...item })).wait();
    const aggregator = treasury!.validators.aggregator();
    for (const v of [v1!, v2!]) await aggregator.add(await v.validators.signVerdict({ contentHash: item.contentHash, accept: true, quality: 90, reasonCode: 0 }));
    // Verdicts open 30 minutes after the reveal: until then the aggregator holds them.
    expect((await aggregator.flush()).waiting).to.have.length(2);
    await advanceTime(node.url, 30 * 60);
    expect((await aggregator.flush()).finalized).to.have.length(1);
    const epoch = BigInt(await owner!.datanets.currentEpoch(datanetId));
    await (await treasury!.rewards.fund({ datanetId, epoch, amount: 100n * OPEN })).wait();
    const payouts = buildMerkleEpoch([{ account: contributor!.walletClient!.account.address, amount: 5n * OPEN }]);
    await (await treasury!.epochs.postRoot({ poolId: 9n, epoch: 1n, built: payouts, recordsHash: keccak256(toBytes("records")) })).wait();
    await (await owner!.epochs.claim([{ poster: treasury!.walletClient!.account.address, poolId: 9n, epoch: 1n, ...payouts.claim(0n) }])).wait();
    await advanceTime(node.url, 24 * 3_600);
    const { paid } = await (await contributor!.rewards.claim({ datanetId, epochs: [epoch] })).wait();
    expect(paid).to.equal(80n * OPEN);

    const auditor = sdkAt(node.url);
    const checkpointFile = path.join(dir, "checkpoint.json");
    const { events, unconfirmed, confirmedBlock } = await indexProtocolEvents(auditor, { checkpointFile, rangeSize: 4n, confirmations: 1 });
    expect(events.length).to.be.greaterThan(10);
    // The last block (the reward claim) is not yet final: the confirmed state is checked at the
    // confirmed block, and with the tail at the head.
    expect(unconfirmed.map((e) => e.eventName)).to.include("RewardsClaimed");
    expect(await verifyProtocolState(auditor, rebuildProtocolState(auditor, events), { blockNumber: confirmedBlock })).to.deep.equal([]);
    expect(await verifyProtocolState(auditor, rebuildProtocolState(auditor, [...events, ...unconfirmed]))).to.deep.equal([]);
  });

  it("loses no transaction and sends none twice through timeouts, 429s and dropped connections; reads succeed", async function () {
    this.timeout(180_000);
    // Every third request of a kind is refused with 429, every fifth is slow (past the 1 s timeout),
    // and the answer to each first sending of a transaction is lost after the node got it.
    const plan = (method: string, n: number): Fault =>
      method === "eth_sendRawTransaction" ? (n % 2 === 1 ? "drop-after" : "forward") : n % 3 === 0 ? "429" : n % 5 === 0 ? "slow" : "forward";
    const proxy = await startFaultProxy(node.url, plan);
    try {
      const key = NODE_KEYS[5]!;
      const flaky = sdkAt(proxy.url, key);
      const direct = sdkAt(node.url, key);
      const account = flaky.walletClient!.account.address;
      const nonceBefore = await direct.publicClient.getTransactionCount({ address: account });
      const countBefore = await direct.publicClient.readContract({ address: deployment.contracts.datanetRegistry, abi: datanetRegistryAbi, functionName: "datanetCount" });
      const created: bigint[] = [];
      for (let i = 0; i < 3; i++) {
        const { datanetId } = await (await flaky.datanets.create({ kind: DataKind.Text, metadataURI: `ipfs://flaky/${i}`, policy: datanetPolicy() })).wait();
        created.push(datanetId);
      }
      expect(await direct.publicClient.getTransactionCount({ address: account })).to.equal(nonceBefore + 3);
      expect(created).to.deep.equal([countBefore + 1n, countBefore + 2n, countBefore + 3n]);
      for (const id of created) expect((await flaky.datanets.get(id)).owner).to.equal(account);
      // Each transaction was sent twice (its answer lost the first time), with the same bytes: the
      // node kept one, and the account's nonce moved by exactly three.
      expect(proxy.seen.filter((s) => s.method === "eth_sendRawTransaction").map((s) => s.fault)).to.deep.equal(
        ["drop-after", "forward", "drop-after", "forward", "drop-after", "forward"],
      );
      expect(proxy.seen.some((s) => s.fault === "429") && proxy.seen.some((s) => s.fault === "slow")).to.equal(true);
    } finally {
      await proxy.close();
    }
  });

  it("surfaces what cannot be retried, and what never recovers, as named SDK errors", async function () {
    this.timeout(120_000);
    for (const [fault, kind] of [["401", TransactionError], ["503", NodeUnavailableError]] as const) {
      const proxy = await startFaultProxy(node.url, () => fault);
      try {
        const client = sdkAt(proxy.url, NODE_KEYS[4]);
        await client.datanets.get(1n);
        expect.fail(`expected ${kind.name}`);
      } catch (error) {
        expect(error, fault).to.be.instanceOf(kind);
        expect((error as Error).name).to.equal(kind === NodeUnavailableError ? "NodeUnavailableError" : "TransactionError");
      } finally {
        await proxy.close();
      }
    }
  });
});
