import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { getAddress, keccak256, toBytes, type Hex } from "viem";

import { deployProtocol } from "../../scripts/lib/deploy.ts";
import {
  createClient,
  datanetPolicy,
  DataKind,
  hashContent,
  InvalidInputError,
  openTokenAbi,
  ProtocolError,
  type ContributionRecord,
  withDefaults,
} from "../../sdk/index.ts";
import { buildDatasetShards, buildIndexShard, openDatasetShards, openIndexShards, readAdapterFolder } from "../../sdk/node/index.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;
const OPEN = 10n ** 18n;
const DAY = 24 * 3_600;
const EXAMPLES = path.resolve(import.meta.dirname, "..", "..", "examples");

/**
 * The whole loop up to the fees: eight science texts by Ada and Ben accepted by two validators,
 * version 1 published, a QLoRA model trained on it (no per-recipient cap), 1,000 OPEN of fees paid in
 * two batches, and the fee epoch ended.
 */
async function loopFixture() {
  const deployment = await deployProtocol(connection);
  const publicClient = await viem.getPublicClient();
  const [treasury, owner, ada, ben, v1, v2, trainer, relayer] = await viem.getWalletClients();
  const as = (w: typeof treasury) => createClient({ publicClient, walletClient: w, deployment });
  const transfer = async (to: Hex, amount: bigint) =>
    publicClient.waitForTransactionReceipt({
      hash: await treasury!.writeContract({ address: deployment.contracts.openToken, abi: openTokenAbi, functionName: "transfer", args: [to, amount] }),
    });
  const datanetOwner = as(owner!);
  await (await datanetOwner.datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://science", policy: datanetPolicy({ quorum: 2 }) })).wait();
  const validators = [as(v1!), as(v2!)];
  for (const v of validators) {
    await transfer(v.walletClient!.account.address, 1_000n * OPEN);
    await (await v.validators.stake({ datanetId: 1n, amount: 1_000n * OPEN })).wait();
  }
  const dir = path.join(EXAMPLES, "science-explained");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".txt")).sort();
  const content = new Map<Hex, Uint8Array>();
  const items = await Promise.all(
    files.map(async (f) => {
      const bytes = await readFile(path.join(dir, f));
      const hashed = hashContent(bytes);
      content.set(hashed.contentHash, bytes);
      return { ...hashed, uri: `ipfs://science/${f}` };
    }),
  );
  for (const [who, slice] of [[as(ada!), items.slice(0, 4)], [as(ben!), items.slice(4)]] as const) {
    // Each item carries the default 10-OPEN bond.
    await transfer(who.walletClient!.account.address, 100n * OPEN);
    await (await who.contributions.submitBatch({ datanetId: 1n, items: slice })).wait();
  }
  // Verdicts open 30 minutes after the reveal.
  await networkHelpers.time.increase(30 * 60);
  for (const v of validators) {
    await (await v.validators.attestBatch(items.map((i) => ({ contentHash: i.contentHash, accept: true, quality: 80, reasonCode: 0 })))).wait();
  }
  await (await datanetOwner.versions.publish({ datanetId: 1n, uri: "ipfs://science/v1" })).wait();

  const developer = as(trainer!);
  await (await developer.models.registerBase({ name: "Llama-3.1-8B", family: "llama", parameterCount: 8_030_261_248n, artifactHash: keccak256("0x01"), artifactURI: "hf://x", license: "llama3.1" })).wait();
  const folder = await readAdapterFolder(path.join(EXAMPLES, "qlora-adapter"));
  await (
    await developer.models.register({
      baseModelId: 1n,
      name: "science-tutor",
      settings: withDefaults({ ...folder.adapter, learningRate: 2e-4, cutoffLen: 1_024, template: "llama3" }),
      trainingData: [{ datanetId: 1n, version: 1 }],
      adapterHash: folder.adapterHash,
      adapterURI: "ipfs://adapter",
    })
  ).wait();
  // With two contributors and two validators, the default 25% cap would flatten everyone to 187.5
  // OPEN: the developer lifts it before the first fee.
  await (await developer.attribution.setFeeSplit({ modelId: 1n, split: { contributorsBps: 7_000, developerBps: 2_000, validatorsBps: 500, maxRecipientBps: 10_000 } })).wait();
  const provider = as(treasury!);
  const { epoch } = await (
    await provider.attribution.payFees([
      { modelId: 1n, amount: 600n * OPEN, inferenceBatchHash: keccak256(toBytes("batch 1")) },
      { modelId: 1n, amount: 400n * OPEN, inferenceBatchHash: keccak256(toBytes("batch 2")) },
    ])
  ).wait();
  await networkHelpers.time.increase(DAY);
  const outputs = JSON.parse(await readFile(path.join(EXAMPLES, "science-explained-outputs.json"), "utf8")) as { inferenceId: string; text: string }[];
  const fetchContent = async (c: ContributionRecord) => content.get(c.contentHash)!;
  return {
    deployment,
    publicClient,
    epoch,
    outputs,
    fetchContent,
    attributor: provider,
    developer,
    relayer: as(relayer!),
    auditor: createClient({ publicClient, deployment }),
    accounts: { ada: ada!.account.address, ben: ben!.account.address, v1: v1!.account.address, v2: v2!.account.address },
  };
}

