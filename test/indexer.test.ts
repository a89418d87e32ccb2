/**
 * The indexer service (indexer/, Ponder): a realistic history on a local node (the demo's story),
 * then `npm run indexer` as the README says, and every table read back over SQL over HTTP and checked
 * against the project's own replay (rebuildProtocolState), which is checked against the chain's views;
 * a few answers are also checked against the views directly, and the GraphQL API against the rows.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { createPublicClient, createWalletClient, defineChain, getAddress, http, zeroAddress, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { runDemoStory, type DemoSummary } from "../scripts/lib/demo-story.ts";
import { attestationRegistryAbi, datanetRegistryAbi } from "../sdk/abis/index.ts";
import { createClient, DataKind, datanetPolicy, formatDeployment, rebuildProtocolState, verifyProtocolState, type Deployment, type ProtocolState } from "../sdk/index.ts";
import { indexProtocolEvents } from "../sdk/node/index.ts";
import { graphql, sqlRows, startIndexer, waitForBlock, type IndexerService } from "./helpers/indexer.ts";
import { NODE_KEYS, ROOT, rpc, startLocalNode, type LocalNode } from "./helpers/local-node.ts";
import { postgresBinaries, startPostgres, type PostgresServer } from "./helpers/postgres.ts";

type Row = Record<string, unknown>;

/** A value as text, the way both sides can be compared: bigints and numbers in decimal, hex in lower case. */
const text = (value: unknown): string => {
  if (value === undefined || value === null) return "null";
  const s = String(value);
  return s.startsWith("0x") ? s.toLowerCase() : s;
};
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The rows of `table` (a table, or a subquery with an alias; columns named as `expected`'s keys) and
 * `expected`, both as sorted text records; a table the history leaves empty must say so.
 */
async function compareTable(url: string, table: string, expected: Row[], options: { mayBeEmpty?: boolean } = {}) {
  if (!options.mayBeEmpty) expect(expected, `the history has rows for ${table}`).to.not.be.empty;
  const columns = Object.keys(expected[0] ?? {});
  const rows = await sqlRows(url, `select * from ${table}`);
  const render = (read: (column: string) => unknown) => columns.map((c) => `${c}=${text(read(c))}`).join(" ");
  const actual = rows.map((row) => render((c) => (snake(c) in row ? row[snake(c)] : row[c]))).sort();
  expect(actual, `table ${table}`).to.deep.equal(expected.map((row) => render((c) => row[c])).sort());
}

describe("indexer service (Ponder)", function () {
  this.timeout(900_000);
  let node: LocalNode;
  let dir: string;
  let deploymentFile: string;
  let deployment: Deployment;
  let summary: DemoSummary;
  let state: ProtocolState;
  let indexer: IndexerService;

  before(async function () {
    node = await startLocalNode();
    dir = await mkdtemp(path.join(tmpdir(), "openledger-indexer-test-"));
    const connection = await network.create({ network: "localhost", override: { url: node.url } });
    const deploymentId = `indexer-test-${process.pid}-${Date.now()}`;
    try {
      summary = await runDemoStory(connection, () => {}, { deploymentId });
    } finally {
      await connection.close();
      await rm(path.join(ROOT, "deploy", "deployments", deploymentId), { recursive: true, force: true });
    }
    // A fresh node: the deployment is its first transaction, in block 1.
    deployment = { chainId: summary.chainId, startBlock: 1n, contracts: summary.contracts as Deployment["contracts"] };
    deploymentFile = path.join(dir, `${deployment.chainId}.json`);
    await writeFile(deploymentFile, formatDeployment(deployment));

    const client = createClient({ publicClient: createPublicClient({ transport: http(node.url) }), deployment });
    state = rebuildProtocolState(client, (await indexProtocolEvents(client)).events);
    expect(await verifyProtocolState(client, state), "the replay against the chain's views").to.deep.equal([]);
  });

  after(async function () {
    await node?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  for (const backend of ["PGlite (embedded, no setup)", "PostgreSQL (DATABASE_URL)"] as const) {
    describe(`on ${backend}`, function () {
      let postgres: PostgresServer | undefined;
      before(async function () {
        const env = { OPENLEDGER_RPC_URL: node.url, OPENLEDGER_DEPLOYMENT: deploymentFile, OPENLEDGER_INDEXER_DIR: path.join(dir, "pglite") };
        if (backend.startsWith("PostgreSQL")) {
          const bin = await postgresBinaries();
          if (bin === undefined) {
            console.log("      skipped: no PostgreSQL binaries under /usr/lib/postgresql/*/bin (apt-get install -y postgresql; .ci/run installs it)");
            this.skip();
          }
          postgres = await startPostgres(bin);
          indexer = await startIndexer({ ...env, DATABASE_URL: postgres.url });
        } else {
          indexer = await startIndexer(env);
        }
        await waitForBlock(indexer, BigInt(await rpc(node.url, "eth_blockNumber") as string));
      });
      after(async function () {
        await indexer?.stop();
        await postgres?.stop();
      });
      checks();
    });
  }

  describe("after a reorg", function () {
    let live: IndexerService | undefined;
    after(async function () {
      await live?.stop();
    });

    it("answers from the new chain once blocks are rolled back and replaced", async function () {
      live = await startIndexer({ OPENLEDGER_RPC_URL: node.url, OPENLEDGER_DEPLOYMENT: deploymentFile, OPENLEDGER_INDEXER_DIR: path.join(dir, "pglite-reorg") });
      const chain = defineChain({ id: deployment.chainId, name: "hardhat node", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [node.url] } } });
      const publicClient = createPublicClient({ chain, transport: http(node.url) });
      const walletClient = createWalletClient({ account: privateKeyToAccount(NODE_KEYS[5]), chain, transport: http(node.url) });
      const owner = createClient({ publicClient, walletClient, deployment });
      const metadataOf = async (id: bigint) =>
        (await graphql<{ datanet: { metadataUri: string } | null }>(live!.url, `{ datanet(id: "${id}") { metadataUri } }`)).datanet?.metadataUri;
      /** Polls the API until datanet `id` has `metadataURI` (the indexer follows the head about once a second). */
      const served = async (id: bigint, metadataURI: string) => {
        const deadline = Date.now() + 120_000;
        while ((await metadataOf(id)) !== metadataURI) {
          if (Date.now() > deadline) throw new Error(`datanet ${id} is not served with ${metadataURI}: ${await metadataOf(id)}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      };

      const snapshot = await rpc(node.url, "evm_snapshot");
      const { datanetId } = await (await owner.datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://rolled-back", policy: datanetPolicy() })).wait();
      await served(datanetId, "ipfs://rolled-back");

      expect(await rpc(node.url, "evm_revert", [snapshot])).to.equal(true);
      await rpc(node.url, "evm_mine");
      const replaced = await (await owner.datanets.create({ kind: DataKind.Other, metadataURI: "ipfs://new-chain", policy: datanetPolicy() })).wait();
      expect(replaced.datanetId, "the same id on the new chain").to.equal(datanetId);
      await served(datanetId, "ipfs://new-chain");
      const [row] = await sqlRows(live.url, `select kind from datanet where id = ${datanetId}`);
      expect(row).to.deep.equal({ kind: DataKind.Other });
      const onChain = await publicClient.readContract({ address: deployment.contracts.datanetRegistry, abi: datanetRegistryAbi, functionName: "datanetCount" });
      expect(await sqlRows(live.url, "select count(*)::int as n from datanet")).to.deep.equal([{ n: Number(onChain) }]);
    });
  });

  function checks() {
    it("serves every entity of the history over SQL, row for row as the replay rebuilds it", async function () {
      const { registry } = state;
      expect(registry.contributions.size, "a history with contributions").to.be.greaterThan(5);
      await compareTable(indexer.url, "datanet", [...registry.datanets.values()].map((d) => ({
        id: d.datanetId, owner: d.owner, pendingOwner: d.pendingOwner, kind: d.kind, metadataUri: d.metadataURI, paused: d.paused,
        createdAt: d.createdAt, acceptedCount: d.acceptedCount, versionCount: d.versionCount,
      })));
      await compareTable(indexer.url, "datanet_version", [...registry.versions.values()].map((v) => ({ ...v })));
      await compareTable(indexer.url, "commitment", [...registry.commitments.values()].map(({ contributor, ...c }) => ({ committer: contributor, ...c })), { mayBeEmpty: true });
      // The terms in force now and a change scheduled (the demo's curator makes one): the rows the datanet points at.
      const termsOf = (column: string) => `(select t.* from datanet_terms t join datanet d on d.id = t.datanet_id and t.from_epoch = d.${column}) terms`;
      await compareTable(indexer.url, termsOf("terms_from_epoch"), [...registry.datanets.values()].map((d) => ({ datanetId: d.datanetId, ...d.policy })));
      await compareTable(indexer.url, termsOf("scheduled_from_epoch"), [...registry.datanets.values()].flatMap((d) =>
        d.scheduled === undefined ? [] : [{ datanetId: d.datanetId, fromEpoch: d.scheduled.fromEpoch, ...d.scheduled.policy }],
      ));
      await compareTable(indexer.url, "allowlist_entry", [...registry.datanets.values()].flatMap((d) => [...d.allowlist].map(([account, e]) => ({ datanetId: d.datanetId, account, ...e }))), { mayBeEmpty: true });
      await compareTable(indexer.url, "quota_usage", [...registry.usage].map(([k, u]) => {
        const [datanetId, epoch, contributor] = k.split(":");
        return { datanetId, epoch, contributor, ...u };
      }));
      await compareTable(indexer.url, "credit", [...registry.credits].map(([account, amount]) => ({ account, amount })));
      await compareTable(indexer.url, "contribution", [...registry.contributions.values()].map((c) => {
        const t = state.tallies.get(c.contributionId);
        return {
          id: c.contributionId, datanetId: c.datanetId, contributor: c.contributor, contentHash: c.contentHash, sizeBytes: c.sizeBytes, uri: c.uri,
          epoch: c.epoch, submittedAt: c.submittedAt, commitment: c.commitment, committedAt: c.committedAt, votingOpensAt: c.votingOpensAt,
          votingEndsAt: c.votingEndsAt, bond: c.bond, quorum: c.quorum, acceptanceThresholdBps: c.acceptanceThresholdBps,
          minValidatorStake: c.minValidatorStake, status: c.status, acceptedIndex: c.acceptedIndex,
          acceptWeight: t?.acceptWeight ?? 0n, acceptQualityWeight: t?.acceptQualityWeight ?? 0n, rejectWeight: t?.rejectWeight ?? 0n,
          eligibleWeight: t?.eligibleWeight ?? 0n, verdictCount: t?.verdicts.size ?? 0, outcome: t?.outcome ?? 1, closedEpoch: t?.epoch ?? 0,
          snapshotAt: c.submittedAt - 1, forfeit: t?.forfeit ?? 0n,
        };
      }));
      await compareTable(indexer.url, "verdict", [...state.tallies.values()].flatMap((t) =>
        [...t.verdicts].map(([validator, v]) => ({ contributionId: t.contributionId, validator, accept: v.accept, weight: v.weight, weightAtSnapshot: v.weightAtSnapshot, settled: v.settled, credit: v.credit })),
      ));
      const validators = new Map<string, Row>();
      for (const [k, s] of state.stakes) {
        const latest = state.stakeHistory.get(k)?.at(-1);
        validators.set(k, {
          datanetId: s.datanetId, validator: s.validator, amount: s.amount, unbondingEndsAt: s.unbondingEndsAt, generation: s.generation,
          bondedAmount: latest?.amount ?? 0n, checkpointAt: latest?.at ?? 0, agreed: 0, disagreed: 0,
        });
      }
      for (const [k, g] of state.agreement) {
        const row = validators.get(k) ?? { datanetId: g.datanetId, validator: g.validator, amount: 0n, unbondingEndsAt: 0, generation: 0, bondedAmount: 0n, checkpointAt: 0 };
        validators.set(k, { ...row, agreed: g.agreed, disagreed: g.disagreed });
      }
      await compareTable(indexer.url, "validator", [...validators.values()]);
      await compareTable(indexer.url, "stake_checkpoint", [
        ...[...state.stakeHistory].flatMap(([k, history]) => history.map((c) => ({ datanetId: k.split(":")[0], validator: k.split(":")[1], at: c.at, amount: c.amount }))),
        ...[...state.totalStakeHistory].flatMap(([datanetId, history]) => history.map((c) => ({ datanetId, validator: zeroAddress, at: c.at, amount: c.amount }))),
      ]);
      await compareTable(indexer.url, "reputation", [...state.reputation.values()].map((r) => ({ ...r })));
      await compareTable(indexer.url, "points", [...state.points.values()].map((p) => ({ ...p })));
      await compareTable(indexer.url, "epoch", [...state.epochTotals.values()].map((t) => ({ datanetId: t.datanetId, epoch: t.epoch, contributorPoints: t.contributor, validatorPoints: t.validator })));
      await compareTable(indexer.url, "reward_pool", [...state.rewardPools.values()].map((p) => ({ datanetId: p.datanetId, epoch: p.epoch, funded: p.funded, claimed: p.claimed, contributorBps: p.contributorBps, swept: p.swept })));
      await compareTable(indexer.url, "reward_claim", [...state.rewardPools.values()].flatMap((p) => [...p.claimants].map((account) => ({ datanetId: p.datanetId, epoch: p.epoch, account }))));
      await compareTable(indexer.url, "merkle_epoch", [...state.merkleEpochs.values()].map((e) => ({
        address: e.address, poster: e.poster, poolId: e.poolId, epoch: e.epoch, root: e.root, total: e.total, maxLeafAmount: e.maxLeafAmount,
        expiresAt: e.expiresAt, claimed: e.claimed, claimCount: e.claimedIndices.size, swept: e.swept,
      })));
      await compareTable(indexer.url, "merkle_claim", [...state.merkleEpochs.values()].flatMap((e) => [...e.claimedIndices].map((index) => ({ epochContract: e.address, index }))));
      await compareTable(indexer.url, "model", [...state.models.values()].map((m) => ({ id: m.modelId, baseModelId: m.baseModelId, owner: m.owner, name: m.name, versionCount: m.versions.length })));
      await compareTable(indexer.url, "model_version", [...state.models.values()].flatMap((m) =>
        m.versions.map((v) => ({ modelId: m.modelId, version: v.version, method: v.method, adapterHash: v.adapterHash, adapterUri: v.adapterURI, evaluationHash: v.evaluationHash, blockNumber: v.blockNumber })),
      ));
      await compareTable(indexer.url, "training_data", [...state.models.values()].flatMap((m) =>
        m.versions.flatMap((v) => v.trainingData.map((t) => ({ modelId: m.modelId, version: v.version, datanetId: t.datanetId, datanetVersion: t.version, versionRoot: t.versionRoot, contributionCount: t.contributionCount }))),
      ));
      expect(await sqlRows(indexer.url, "select count(*)::int as n from base_model")).to.deep.equal([{ n: Number(state.baseModelCount) }]);
      await compareTable(indexer.url, "fee_pool", [...state.feePools.values()].map((p) => ({
        modelId: p.modelId, epoch: p.epoch, fees: p.fees, ...p.split, status: p.status, challengeEndsAt: p.challengeEndsAt, root: p.root,
        recordsHash: p.recordsHash, merkleTotal: p.merkleTotal, developer: p.released?.developer, developerAmount: p.released?.developerAmount,
        protocolAmount: p.released?.protocolAmount, epochContract: p.released?.epochContract,
      })));
      await compareTable(indexer.url, "earnings", [...state.earnings].map(([account, amount]) => ({ account, amount })));
    });

    it("answers as the chain's views do: contribution status, tallies, reputation and credit", async function () {
      const publicClient = createPublicClient({ transport: http(node.url) });
      const registry = { address: deployment.contracts.datanetRegistry, abi: datanetRegistryAbi } as const;
      const attestations = { address: deployment.contracts.attestationRegistry, abi: attestationRegistryAbi } as const;
      const contributions = await sqlRows(indexer.url, "select id, content_hash, status, accept_weight, reject_weight from contribution");
      for (const [hash, id] of state.registry.currentIds) {
        const row = contributions.find((r) => text(r.id) === String(id))!;
        const onChain = await publicClient.readContract({ ...registry, functionName: "getContribution", args: [hash] });
        expect(Number(row.status), `contribution ${id}`).to.equal(onChain.status);
        const tally = await publicClient.readContract({ ...attestations, functionName: "tallyOf", args: [id] });
        expect([text(row.accept_weight), text(row.reject_weight)], `tally of ${id}`).to.deep.equal([String(tally.acceptWeight), String(tally.rejectWeight)]);
      }
      for (const row of await sqlRows(indexer.url, "select datanet_id, contributor, accepted, rejected, quality_sum from reputation")) {
        const r = await publicClient.readContract({ ...attestations, functionName: "reputationOf", args: [BigInt(text(row.datanet_id)), row.contributor as Address] });
        expect([row.accepted, row.rejected, text(row.quality_sum)]).to.deep.equal([r.accepted, r.rejected, String(r.qualitySum)]);
      }
      for (const row of await sqlRows(indexer.url, "select account, amount from credit")) {
        const onChain = await publicClient.readContract({ ...registry, functionName: "creditOf", args: [row.account as Address] });
        expect(text(row.amount), `credit of ${String(row.account)}`).to.equal(String(onChain));
      }
    });

    it("serves the same rows over GraphQL: the leaderboard, a datanet's accepted contributions, a model's lineage", async function () {
      const leaderboard = await graphql<{ reputations: { items: { contributor: string; accepted: number }[] } }>(
        indexer.url,
        `{ reputations(where: { datanetId: "0" }, orderBy: "accepted", orderDirection: "desc", limit: 100) { items { contributor accepted } } }`,
      );
      const overall = [...state.reputation.values()].filter((r) => r.datanetId === 0n);
      expect(leaderboard.reputations.items.map((r) => r.accepted)).to.deep.equal(overall.map((r) => r.accepted).sort((a, b) => b - a));
      expect(new Set(leaderboard.reputations.items.map((r) => getAddress(r.contributor)))).to.deep.equal(new Set(overall.map((r) => r.contributor)));

      const accepted = await graphql<{ contributions: { items: { id: string }[] } }>(
        indexer.url,
        `{ contributions(where: { datanetId: "${summary.datanetId}", status: 2 }, orderBy: "id", limit: 1000) { items { id } } }`,
      );
      const expected = [...state.registry.contributions.values()].filter((c) => c.datanetId === summary.datanetId && c.status === 2).map((c) => String(c.contributionId));
      expect(accepted.contributions.items.map((c) => c.id)).to.deep.equal(expected.sort((a, b) => Number(a) - Number(b)));

      const lineage = await graphql<{ trainingRecords: { items: { datanetId: string; datanetVersion: number; versionRoot: string }[] } }>(
        indexer.url,
        `{ trainingRecords(where: { modelId: "${summary.model.modelId}" }) { items { datanetId datanetVersion versionRoot } } }`,
      );
      expect(lineage.trainingRecords.items.map((t) => [BigInt(t.datanetId), t.datanetVersion, t.versionRoot])).to.deep.equal(
        summary.model.trainedOn.map((t) => [t.datanetId, t.version, t.versionRoot]),
      );
    });
  }
});
