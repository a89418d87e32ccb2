import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { getAddress, keccak256 } from "viem";

import { deployProtocol } from "../../scripts/lib/deploy.ts";
import {
  ContributionStatus,
  createClient,
  datanetPolicy,
  DataKind,
  estimateFineTune,
  estimateParameterCount,
  hashContent,
  InvalidInputError,
  modelFactoryContract,
  preflightFineTune,
  ProtocolError,
  type ProtocolErrorName,
  toHyperparameters,
  type FineTuneSettings,
} from "../../sdk/index.ts";
import { readAdapterFolder } from "../../sdk/node/index.ts";
import { expectProtocolError } from "../helpers/errors.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;
const ADAPTER = path.resolve(import.meta.dirname, "..", "..", "examples", "qlora-adapter");
const LLAMA_31_8B = { hiddenSize: 4_096, intermediateSize: 14_336, numLayers: 32, numAttentionHeads: 32, numKeyValueHeads: 8, vocabSize: 128_256 };

/** A datanet with two published versions (owner finalizes through a granted FINALIZER_ROLE), base model 1. */
async function modelsFixture() {
  const deployment = await deployProtocol(connection);
  const publicClient = await viem.getPublicClient();
  const [admin, owner, trainer, other] = await viem.getWalletClients();
  const as = (w: typeof admin) => createClient({ publicClient, walletClient: w, deployment });
  const datanetOwner = as(owner!);
  // No bond: the owner contributes without OPEN, and a finalizer role stands in for the validators.
  await (await datanetOwner.datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://d", policy: datanetPolicy({ submissionBond: 0n }) })).wait();
  const registry = await connection.ethers.getContractAt("DatanetRegistry", deployment.contracts.datanetRegistry);
  await (await registry.grantRole(await registry.FINALIZER_ROLE(), owner!.account.address)).wait();
  const finalizer = await connection.ethers.getSigner(owner!.account.address);
  for (const text of ["first text", "second text"]) {
    const item = { ...hashContent(text), uri: "ipfs://x" };
    await (await datanetOwner.contributions.submit({ datanetId: 1n, ...item })).wait();
    await (await registry.connect(finalizer).finalize(item.contentHash, ContributionStatus.Accepted)).wait();
    await (await datanetOwner.versions.publish({ datanetId: 1n, uri: `ipfs://v-${text}` })).wait();
  }
  const sdk = as(trainer!);
  await (
    await sdk.models.registerBase({
      name: "Llama-3.1-8B",
      family: "llama",
      parameterCount: 8_030_261_248n,
      artifactHash: keccak256("0x01"),
      artifactURI: "hf://meta-llama/Llama-3.1-8B",
      license: "llama3.1",
    })
  ).wait();
  return { deployment, publicClient, sdk, other: as(other!), trainer: trainer! };
}

const TRAINING = { learningRate: 2e-4, epochs: 3, batchSize: 64, cutoffLength: 2_048 };

describe("SDK models", function () {
  it("reads a PEFT adapter folder: LoRA settings, 4-bit quantization, and the weights' hash", async function () {
    const folder = await readAdapterFolder(ADAPTER);
    expect(folder.baseModel).to.equal("meta-llama/Llama-3.1-8B");
    expect(folder.adapter).to.deep.equal({
      method: "qlora",
      loraRank: 16,
      loraAlpha: 32,
      loraDropout: 0.05,
      targetModules: ["q_proj", "k_proj", "v_proj", "o_proj"],
      quantizationBits: 4,
    });
    expect(folder.adapterHash).to.equal(keccak256(await readFile(path.join(ADAPTER, "adapter_model.safetensors"))));
  });

  it("names the field of an unusable adapter folder", async function () {
    const base = JSON.parse(await readFile(path.join(ADAPTER, "adapter_config.json"), "utf8")) as Record<string, unknown>;
    const cases: [Record<string, unknown> | string, string, boolean][] = [
      ["{ not json", "adapter_config.json", true],
      [{ ...base, r: 1.5 }, "adapter_config.json: r", true],
      [{ ...base, lora_alpha: "32" }, "adapter_config.json: lora_alpha", true],
      [{ ...base, lora_dropout: null }, "adapter_config.json: lora_dropout", true],
      [{ ...base, base_model_name_or_path: "" }, "adapter_config.json: base_model_name_or_path", true],
      [{ ...base, target_modules: [1] }, "adapter_config.json: target_modules", true],
      [{ ...base, quantization_config: undefined, quantization_bits: 3 }, "adapter_config.json: quantization_bits", true],
      [{ ...base, quantization_config: { quant_method: "gptq" } }, "adapter_config.json: quantization_config", true],
      [base, "adapter", false],
    ];
    for (const [config, field, withWeights] of cases) {
      const dir = await mkdtemp(path.join(tmpdir(), "adapter-"));
      await writeFile(path.join(dir, "adapter_config.json"), typeof config === "string" ? config : JSON.stringify(config));
      if (withWeights) await writeFile(path.join(dir, "adapter_model.bin"), "weights");
      try {
        await readAdapterFolder(dir);
        expect.fail(`expected an error on ${field}`);
      } catch (error) {
        expect(error).to.be.instanceOf(InvalidInputError);
        expect((error as InvalidInputError).field).to.equal(field);
      }
    }
    // A plain LoRA config (no quantization), weights as .bin, a single target module string.
    const dir = await mkdtemp(path.join(tmpdir(), "adapter-"));
    await writeFile(path.join(dir, "adapter_config.json"), JSON.stringify({ ...base, quantization_config: undefined, target_modules: "q_proj" }));
    await writeFile(path.join(dir, "adapter_model.bin"), "weights");
    const lora = await readAdapterFolder(dir);
    expect([lora.adapter.method, lora.adapter.quantizationBits, lora.adapter.targetModules]).to.deep.equal(["lora", 0, ["q_proj"]]);
  });

  it("estimates parameters and memory for LoRA and QLoRA (hand-checked for Llama 3.1 8B)", function () {
    expect(estimateParameterCount(LLAMA_31_8B)).to.equal(8_030_261_248);
    const { lora, qlora4, qlora8 } = estimateFineTune(LLAMA_31_8B, { rank: 16, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj"] });
    // Per layer 16·(4096+4096)·2 + 16·(4096+1024)·2 = 425,984; times 32 layers.
    expect(lora.trainableParameters).to.equal(13_631_488);
    expect(Math.abs(lora.trainablePercent - 0.16975)).to.be.lessThan(0.0001);
    expect(lora.baseWeightsBytes).to.equal(2 * 8_030_261_248);
    expect(lora.trainingStateBytes).to.equal(16 * 13_631_488);
    expect(qlora4.baseWeightsBytes).to.equal(Math.round(8_030_261_248 * (0.5 + 0.127 / 8)));
    expect(qlora8.baseWeightsBytes).to.equal(Math.round(8_030_261_248 * (1 + 4 / 64)));
    expect(qlora4.totalBytes).to.be.lessThan(qlora8.totalBytes);
    expect(qlora8.totalBytes).to.be.lessThan(lora.totalBytes);
    for (const [call, field] of [
      [() => estimateFineTune({ ...LLAMA_31_8B, numLayers: 0 }, { rank: 8, targetModules: ["q_proj"] }), "shape.numLayers"],
      [() => estimateFineTune(LLAMA_31_8B, { rank: 0, targetModules: ["q_proj"] }), "rank"],
      [() => estimateFineTune(LLAMA_31_8B, { rank: 8, targetModules: ["lm_head"] }), "targetModules"],
    ] as const) {
      expect(call).to.throw(InvalidInputError).with.property("field", field);
    }
  });

  it("refuses every bad setting before sending, with the error the contract would give", async function () {
    const f = await networkHelpers.loadFixture(modelsFixture);
    const good: FineTuneSettings = { method: "qlora", loraRank: 16, loraAlpha: 32, loraDropout: 0.05, quantizationBits: 4, targetModules: ["q_proj"], ...TRAINING };
    const full: FineTuneSettings = { method: "full", ...TRAINING };
    const cases: [FineTuneSettings, { datanetId: bigint; version: number }[], ProtocolErrorName][] = [
      [{ ...good, loraRank: 12 }, [{ datanetId: 1n, version: 1 }], "InvalidLoraRank"],
      [{ ...good, loraAlpha: 0 }, [{ datanetId: 1n, version: 1 }], "InvalidLoraAlpha"],
      [{ ...good, loraDropout: 0.6 }, [{ datanetId: 1n, version: 1 }], "InvalidLoraDropout"],
      [{ ...good, quantizationBits: 0 }, [{ datanetId: 1n, version: 1 }], "InvalidQuantizationBits"],
      [{ ...good, method: "lora" }, [{ datanetId: 1n, version: 1 }], "InvalidQuantizationBits"],
      [{ ...good, targetModules: [] }, [{ datanetId: 1n, version: 1 }], "NoTargetModules"],
      [{ ...good, targetModules: Array(33).fill("m") }, [{ datanetId: 1n, version: 1 }], "TooManyTargetModules"],
      [{ ...good, targetModules: ["q", ""] }, [{ datanetId: 1n, version: 1 }], "EmptyTargetModule"],
      [{ ...full, loraRank: 8 }, [{ datanetId: 1n, version: 1 }], "LoraSettingsOnFullFineTune"],
      [{ ...good, learningRate: 0 }, [{ datanetId: 1n, version: 1 }], "InvalidLearningRate"],
      [{ ...good, learningRate: 2 }, [{ datanetId: 1n, version: 1 }], "InvalidLearningRate"],
      [{ ...good, epochs: 0 }, [{ datanetId: 1n, version: 1 }], "InvalidTrainingEpochs"],
      [{ ...good, batchSize: 70_000 }, [{ datanetId: 1n, version: 1 }], "InvalidBatchSize"],
      [{ ...good, cutoffLength: 0 }, [{ datanetId: 1n, version: 1 }], "InvalidCutoffLength"],
      [good, [], "NoTrainingData"],
      [good, Array(17).fill({ datanetId: 1n, version: 1 }), "TooManyTrainingDatasets"],
      [good, [{ datanetId: 1n, version: 1 }, { datanetId: 1n, version: 1 }], "DuplicateTrainingData"],
    ];
    for (const [settings, trainingData, errorName] of cases) {
      const hp = toHyperparameters(settings);
      await expectProtocolError(preflightFineTune(hp, trainingData), errorName, true);
      // The contract, called directly, refuses the same run with the same error.
      try {
        await f.publicClient.simulateContract({
          ...modelFactoryContract(f.sdk),
          functionName: "registerModel",
          args: [1n, "m", { hyperparameters: hp, trainingData: trainingData.map((r) => ({ ...r, datanetId: Number(r.datanetId) })), adapterHash: keccak256("0x02"), adapterURI: "", evaluationHash: keccak256("0x03") }],
          account: f.trainer.account,
        });
        expect.fail(`the contract accepted ${errorName}`);
      } catch (error) {
        expect(JSON.stringify((error as { cause?: { data?: { errorName?: string } } }).cause?.data?.errorName), errorName).to.equal(JSON.stringify(errorName));
      }
    }
    for (const [settings, field] of [
      [{ ...good, method: "dora" as never }, "method"],
      [{ ...good, loraDropout: Number.NaN }, "loraDropout"],
      [{ ...good, learningRate: -1 }, "learningRate"],
      [{ ...good, epochs: 1.5 }, "epochs"],
    ] as const) {
      expect(() => toHyperparameters(settings)).to.throw(InvalidInputError).with.property("field", field);
    }
  });

  it("registers a QLoRA fine-tune from the adapter folder and rebuilds its lineage from events", async function () {
    const f = await networkHelpers.loadFixture(modelsFixture);
    const folder = await readAdapterFolder(ADAPTER);
    const { modelId, version } = await (
      await f.sdk.models.register({
        baseModelId: 1n,
        name: "science-tutor",
        settings: { ...folder.adapter, ...TRAINING },
        trainingData: [{ datanetId: 1n, version: 1 }],
        adapterHash: folder.adapterHash,
        adapterURI: "ipfs://adapter",
      })
    ).wait();
    expect([modelId, version]).to.deep.equal([1n, 1]);
    await (
      await f.sdk.models.publishVersion({
        modelId,
        settings: { ...folder.adapter, ...TRAINING, loraRank: 32, loraAlpha: 64 },
        trainingData: [{ datanetId: 1n, version: 2 }, { datanetId: 1n, version: 1 }],
        adapterHash: keccak256("0x0a"),
        adapterURI: "ipfs://adapter-v2",
        evaluationHash: keccak256("0x0e"),
      })
    ).wait();
    await (await f.sdk.models.transferOwnership({ modelId, newOwner: f.other.walletClient!.account.address })).wait();
    await (await f.other.models.acceptOwnership({ modelId })).wait();

    const lineage = await f.sdk.models.lineage({ modelId });
    expect([lineage.name, lineage.baseModelId, lineage.owner]).to.deep.equal(["science-tutor", 1n, getAddress(f.other.walletClient!.account.address)]);
    expect(lineage.versions.map((v) => [v.version, v.method, v.hyperparameters.loraRank, v.adapterURI])).to.deep.equal([
      [1, "qlora", 16, "ipfs://adapter"],
      [2, "qlora", 32, "ipfs://adapter-v2"],
    ]);
    // Every rebuilt value matches the chain's views, and every root the registry's published version.
    for (const v of lineage.versions) {
      const stored = await f.sdk.models.getVersion({ modelId, version: v.version });
      expect([stored.loraRank, stored.learningRateWad, stored.adapterHash]).to.deep.equal([v.hyperparameters.loraRank, v.hyperparameters.learningRateWad, v.adapterHash]);
      for (const d of v.trainingData) {
        const published = await f.sdk.versions.get({ datanetId: d.datanetId, version: d.version });
        expect(published.root).to.equal(d.versionRoot);
      }
    }
    expect(lineage.versions[1]!.trainingData.map((d) => d.version)).to.deep.equal([2, 1]);
    expect((await f.sdk.models.get({ modelId })).owner).to.equal(getAddress(f.other.walletClient!.account.address));
    try {
      await f.sdk.models.lineage({ modelId: 9n });
      expect.fail("expected UnknownModel");
    } catch (error) {
      expect(ProtocolError.is(error, "UnknownModel")).to.equal(true);
    }
    try {
      await f.sdk.models.register({ baseModelId: 1n, name: "x", settings: { ...folder.adapter, ...TRAINING }, trainingData: [{ datanetId: 1n, version: 3 }], adapterHash: folder.adapterHash, adapterURI: "" });
      expect.fail("expected VersionUnknown");
    } catch (error) {
      expect(ProtocolError.is(error, "VersionUnknown")).to.equal(true);
      expect((error as ProtocolError).preflight).to.equal(false);
    }
  });
});
