/**
 * The indexer service (indexer/, Ponder): a realistic history on a local node (the demo's story),
 * then `npm run indexer` as the README says, and every table read back over SQL over HTTP and checked
 * against the project's own replay (rebuildProtocolState), which is checked against the chain's views;
 * a few answers are also checked against the views directly, and the GraphQL API against the rows.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import { network } from "hardhat";
import { createPublicClient, createWalletClient, defineChain, getAddress, http, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { runDemoStory, type DemoSummary } from "../scripts/lib/demo-story.ts";
import { attestationRegistryAbi, datanetRegistryAbi } from "../sdk/abis/index.ts";
import {
  ContributionStatus,
  createClient,
  createIndexerClient,
  DataKind,
  expectedIndexerTables,
  datanetPolicy,
  formatDeployment,
  hashContent,
  openTokenAbi,
  rebuildProtocolState,
  REVEAL_WINDOW,
  verifyIndexerTables,
  verifyProtocolState,
  type Deployment,
  type ProtocolState,
} from "../sdk/index.ts";
import { indexProtocolEvents } from "../sdk/node/index.ts";
import { graphql, sqlRows, startIndexer, waitForBlock, type IndexerService } from "./helpers/indexer.ts";
import { advanceTime, CLI_FROM_SOURCE, NODE_KEYS, ROOT, rpc, startLocalNode, type LocalNode } from "./helpers/local-node.ts";
import { postgresBinaries, startPostgres, type PostgresServer } from "./helpers/postgres.ts";

/** A value as text, the way both sides can be compared: bigints and numbers in decimal, hex in lower case. */
const text = (value: unknown): string => {
  if (value === undefined || value === null) return "null";
  const s = String(value);
  return s.startsWith("0x") ? s.toLowerCase() : s;
};

