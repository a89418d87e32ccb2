import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { createPublicClient, custom, decodeEventLog, HttpRequestError, toEventSelector, type EIP1193RequestFn, type Hex } from "viem";
import { hardhat } from "viem/chains";

import { deployProtocol } from "../../scripts/lib/deploy.ts";
import { runDemoStory } from "../../scripts/lib/demo-story.ts";
import {
  createClient,
  DataKind,
  datanetPolicy,
  NodeUnavailableError,
  protocolClient,
  InvalidInputError,
  protocolStateRebuild,
  rebuildProtocolState,
  verifyProtocolState,
  type Deployment,
  type ProtocolClient,
  type RetryPolicy,
} from "../../sdk/index.ts";
import { createEventDecoder } from "../../sdk/node/event-decoder.ts";
import { indexProtocolEvents, protocolEventsAbi } from "../../sdk/node/index.ts";

const connection = await network.create();
const { networkHelpers } = connection;

const OPEN = 10n ** 18n;

/** Stake changes alone: two validators stake, one tops up in a later block, one unbonds. */
async function stakingFixture() {
  const deployment = await deployProtocol(connection);
  const publicClient = await connection.viem.getPublicClient();
  const [, owner, v1, v2] = await connection.viem.getWalletClients();
  const [admin] = await connection.ethers.getSigners();
  const token = await connection.ethers.getContractAt("OpenToken", deployment.contracts.openToken);
  const as = (w: typeof owner) => createClient({ publicClient, walletClient: w!, deployment });
  const { datanetId } = await (await as(owner).datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://staking", policy: datanetPolicy() })).wait();
  for (const v of [v1, v2]) {
    await (await token.connect(admin!).transfer(v!.account.address, 5_000n * OPEN)).wait();
    await (await as(v).validators.stake({ datanetId, amount: 1_000n * OPEN })).wait();
  }
  await (await as(v1).validators.stake({ datanetId, amount: 500n * OPEN })).wait();
  await (await as(v2).validators.requestUnbond({ datanetId })).wait();
  return { deployment: { ...deployment, startBlock: 0n }, publicClient };
}

/** The demo's whole history (every contract, every kind of event), and a client over a transport we can tamper with. */
async function historyFixture() {
  const summary = await runDemoStory(connection, () => {});
  const deployment: Deployment = { chainId: summary.chainId, startBlock: 0n, contracts: summary.contracts as Deployment["contracts"] };
  return { deployment };
}

type Interceptor = (method: string, params: unknown, forward: () => Promise<unknown>) => Promise<unknown>;

/** A client whose every JSON-RPC request passes through `intercept` before reaching the embedded node. */
function clientThrough(deployment: Deployment, intercept: Interceptor = (_, __, forward) => forward(), retry: RetryPolicy | false = false): ProtocolClient {
  const provider = connection.provider;
  const request = (async ({ method, params }: { method: string; params?: unknown }) =>
    intercept(method, params, () => provider.request({ method, params: params as unknown[] }))) as EIP1193RequestFn;
  return protocolClient({ publicClient: createPublicClient({ transport: custom({ request }) }), deployment, retry });
}

describe("SDK indexer and auditor", function () {
  it("rebuilds the whole protocol from events and verifies it against every view: zero discrepancies", async function () {
    const { deployment } = await networkHelpers.loadFixture(historyFixture);
    const client = clientThrough(deployment);
    const progress: bigint[] = [];
    const { events, unconfirmed } = await indexProtocolEvents(client, { rangeSize: 8n, onProgress: (p) => progress.push(p.blocksDone) });
    expect(unconfirmed).to.deep.equal([]);
    expect(progress.length).to.be.greaterThan(2);
    const state = rebuildProtocolState(client, events);
    expect([state.stakes.size, state.rewardPools.size, state.merkleEpochs.size, state.models.size, state.feePools.size]).to.deep.equal([6, 1, 1, 1, 1]);
    expect(await verifyProtocolState(client, state)).to.deep.equal([]);
  });

  it("streams events through onEvents into protocolStateRebuild, the same state as rebuilt from every event held; not with a checkpoint file", async function () {
    const { deployment } = await networkHelpers.loadFixture(historyFixture);
    const client = clientThrough(deployment);
    const { events } = await indexProtocolEvents(client);
    const rebuild = protocolStateRebuild(client);
    let chunks = 0;
    const streamed = await indexProtocolEvents(client, { rangeSize: 8n, onEvents: (chunk) => (chunks++, chunk.forEach(rebuild.apply)) });
    expect(streamed.events).to.deep.equal([]);
    expect(chunks).to.be.greaterThan(2);
    expect(rebuild.finish()).to.deep.equal(rebuildProtocolState(client, events));
    const error = await indexProtocolEvents(client, { onEvents: () => {}, checkpointFile: path.join(tmpdir(), "never-written.json") }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InvalidInputError).with.property("field", "onEvents");
  });

  it("decodes every log as viem's strict decodeEventLog does, and refuses what it refuses: short or empty data, a missing topic, a bool not 0 or 1", async function () {
    const { deployment } = await networkHelpers.loadFixture(historyFixture);
    const logs = await clientThrough(deployment).publicClient.getLogs({ fromBlock: 0n });
    const decodeEvent = createEventDecoder(protocolEventsAbi);
    const outcome = (decode: () => unknown) => {
      try {
        return decode();
      } catch {
        return "refused";
      }
    };
    const word = (n: bigint) => n.toString(16).padStart(64, "0");
    const variants = (topics: Hex[], data: Hex): [Hex[], Hex][] => [
      [topics, data],
      [topics, data.slice(0, -2) as Hex],
      [topics, `${data}${word(7n)}`],
      [topics, "0x"],
      [topics, data.toUpperCase().replace("0X", "0x") as Hex],
      [topics.slice(0, -1), data],
      [topics.map((t, i) => (i === 0 ? t : (t.toUpperCase().replace("0X", "0x") as Hex))), data],
      // The first data word is 2: a bool refuses it, a number or an address reads it.
      [topics, `0x${word(2n)}${data.slice(66)}`],
    ];
    let decoded = 0;
    for (const log of logs) {
      for (const [topics, data] of variants(log.topics as Hex[], log.data)) {
        const ours = outcome(() => decodeEvent(topics, data));
        const viems = outcome(() => decodeEventLog({ abi: protocolEventsAbi, topics: topics as [Hex, ...Hex[]], data, strict: true }));
        expect(ours, `${log.topics[0]} ${data}`).to.deep.equal(viems);
        if (ours !== "refused") decoded++;
      }
    }
    expect(decoded).to.be.greaterThan(logs.length);
  });

  it("reports a Merkle epoch that paid an account above its cap, or that its poster did not register", async function () {
    const { deployment } = await networkHelpers.loadFixture(historyFixture);
    const client = clientThrough(deployment);
    const { events } = await indexProtocolEvents(client);
    const state = rebuildProtocolState(client, events);
    const epoch = state.merkleEpochs.values().next().value!;
    expect(epoch.poster).to.equal(deployment.contracts.proofOfAttribution);
    const [account] = [...epoch.paidTo.keys()];
    epoch.paidTo.set(account!, epoch.maxLeafAmount + 1n);
    epoch.poster = deployment.contracts.openToken;
    const fields = (await verifyProtocolState(client, state)).map((d) => d.field);
    expect(fields).to.include.members([`paid to ${account} ≤ cap`, "registered under its poster", "terms"]);
  });

  it("verifies through Multicall3 where the chain has one, with the same result", async function () {
    const { deployment } = await networkHelpers.loadFixture(historyFixture);
    const multicall = await connection.ethers.deployContract("Multicall3");
    const base = clientThrough(deployment);
    const calls: string[] = [];
    const counted = clientThrough(deployment, async (method, _, forward) => {
      calls.push(method);
      return forward();
    });
    const withMulticall: ProtocolClient = {
      deployment,
      publicClient: createPublicClient({
        chain: { ...hardhat, contracts: { multicall3: { address: (await multicall.getAddress()) as Hex } } },
        transport: custom({ request: counted.publicClient.request }, { retryCount: 0 }),
      }),
    };
    const { events } = await indexProtocolEvents(base);
    const state = rebuildProtocolState(base, events);
    expect(await verifyProtocolState(withMulticall, state)).to.deep.equal([]);
    expect(calls.filter((m) => m === "eth_call").length).to.equal(2); // every view (over 500 calls, fewer than 1,000) in two requests
    state.stakes.values().next().value!.amount += 1n;
    expect((await verifyProtocolState(withMulticall, state)).map((d) => d.entity)).to.have.length(3); // the stake, the total and the staking contract's books
  });

  it("reports an event altered or removed in the node's log responses", async function () {
    const { deployment } = await networkHelpers.loadFixture(historyFixture);
    const tamper = (edit: (logs: { topics: Hex[]; data: Hex }[]) => void) =>
      clientThrough(deployment, async (method, _, forward) => {
        const result = await forward();
        if (method === "eth_getLogs") edit(result as { topics: Hex[]; data: Hex }[]);
        return result;
      });
    const stakedTopic = toEventSelector("Staked(uint256,address,uint256,uint256)");
    const altered = tamper((logs) => {
      const staked = logs.find((l) => l.topics[0] === stakedTopic);
      // The new stake (the second data word) gains one wei.
      if (staked !== undefined) staked.data = `0x${staked.data.slice(2, 66)}${(BigInt(`0x${staked.data.slice(66, 130)}`) + 1n).toString(16).padStart(64, "0")}` as Hex;
    });
    const removedTopic = toEventSelector("ContributionWithdrawn(uint256,uint256,address,uint96)");
    const removed = tamper((logs) => {
      const i = logs.findIndex((l) => l.topics[0] === removedTopic);
      if (i >= 0) logs.splice(i, 1);
    });
    for (const [client, entity] of [[altered, /^stake /], [removed, /^contribution /]] as const) {
      const { events } = await indexProtocolEvents(client);
      const found = await verifyProtocolState(client, rebuildProtocolState(client, events));
      expect(found.length, String(entity)).to.be.greaterThan(0);
      expect(found.some((d) => entity.test(d.entity)), JSON.stringify(found)).to.equal(true);
    }
  });

  it("shrinks ranges a node refuses, retries transient failures, and names the failure that persists", async function () {
    const { deployment } = await networkHelpers.loadFixture(historyFixture);
    const reference = await indexProtocolEvents(clientThrough(deployment));
    let refused = 0;
    let failures = 0;
    const flaky = clientThrough(
      deployment,
      async (method, params, forward) => {
      if (method === "eth_getLogs") {
        const [{ fromBlock, toBlock }] = params as [{ fromBlock: Hex; toBlock: Hex }];
        if (BigInt(toBlock) - BigInt(fromBlock) > 5n) {
          refused++;
          throw new Error("query returned more than 10000 results; block range too large");
        }
        if (failures++ % 3 === 0) throw new HttpRequestError({ url: "http://node", status: 429, details: "Too Many Requests" });
      }
        return forward();
      },
      { retries: 5, baseDelayMs: 1, maxDelayMs: 4 },
    );
    const { events } = await indexProtocolEvents(flaky, { rangeSize: 64n });
    expect(refused).to.be.greaterThan(0);
    expect(events.map((e) => `${e.blockNumber}:${e.logIndex}`)).to.deep.equal(reference.events.map((e) => `${e.blockNumber}:${e.logIndex}`));

    const down = clientThrough(
      deployment,
      async (method, _, forward) => {
        if (method === "eth_getLogs") throw new HttpRequestError({ url: "http://node", status: 503, details: "Service Unavailable" });
        return forward();
      },
      { retries: 2, baseDelayMs: 1, maxDelayMs: 2 },
    );
    try {
      await indexProtocolEvents(down);
      expect.fail("expected NodeUnavailableError");
    } catch (error) {
      expect(error).to.be.instanceOf(NodeUnavailableError);
    }
  });

  it("keeps each staking event's block timestamp, and reads a checkpoint written without them again from the start", async function () {
    const { deployment, publicClient } = await networkHelpers.loadFixture(stakingFixture);
    const client = clientThrough(deployment);
    const dir = await mkdtemp(path.join(tmpdir(), "indexer-"));
    const checkpointFile = path.join(dir, "checkpoint.json");
    try {
      const { events } = await indexProtocolEvents(client, { checkpointFile });
      const staking = events.filter((e) => e.address === deployment.contracts.validatorStaking);
      expect(staking.map((e) => e.eventName)).to.include.members(["Staked", "UnbondRequested"]);
      for (const e of staking) expect(e.blockTimestamp).to.equal(Number((await publicClient.getBlock({ blockNumber: e.blockNumber })).timestamp));
      const state = rebuildProtocolState(client, events);
      expect([...state.totalStakeHistory.get(1n)!.map((c) => c.amount)]).to.deep.equal([1_000n, 2_000n, 2_500n, 1_500n].map((n) => n * OPEN));
      expect(await verifyProtocolState(client, state)).to.deep.equal([]);

      // A checkpoint of the first format (staking events without timestamps) is not trusted to resume from.
      const saved = JSON.parse(await readFile(checkpointFile, "utf8")) as { version: number; events: { blockTimestamp?: number }[] };
      saved.version = 1;
      for (const e of saved.events) delete e.blockTimestamp;
      await writeFile(checkpointFile, JSON.stringify(saved));
      const again = await indexProtocolEvents(client, { checkpointFile });
      expect(again.events).to.deep.equal(events);

      const stripped = events.map((e) => (e.eventName === "UnbondRequested" ? { ...e, blockTimestamp: undefined } : e));
      expect(() => rebuildProtocolState(client, stripped)).to.throw(/UnbondRequested at block \d+ has no block timestamp/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("resumes from its checkpoint, keeps the unconfirmed tail apart, and rolls back a reorg under the checkpoint", async function () {
    const { deployment } = await networkHelpers.loadFixture(historyFixture);
    const dir = await mkdtemp(path.join(tmpdir(), "indexer-"));
    const checkpointFile = path.join(dir, "checkpoint.json");
    let logQueries = 0;
    const client = clientThrough(deployment, async (method, _, forward) => {
      if (method === "eth_getLogs") logQueries++;
      return forward();
    });
    try {
      const first = await indexProtocolEvents(client, { checkpointFile, confirmations: 2 });
      expect(first.unconfirmed.length).to.be.greaterThanOrEqual(0);
      const queries = logQueries;
      const again = await indexProtocolEvents(client, { checkpointFile, confirmations: 2 });
      expect(again.events.length).to.equal(first.events.length);
      expect(logQueries - queries).to.be.lessThanOrEqual(2); // only the tail is read again

      // A reorg below the checkpoint: blocks after the snapshot are replaced by others.
      const [signer] = await connection.ethers.getSigners();
      const registry = await connection.ethers.getContractAt("DatanetRegistry", deployment.contracts.datanetRegistry);
      const token = await connection.ethers.getContractAt("OpenToken", deployment.contracts.openToken);
      await (await token.connect(signer!).approve(deployment.contracts.datanetRegistry, 2n ** 255n)).wait();
      const snapshot = await networkHelpers.takeSnapshot();
      await (await registry.connect(signer!).commitSubmission(1n, connection.ethers.id("first branch"), 1, 1n)).wait();
      await networkHelpers.mine(3);
      const before = await indexProtocolEvents(client, { checkpointFile, confirmations: 0 });
      await snapshot.restore();
      await (await registry.connect(signer!).commitSubmission(1n, connection.ethers.id("second branch"), 1, 1n)).wait();
      await networkHelpers.mine(3);
      const after = await indexProtocolEvents(client, { checkpointFile, confirmations: 0 });
      expect(after.rolledBack).to.be.greaterThan(0n);
      const commitments = (r: typeof after) => r.events.filter((e) => e.eventName === "SubmissionCommitted").map((e) => e.args.commitment);
      expect(commitments(before)).to.include(connection.ethers.id("first branch"));
      expect(commitments(after)).to.include(connection.ethers.id("second branch"));
      expect(commitments(after)).to.not.include(connection.ethers.id("first branch"));
      const state = rebuildProtocolState(client, after.events);
      expect(await verifyProtocolState(client, state)).to.deep.equal([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
