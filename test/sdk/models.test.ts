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
  fromHyperparameters,
  trainingMethod,
  withDefaults,
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

const TRAINING = { learningRate: 2e-4, numTrainEpochs: 3, perDeviceTrainBatchSize: 4, gradientAccumulationSteps: 16, cutoffLen: 2_048, lrSchedulerType: "cosine", template: "llama3" };

describe("SDK models", function () {
  it("reads a PEFT adapter folder: LoRA settings, 4-bit quantization, and the weights' hash", async function () {
    const folder = await readAdapterFolder(ADAPTER);
    expect(folder.baseModel).to.equal("meta-llama/Llama-3.1-8B");
    expect(folder.adapter).to.deep.equal({
      loraRank: 16,
      loraAlpha: 32,
      loraDropout: 0.05,
      loraTarget: ["q_proj", "k_proj", "v_proj", "o_proj"],
      quantizationBit: 4,
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
    expect([lora.adapter.quantizationBit, lora.adapter.loraTarget]).to.deep.equal([null, ["q_proj"]]);
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

  it("fills LLaMA-Factory's defaults: lora_rank 8, lora_alpha 2 × rank, lora_dropout 0, lora_target all, no quantization", function () {
    expect(withDefaults({ template: "llama3" })).to.deep.equal({
      finetuningType: "lora",
      loraRank: 8,
      loraAlpha: 16,
      loraDropout: 0,
      loraTarget: ["all"],
      quantizationBit: null,
      learningRate: 5e-5,
      numTrainEpochs: 3,
      perDeviceTrainBatchSize: 8,
      gradientAccumulationSteps: 1,
      lrSchedulerType: "linear",
      cutoffLen: 2_048,
      template: "llama3",
    });
    expect(withDefaults({ template: "llama3", loraRank: 64, loraAlpha: undefined }).loraAlpha).to.equal(128);
    expect(withDefaults({ template: "llama3", loraRank: 64, loraAlpha: 16 }).loraAlpha).to.equal(16);
    // Freeze and full tuning carry no LoRA settings (the contract refuses them there).
    expect(Object.keys(withDefaults({ template: "llama3", finetuningType: "full", loraRank: 64 })).filter((k) => k.startsWith("lora"))).to.deep.equal([]);
    expect(trainingMethod(withDefaults({ template: "llama3", quantizationBit: 4 }))).to.equal("qlora");
    expect(trainingMethod(withDefaults({ template: "llama3", finetuningType: "freeze" }))).to.equal("freeze");
    // The on-chain record converts back to the same settings.
    const settings = withDefaults({ ...TRAINING, loraRank: 16, loraDropout: 0.05, quantizationBit: 8, numTrainEpochs: 2.5 });
    expect(fromHyperparameters(toHyperparameters(settings))).to.deep.equal(settings);
  });

  it("refuses every bad setting before sending, with the error the contract would give", async function () {
    const f = await networkHelpers.loadFixture(modelsFixture);
    const good = withDefaults({ loraRank: 16, loraDropout: 0.05, quantizationBit: 4, loraTarget: ["q_proj"], ...TRAINING });
    const full = withDefaults({ finetuningType: "full", ...TRAINING });
    const v1 = [{ datanetId: 1n, version: 1 }];
    const cases: [FineTuneSettings, { datanetId: bigint; version: number }[], ProtocolErrorName][] = [
      [{ ...good, loraRank: 0 }, v1, "InvalidLoraRank"],
      [{ ...good, loraRank: 1_025 }, v1, "InvalidLoraRank"],
      [{ ...good, loraAlpha: 0 }, v1, "InvalidLoraAlpha"],
      [{ ...good, loraAlpha: 2_049 }, v1, "InvalidLoraAlpha"],
      [{ ...good, loraDropout: 1.01 }, v1, "InvalidLoraDropout"],
      [{ ...good, quantizationBit: 2 as never }, v1, "InvalidQuantizationBit"],
      [{ ...full, quantizationBit: 4 }, v1, "InvalidQuantizationBit"],
      [{ ...good, loraTarget: [] }, v1, "NoLoraTarget"],
      [{ ...good, loraTarget: Array(33).fill("m") }, v1, "TooManyLoraTargets"],
      [{ ...good, loraTarget: ["q", ""] }, v1, "EmptyLoraTarget"],
      [{ ...full, loraRank: 8 }, v1, "LoraSettingsWithoutLora"],
      [{ ...good, learningRate: 0 }, v1, "InvalidLearningRate"],
      [{ ...good, learningRate: 2 }, v1, "InvalidLearningRate"],
      [{ ...good, numTrainEpochs: 0 }, v1, "InvalidTrainingEpochs"],
      [{ ...good, numTrainEpochs: 1_000.5 }, v1, "InvalidTrainingEpochs"],
      [{ ...good, perDeviceTrainBatchSize: 1_025 }, v1, "InvalidBatchSize"],
      [{ ...good, gradientAccumulationSteps: 0 }, v1, "InvalidGradientAccumulationSteps"],
      [{ ...good, cutoffLen: 3 }, v1, "InvalidCutoffLength"],
      [{ ...good, cutoffLen: 131_073 }, v1, "InvalidCutoffLength"],
      [{ ...good, lrSchedulerType: "Cosine" }, v1, "InvalidLrSchedulerType"],
      [{ ...good, template: "" }, v1, "InvalidTemplate"],
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
    // The unknown finetuning type cannot come from settings; its code can.
    await expectProtocolError(preflightFineTune({ ...toHyperparameters(good), finetuningType: 3 }, v1), "UnknownFinetuningType", true);
    for (const [settings, field] of [
      [{ ...good, finetuningType: "oft" as never }, "finetuningType"],
      [{ ...good, loraDropout: Number.NaN }, "loraDropout"],
      [{ ...good, learningRate: -1 }, "learningRate"],
      [{ ...good, perDeviceTrainBatchSize: 1.5 }, "perDeviceTrainBatchSize"],
      [{ ...good, template: 3 as never }, "template"],
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
        settings: withDefaults({ ...folder.adapter, ...TRAINING }),
        trainingData: [{ datanetId: 1n, version: 1 }],
        adapterHash: folder.adapterHash,
        adapterURI: "ipfs://adapter",
      })
    ).wait();
    expect([modelId, version]).to.deep.equal([1n, 1]);
    await (
      await f.sdk.models.publishVersion({
        modelId,
        settings: withDefaults({ ...folder.adapter, ...TRAINING, loraRank: 32, loraAlpha: 64 }),
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
    expect(lineage.versions.map((v) => [v.version, v.method, v.settings.loraRank, v.settings.template, v.adapterURI])).to.deep.equal([
      [1, "qlora", 16, "llama3", "ipfs://adapter"],
      [2, "qlora", 32, "llama3", "ipfs://adapter-v2"],
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
      await f.sdk.models.register({ baseModelId: 1n, name: "x", settings: withDefaults({ ...folder.adapter, ...TRAINING }), trainingData: [{ datanetId: 1n, version: 3 }], adapterHash: folder.adapterHash, adapterURI: "" });
      expect.fail("expected VersionUnknown");
    } catch (error) {
      expect(ProtocolError.is(error, "VersionUnknown")).to.equal(true);
      expect((error as ProtocolError).preflight).to.equal(false);
    }
  });
});