/** The CLI from source against the node, with `env` (OPENLEDGER_INDEXER_URL or not): its exit code and output. */
async function cli(nodeUrl: string, deploymentFile: string, env: Record<string, string>, ...args: string[]) {
  const environment = { ...process.env, OPENLEDGER_KEY: "", OPENLEDGER_RPC_URL: "", OPENLEDGER_DEPLOYMENT: "", OPENLEDGER_INDEXER_URL: "", ...env };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...CLI_FROM_SOURCE, ...args, "--rpc", nodeUrl, "--deployment", deploymentFile], { cwd: ROOT, env: environment });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
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
  /** A datanet whose contributions wait for verdicts: a validator's queue. */
  let openWork: { datanetId: bigint; validator: Address; contributionIds: bigint[] };

  /**
   * After the story, a datanet (quorum 1) with a validator bonded on it: a first contribution
   * accepted, its epoch funded and ended, its verdict settled; then work left open: three
   * contributions revealed after, their verdicts open (the clock moved past the reveal window).
   * Before patches/ponder+0.17.7.patch, this history left the SQL API on PGlite reading an empty
   * verdict table: Ponder flushes more than 20 updates of a table through a temporary table of the
   * same name, and PGlite's single session (indexing and API share it) kept it, shadowing the real one.
   */
  async function leaveOpenWork() {
    const chain = defineChain({ id: deployment.chainId, name: "hardhat node", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [node.url] } } });
    const publicClient = createPublicClient({ chain, transport: http(node.url) });
    const sdk = (key: string) => createClient({ publicClient, walletClient: createWalletClient({ account: privateKeyToAccount(key as Address), chain, transport: http(node.url) }), deployment });
    const [treasury, curator, validator] = [sdk(NODE_KEYS[0]), sdk(NODE_KEYS[4]), sdk(NODE_KEYS[3])];
    const policy = datanetPolicy({ quorum: 1 });
    const give = async (to: Address, amount: bigint) =>
      publicClient.waitForTransactionReceipt({
        hash: await treasury.walletClient!.writeContract({ address: deployment.contracts.openToken, abi: openTokenAbi, functionName: "transfer", args: [to, amount], chain }),
      });
    const { datanetId } = await (await curator.datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://open-work", policy })).wait();
    await give(validator.walletClient!.account.address, policy.minValidatorStake);
    await (await validator.validators.stake({ datanetId, amount: policy.minValidatorStake })).wait();
    await give(curator.walletClient!.account.address, policy.submissionBond);

    const judged = { ...hashContent("a text judged, paid and settled"), uri: "ipfs://open-work/judged" };
    const { contributionIds: [judgedId] } = await (await curator.contributions.submitBatch({ datanetId, items: [judged] })).wait();
    await advanceTime(node.url, REVEAL_WINDOW + 1);
    await (await validator.validators.attest({ contentHash: judged.contentHash, accept: true, quality: 80, reasonCode: 0 })).wait();
    const epoch = BigInt(await curator.datanets.currentEpoch(datanetId));
    const reward = 10n * policy.submissionBond;
    await give(curator.walletClient!.account.address, reward);
    await (await curator.rewards.fund({ datanetId, epoch, amount: reward })).wait();
    await advanceTime(node.url, 2 * Number(policy.epochLength));
    await (await validator.validators.settle({ contributionIds: [judgedId!] })).wait();

    await give(curator.walletClient!.account.address, policy.submissionBond * 3n);
    const items = ["first open text", "second open text", "third open text"].map((text, i) => ({ ...hashContent(text), uri: `ipfs://open-work/${i}` }));
    const { contributionIds } = await (await curator.contributions.submitBatch({ datanetId, items })).wait();
    await advanceTime(node.url, REVEAL_WINDOW + 1);
    return { datanetId, validator: validator.walletClient!.account.address, contributionIds };
  }

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
    openWork = await leaveOpenWork();

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
      checks(() => postgres);
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
      // The same SQL text before and after the reorg: an answer the API keeps (and keeps encoded)
      // for a repeated query must not outlive the block it was read at.
      const metadataSql = `select metadata_uri from datanet where id = ${datanetId}`;
      for (let asked = 0; asked < 2; asked++) expect(await sqlRows(live.url, metadataSql)).to.deep.equal([{ metadata_uri: "ipfs://rolled-back" }]);

      expect(await rpc(node.url, "evm_revert", [snapshot])).to.equal(true);
      await rpc(node.url, "evm_mine");
      const replaced = await (await owner.datanets.create({ kind: DataKind.Other, metadataURI: "ipfs://new-chain", policy: datanetPolicy() })).wait();
      expect(replaced.datanetId, "the same id on the new chain").to.equal(datanetId);
      await served(datanetId, "ipfs://new-chain");
      expect(await sqlRows(live.url, metadataSql), "the query asked before the reorg").to.deep.equal([{ metadata_uri: "ipfs://new-chain" }]);
      const [row] = await sqlRows(live.url, `select kind from datanet where id = ${datanetId}`);
      expect(row).to.deep.equal({ kind: DataKind.Other });
      const onChain = await publicClient.readContract({ address: deployment.contracts.datanetRegistry, abi: datanetRegistryAbi, functionName: "datanetCount" });
      expect(await sqlRows(live.url, "select count(*)::int as n from datanet")).to.deep.equal([{ n: Number(onChain) }]);
    });
  });

  /** The checks of one backend; `database()` is the PostgreSQL server behind it (undefined: PGlite). */
  function checks(database: () => PostgresServer | undefined) {
    it("the SDK reads the same answers from the API as from the logs: leaderboard, pending queue, claimable epochs, lineage", async function () {
      const publicClient = createPublicClient({ transport: http(node.url) });
      const viaLogs = createClient({ publicClient, deployment });
      const api = createIndexerClient({ url: indexer.url });
      const viaApi = createClient({ publicClient, deployment, indexer: api });

      for (const datanetId of [summary.datanetId, openWork.datanetId]) {
        const board = await viaApi.reputation.leaderboard({ datanetId });
        expect(board, `leaderboard of datanet ${datanetId}`).to.deep.equal(await viaLogs.reputation.leaderboard({ datanetId }));
        expect(board.every((r) => r.verified), "every row matches the chain's view").to.equal(true);
      }
      expect((await viaApi.reputation.leaderboard({ datanetId: summary.datanetId })).length).to.be.greaterThan(3);
      // A page of the board: ranks follow on from the offset.
      const page = await api.leaderboard(summary.datanetId, { limit: 2, offset: 1 });
      expect(page.items.map((r) => [r.rank, r.contributor])).to.deep.equal(
        (await viaLogs.reputation.leaderboard({ datanetId: summary.datanetId })).slice(1, 3).map((r, i) => [i + 2, r.contributor]),
      );

      const queue = await viaApi.validators.pending({ validator: openWork.validator });
      expect(queue.map((c) => c.contributionId), "the open work is in the validator's queue").to.deep.equal(openWork.contributionIds);
      expect(queue).to.deep.equal(await viaLogs.validators.pending({ validator: openWork.validator }));
      expect((await api.pendingQueue({ validator: openWork.validator, datanetId: openWork.datanetId }))[0]!.maxBytesPerContribution).to.equal(datanetPolicy().maxBytesPerContribution);
      for (const v of summary.validators) {
        expect(await viaApi.validators.pending({ validator: v.address }), `queue of ${v.name}`).to.deep.equal(await viaLogs.validators.pending({ validator: v.address }));
      }

      // After the story every share was claimed: both ways must say so.
      for (const account of state.accounts) {
        expect(await viaApi.rewards.claimableEpochs({ account }), `claimable epochs of ${account}`).to.deep.equal(await viaLogs.rewards.claimableEpochs({ account }));
      }

      const lineage = await viaApi.models.lineage({ modelId: summary.model.modelId });
      expect(lineage).to.deep.equal(await viaLogs.models.lineage({ modelId: summary.model.modelId }));
      expect(await api.lineage(summary.model.modelId + 100n), "an unknown model").to.equal(undefined);

      // A datanet's contributions a page at a time, and a trained version's contributions.
      const all = [...state.registry.contributions.values()].filter((c) => c.datanetId === summary.datanetId);
      const paged = [];
      for (let after: bigint | undefined = 0n; after !== undefined; ) {
        const { items, next } = await api.contributions({ datanetId: summary.datanetId, limit: 2, after });
        paged.push(...items);
        after = next;
      }
      expect(paged).to.deep.equal(all.sort((a, b) => Number(a.contributionId - b.contributionId)));
      const trained = lineage.versions[0]!.trainingData[0]!;
      const inVersion = await api.contributions({ datanetId: trained.datanetId, version: trained.version, limit: 1000 });
      expect(BigInt(inVersion.items.length)).to.equal(trained.contributionCount);
      expect(inVersion.items.every((c) => c.status === ContributionStatus.Accepted)).to.equal(true);
    });

    it("the CLI gives the same answers with OPENLEDGER_INDEXER_URL as from the logs", async function () {
      const commands = [
        ["leaderboard", String(summary.datanetId)],
        ["validator", "pending", "--validator", openWork.validator],
        ["rewards", "claimable", openWork.validator],
        ["model", "lineage", String(summary.model.modelId)],
      ];
      for (const command of commands) {
        const [fromLogs, fromApi] = await Promise.all([
          cli(node.url, deploymentFile, {}, ...command, "--json"),
          cli(node.url, deploymentFile, { OPENLEDGER_INDEXER_URL: indexer.url }, ...command, "--json"),
        ]);
        expect(fromLogs.code, `${command.join(" ")}: ${fromLogs.stderr}`).to.equal(0);
        expect(fromApi.code, `${command.join(" ")} with the API: ${fromApi.stderr}`).to.equal(0);
        expect(fromApi.stdout, command.join(" ")).to.equal(fromLogs.stdout);
      }
      const unreachable = await cli(node.url, deploymentFile, { OPENLEDGER_INDEXER_URL: "http://127.0.0.1:9" }, "leaderboard", String(summary.datanetId));
      expect(unreachable.code).to.equal(1);
      expect(unreachable.stderr.trim()).to.match(/^error: The indexer API at http:\/\/127\.0\.0\.1:9 is unreachable: /);
    });

    it("audit indexer: an untouched database has no difference with the replay and the chain", async function () {
      const run = await cli(node.url, deploymentFile, {}, "audit", "indexer", "--indexer", indexer.url);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/every indexer row and chain view verified at block \d+: 0 differences/);
    });

    it("audit indexer: a row corrupted in the database is reported as exactly that difference (exit 3)", async function () {
      const postgres = database();
      // PGlite lives inside the indexer's process: only a PostgreSQL database can be written to beside it.
      if (postgres === undefined) this.skip();
      // Ponder's live-query trigger records changed tables in a temporary table each of its sessions has.
      const psql = async (sql: string) =>
        promisify(execFile)(path.join((await postgresBinaries())!, "psql"), [postgres.url, "-v", "ON_ERROR_STOP=1", "-c", "create temp table live_query_tables (table_name text primary key)", "-c", sql]);
      const [id] = openWork.contributionIds;
      await psql(`update openledger.contribution set status = ${ContributionStatus.Rejected} where id = ${id}`);
      try {
        const run = await cli(node.url, deploymentFile, {}, "audit", "indexer", "--indexer", indexer.url);
        expect(run.code, run.stderr).to.equal(3);
        const [head, ...lines] = run.stdout.trim().split("\n");
        expect(head).to.match(/^1 differences at block \d+$/);
        expect(lines).to.deep.equal([`contribution id=${id} status: replay ${ContributionStatus.Pending}, indexer ${ContributionStatus.Rejected}`]);
      } finally {
        await psql(`update openledger.contribution set status = ${ContributionStatus.Pending} where id = ${id}`);
      }
      expect((await cli(node.url, deploymentFile, {}, "audit", "indexer", "--indexer", indexer.url)).code, "restored").to.equal(0);
    });

    it("serves every entity of the history over SQL, row for row as the replay rebuilds it", async function () {
      expect(state.registry.contributions.size, "a history with contributions").to.be.greaterThan(5);
      const tables = expectedIndexerTables(state);
      const mayBeEmpty = ["commitment", "allowlist_entry"];
      for (const [name, { rows }] of Object.entries(tables)) if (!mayBeEmpty.includes(name)) expect(rows, `the history has rows for ${name}`).to.not.be.empty;
      expect(await verifyIndexerTables(createIndexerClient({ url: indexer.url }), state)).to.deep.equal([]);
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