describe("SDK attribution (data → model → fees → contributors)", function () {
  it("computes, proposes, releases and pays the epoch; an auditor recomputes the same root; the fees add up", async function () {
    const f = await networkHelpers.loadFixture(loopFixture);
    const computed = await f.attributor.attribution.compute({ modelId: 1n, epoch: f.epoch, outputs: f.outputs, fetchContent: f.fetchContent });
    expect(computed.inputs.datasets.map((d) => d.rootMatches)).to.deep.equal([true]);
    expect(computed.inputs.documents.length).to.equal(8);
    expect([...computed.inputs.earners.values()].every((e) => e.validators.length === 2)).to.equal(true);
    expect([computed.amounts.contributors, computed.amounts.developer, computed.amounts.validators, computed.amounts.protocol]).to.deep.equal([
      700n * OPEN,
      200n * OPEN,
      50n * OPEN,
      50n * OPEN,
    ]);
    expect(computed.epoch.total + computed.unassigned).to.equal(750n * OPEN);
    // Validators accepted every contribution: they share the validators' 50 OPEN equally.
    for (const v of [f.accounts.v1, f.accounts.v2]) {
      expect(computed.payouts.find((p) => p.account === getAddress(v))!.amount).to.equal(25n * OPEN);
    }

    await (await f.attributor.attribution.propose({ modelId: 1n, epoch: f.epoch, result: computed })).wait();
    // An auditor with a read-only client and the same public inputs gets the proposal, byte for byte.
    const audited = await f.auditor.attribution.compute({ modelId: 1n, epoch: f.epoch, outputs: [...f.outputs].reverse(), fetchContent: f.fetchContent });
    const pool = await f.auditor.attribution.pool({ modelId: 1n, epoch: f.epoch });
    expect([audited.epoch.root, audited.recordsHash, audited.epoch.total]).to.deep.equal([pool.root, pool.recordsHash, pool.merkleTotal]);

    try {
      await f.relayer.attribution.release({ modelId: 1n, epoch: f.epoch });
      expect.fail("expected ChallengeWindowOpen");
    } catch (error) {
      expect(ProtocolError.is(error, "ChallengeWindowOpen")).to.equal(true);
    }
    await networkHelpers.time.increase(2 * DAY);
    const released = await (await f.relayer.attribution.release({ modelId: 1n, epoch: f.epoch })).wait();
    expect(released.developerAmount).to.equal(200n * OPEN);
    expect(released.protocolAmount).to.equal(50n * OPEN + computed.unassigned);

    const claims = computed.epoch.leaves.map((l) => computed.epoch.claim(l.index));
    const { paid } = await (await f.relayer.attribution.claim({ modelId: 1n, epoch: f.epoch, claims })).wait();
    const claimed = paid.reduce((sum, p) => sum + p.amount, 0n);
    expect(claimed).to.equal(computed.epoch.total);
    const { amount } = await (await f.developer.attribution.withdrawEarnings()).wait();
    expect(claimed + amount + released.protocolAmount).to.equal(1_000n * OPEN);
    expect((await f.auditor.epochs.info({ poster: f.deployment.contracts.proofOfAttribution, poolId: f.auditor.attribution.poolId(1n), epoch: f.epoch })).balance).to.equal(0n);
  });

  it("refuses what it cannot attribute before sending anything", async function () {
    const f = await networkHelpers.loadFixture(loopFixture);
    try {
      await f.attributor.attribution.compute({ modelId: 1n, epoch: f.epoch + 1n, outputs: f.outputs, fetchContent: f.fetchContent });
      expect.fail("expected NoFees");
    } catch (error) {
      expect(ProtocolError.is(error, "NoFees")).to.equal(true);
      expect((error as ProtocolError).preflight).to.equal(true);
    }
    for (const [call, field] of [
      [() => f.attributor.attribution.compute({ modelId: 1n, epoch: f.epoch, outputs: f.outputs, fetchContent: async () => "tampered" }), "content"],
      [() => f.attributor.attribution.payFees([]), "payments"],
      [() => f.attributor.attribution.payFees([{ modelId: 1n, amount: 9_999n, inferenceBatchHash: keccak256("0x01") }]), "payments[0].amount"],
      [() => f.attributor.attribution.payFees([{ modelId: 1n, amount: OPEN, inferenceBatchHash: "0x01" }]), "payments[0].inferenceBatchHash"],
      [() => f.attributor.attribution.reject({ modelId: 1n, epoch: f.epoch, reason: "0x" }), "reason"],
    ] as const) {
      try {
        await call();
        expect.fail(`expected InvalidInputError for ${field}`);
      } catch (error) {
        expect(error, field).to.be.instanceOf(InvalidInputError);
        expect((error as InvalidInputError).field).to.equal(field);
      }
    }
  });

  it("gives the same epoch from index shards on disk, one per datanet version, records its tokenizer, and explains the spans", async function () {
    const f = await networkHelpers.loadFixture(loopFixture);
    const params = { modelId: 1n, epoch: f.epoch, outputs: f.outputs, fetchContent: f.fetchContent };
    const inMemory = await f.auditor.attribution.compute(params);
    expect(inMemory.publicInputs).to.deep.equal({ tokenizer: "unicode-words/1", minSpanTokens: 4, maxOccurrences: 32 });
    const dir = await mkdtemp(path.join(tmpdir(), "openledger-shards-"));
    try {
      const files = await buildDatasetShards(dir, inMemory.inputs);
      expect(files).to.deep.equal([path.join(dir, "datanet-1-v1.olidx")]);
      const built = (await stat(files[0]!)).mtimeMs;
      // Asked again, the version's shard is already there: nothing is rebuilt.
      expect(await buildDatasetShards(dir, inMemory.inputs)).to.deep.equal(files);
      expect((await stat(files[0]!)).mtimeMs).to.equal(built);
      const openIndex = () => openIndexShards(files);
      const onDisk = await f.auditor.attribution.compute({ ...params, openIndex });
      expect([onDisk.epoch.root, onDisk.recordsHash]).to.deep.equal([inMemory.epoch.root, inMemory.recordsHash]);
      // Or given a folder: the shards it lacks are built from the corpus gathered, then opened.
      const kept = path.join(dir, "kept");
      const fromFolder = await f.auditor.attribution.compute({ ...params, openIndex: (inputs) => openDatasetShards(kept, inputs) });
      expect([fromFolder.epoch.root, fromFolder.recordsHash, await readdir(kept)]).to.deep.equal([inMemory.epoch.root, inMemory.recordsHash, ["datanet-1-v1.olidx"]]);

      const o200k = await f.auditor.attribution.compute({ ...params, tokenizer: "tiktoken/o200k_base" });
      expect(o200k.publicInputs.tokenizer).to.equal("tiktoken/o200k_base");
      expect(o200k.records.length).to.be.greaterThan(0);
      for (const [bad, field] of [
        [{ ...params, tokenizer: "gpt-17" }, "tokenizer"],
        [{ ...params, openIndex, tokenizer: "tiktoken/o200k_base" }, "openIndex"],
      ] as const) {
        const error = await f.auditor.attribution.compute(bad).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(InvalidInputError).with.property("field", field);
      }
      const partial = path.join(dir, "partial.olidx");
      await buildIndexShard(partial, inMemory.inputs.documents.slice(1));
      const error = await f.auditor.attribution.compute({ ...params, openIndex: () => openIndexShards([partial]) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as Error).message).to.match(/do not fit model 1: they hold contributions 2, .*trained on 1, 2/);

      const explained = await f.auditor.attribution.explain({ modelId: 1n, outputs: f.outputs, fetchContent: f.fetchContent, openIndex });
      for (const { inferenceId, explanation } of explained) {
        expect([...explanation.weights], inferenceId).to.deep.equal([...inMemory.perOutput.get(inferenceId)!.weights]);
        for (const span of explanation.spans) {
          for (const source of span.sources) {
            // The passage shown is the span itself, found in the contribution's text.
            expect(source.snippet!.match.toLowerCase().replace(/\W+/g, " ")).to.equal(span.text.toLowerCase().replace(/\W+/g, " "));
          }
        }
      }
      expect(explained.flatMap((e) => e.explanation.spans).length).to.equal([...inMemory.perOutput.values()].reduce((acc, o) => acc + o.spans.length, 0));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
