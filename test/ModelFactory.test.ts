import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress, ZeroHash } from "ethers";

import { BASE_MODEL, FREEZE, FULL, LORA, modelsFixture, qloraSpec } from "./helpers/models.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const fixture = () => modelsFixture(connection);

describe("ModelFactory", function () {
  describe("base models", function () {
    it("registers base models numbered from 1 with everything in the event", async function () {
      const { factory, alice } = await networkHelpers.loadFixture(fixture);
      const spec = { ...BASE_MODEL, name: "Mistral-7B", family: "mistral", parameterCount: 7_241_732_096n };
      await expect(factory.connect(alice).registerBaseModel(spec))
        .to.emit(factory, "BaseModelRegistered")
        .withArgs(2n, alice.address, "Mistral-7B", "mistral", spec.parameterCount, spec.artifactHash, spec.artifactURI, spec.license);
      const stored = await factory.getBaseModel(2n);
      expect([stored.registrant, stored.parameterCount, stored.artifactHash]).to.deep.equal([
        alice.address,
        spec.parameterCount,
        spec.artifactHash,
      ]);
      expect(await factory.baseModelCount()).to.equal(2n);
    });

    it("refuses a base model without name, parameters or artifact hash, and reports unknown ones", async function () {
      const { factory } = await networkHelpers.loadFixture(fixture);
      for (const [bad, error] of [
        [{ name: "" }, "EmptyName"],
        [{ parameterCount: 0n }, "ZeroParameterCount"],
        [{ artifactHash: ZeroHash }, "EmptyArtifactHash"],
      ] as const) {
        await expect(factory.registerBaseModel({ ...BASE_MODEL, ...bad })).to.be.revertedWithCustomError(factory, error);
      }
      await expect(factory.getBaseModel(9n)).to.be.revertedWithCustomError(factory, "UnknownBaseModel").withArgs(9n);
    });
  });

  describe("fine-tuned models", function () {
    it("registers a QLoRA fine-tune with its settings, adapter and the exact datanet version roots", async function () {
      const { factory, registry, bob } = await networkHelpers.loadFixture(fixture);
      const spec = qloraSpec({}, { trainingData: [{ datanetId: 1, version: 1 }, { datanetId: 1, version: 2 }] });
      const tx = factory.connect(bob).registerModel(1n, "support-bot", spec);
      await expect(tx).to.emit(factory, "ModelRegistered").withArgs(1n, 1n, bob.address, "support-bot");
      await expect(tx).to.emit(factory, "ModelVersionPublished");
      for (const version of [1, 2]) {
        const published = await registry.getVersion(1n, version);
        await expect(tx)
          .to.emit(factory, "TrainingDataRecorded")
          .withArgs(1n, 1, 1n, version, published.root, published.contributionCount);
      }
      const receipt = await (await tx).wait();
      const event = factory.interface.parseLog(receipt!.logs.find((l) => factory.interface.parseLog(l)?.name === "ModelVersionPublished")!)!;
      expect(event.args.hyperparameters.loraTarget).to.deep.equal(["q_proj", "v_proj"]);
      expect([event.args.hyperparameters.lrSchedulerType, event.args.hyperparameters.template]).to.deep.equal(["cosine", "llama3"]);
      expect(event.args.adapterURI).to.equal("ipfs://adapter");

      const model = await factory.getModel(1n);
      expect([model.owner, model.baseModelId, model.versionCount, model.pendingOwner]).to.deep.equal([bob.address, 1n, 1n, ZeroAddress]);
      const version = await factory.getModelVersion(1n, 1);
      expect([version.finetuningType, version.loraRank, version.loraAlpha, version.loraDropoutBps, version.quantizationBit]).to.deep.equal([
        BigInt(LORA),
        16n,
        32n,
        500n,
        4n,
      ]);
      expect([version.learningRateWad, version.numTrainEpochsMilli, version.perDeviceTrainBatchSize, version.gradientAccumulationSteps, version.cutoffLen]).to.deep.equal([
        2n * 10n ** 14n,
        3_000n,
        4n,
        16n,
        2_048n,
      ]);
      expect([version.adapterHash, version.evaluationHash]).to.deep.equal([spec.adapterHash, spec.evaluationHash]);
      expect((await factory.trainingDataOf(1n, 1)).map((r) => [r.datanetId, r.version])).to.deep.equal([
        [1n, 1n],
        [1n, 2n],
      ]);
      expect(await factory.ownerOf(1n)).to.equal(bob.address);
      expect(await factory.modelCount()).to.equal(1n);
    });

    it("accepts LoRA with and without a quantized base, freeze and full tuning without LoRA settings, and LLaMA-Factory's range ends", async function () {
      const { factory } = await networkHelpers.loadFixture(fixture);
      const noLora = { loraRank: 0, loraAlpha: 0, loraDropoutBps: 0, quantizationBit: 0, loraTarget: [] };
      const accepted: [string, Parameters<typeof qloraSpec>[0]][] = [
        ["lora", { quantizationBit: 0 }],
        ["qlora8", { quantizationBit: 8 }],
        ["freeze", { finetuningType: FREEZE, ...noLora }],
        ["full", { finetuningType: FULL, ...noLora }],
        ["low ends", { loraRank: 1, loraAlpha: 1, loraDropoutBps: 0, learningRateWad: 1n, numTrainEpochsMilli: 1, perDeviceTrainBatchSize: 1, gradientAccumulationSteps: 1, cutoffLen: 4 }],
        ["high ends", { loraRank: 1_024, loraAlpha: 2_048, loraDropoutBps: 10_000, learningRateWad: 10n ** 18n, numTrainEpochsMilli: 1_000_000, perDeviceTrainBatchSize: 1_024, gradientAccumulationSteps: 1_024, cutoffLen: 131_072 }],
        ["odd rank, all targets", { loraRank: 12, loraTarget: ["all"] }],
        ["names", { lrSchedulerType: "cosine_with_min_lr", template: "qwen3_nothink" }],
      ];
      for (const [name, overrides] of accepted) await expect(factory.registerModel(1n, name, qloraSpec(overrides)), name).to.emit(factory, "ModelRegistered");
      expect(await factory.modelCount()).to.equal(BigInt(accepted.length));
    });

    it("refuses each out-of-range setting with its own error", async function () {
      const { factory } = await networkHelpers.loadFixture(fixture);
      const fullBase = { finetuningType: FULL, loraRank: 0, loraAlpha: 0, loraDropoutBps: 0, quantizationBit: 0, loraTarget: [] };
      const cases: [Parameters<typeof qloraSpec>[0], string, unknown[]][] = [
        [{ finetuningType: 3 }, "UnknownFinetuningType", [3]],
        [{ loraRank: 0 }, "InvalidLoraRank", [0]],
        [{ loraRank: 1_025 }, "InvalidLoraRank", [1_025]],
        [{ loraAlpha: 0 }, "InvalidLoraAlpha", [0]],
        [{ loraAlpha: 2_049 }, "InvalidLoraAlpha", [2_049]],
        [{ loraDropoutBps: 10_001 }, "InvalidLoraDropout", [10_001]],
        [{ quantizationBit: 16 }, "InvalidQuantizationBit", [LORA, 16]],
        [{ quantizationBit: 2 }, "InvalidQuantizationBit", [LORA, 2]],
        [{ ...fullBase, quantizationBit: 8 }, "InvalidQuantizationBit", [FULL, 8]],
        [{ ...fullBase, finetuningType: FREEZE, quantizationBit: 4 }, "InvalidQuantizationBit", [FREEZE, 4]],
        [{ loraTarget: [] }, "NoLoraTarget", []],
        [{ loraTarget: Array.from({ length: 33 }, (_, i) => `m${i}`) }, "TooManyLoraTargets", [33]],
        [{ loraTarget: ["q_proj", ""] }, "EmptyLoraTarget", [1]],
        [{ ...fullBase, loraRank: 8 }, "LoraSettingsWithoutLora", []],
        [{ ...fullBase, finetuningType: FREEZE, loraTarget: ["q_proj"] }, "LoraSettingsWithoutLora", []],
        [{ learningRateWad: 0n }, "InvalidLearningRate", [0n]],
        [{ learningRateWad: 10n ** 18n + 1n }, "InvalidLearningRate", [10n ** 18n + 1n]],
        [{ numTrainEpochsMilli: 0 }, "InvalidTrainingEpochs", [0]],
        [{ numTrainEpochsMilli: 1_000_001 }, "InvalidTrainingEpochs", [1_000_001]],
        [{ perDeviceTrainBatchSize: 0 }, "InvalidBatchSize", [0]],
        [{ perDeviceTrainBatchSize: 1_025 }, "InvalidBatchSize", [1_025]],
        [{ gradientAccumulationSteps: 0 }, "InvalidGradientAccumulationSteps", [0]],
        [{ gradientAccumulationSteps: 1_025 }, "InvalidGradientAccumulationSteps", [1_025]],
        [{ cutoffLen: 3 }, "InvalidCutoffLength", [3]],
        [{ cutoffLen: 131_073 }, "InvalidCutoffLength", [131_073]],
        [{ lrSchedulerType: "" }, "InvalidLrSchedulerType", [""]],
        [{ lrSchedulerType: "Cosine" }, "InvalidLrSchedulerType", ["Cosine"]],
        [{ template: "x".repeat(65) }, "InvalidTemplate", ["x".repeat(65)]],
        [{ template: "llama 3" }, "InvalidTemplate", ["llama 3"]],
      ];
      for (const [overrides, error, args] of cases) {
        await expect(factory.registerModel(1n, "m", qloraSpec(overrides)), error)
          .to.be.revertedWithCustomError(factory, error)
          .withArgs(...args);
      }
      expect(await factory.modelCount()).to.equal(0n);
    });

    it("requires one to sixteen distinct published datanet versions, a base model, a name and an adapter hash", async function () {
      const { factory, registry } = await networkHelpers.loadFixture(fixture);
      const ref = { datanetId: 1, version: 1 };
      await expect(factory.registerModel(1n, "m", qloraSpec({}, { trainingData: [] }))).to.be.revertedWithCustomError(factory, "NoTrainingData");
      await expect(factory.registerModel(1n, "m", qloraSpec({}, { trainingData: Array(17).fill(ref) })))
        .to.be.revertedWithCustomError(factory, "TooManyTrainingDatasets")
        .withArgs(17);
      await expect(factory.registerModel(1n, "m", qloraSpec({}, { trainingData: [ref, { datanetId: 1, version: 2 }, ref] })))
        .to.be.revertedWithCustomError(factory, "DuplicateTrainingData")
        .withArgs(1, 1);
      for (const [datanetId, version] of [[1, 3], [2, 1], [1, 0]] as const) {
        await expect(factory.registerModel(1n, "m", qloraSpec({}, { trainingData: [{ datanetId, version }] })))
          .to.be.revertedWithCustomError(registry, "VersionUnknown")
          .withArgs(datanetId, version);
      }
      await expect(factory.registerModel(2n, "m", qloraSpec())).to.be.revertedWithCustomError(factory, "UnknownBaseModel").withArgs(2n);
      await expect(factory.registerModel(1n, "", qloraSpec())).to.be.revertedWithCustomError(factory, "EmptyName");
      await expect(factory.registerModel(1n, "m", qloraSpec({}, { adapterHash: ZeroHash }))).to.be.revertedWithCustomError(
        factory,
        "EmptyArtifactHash",
      );
    });
  });

  describe("versions and ownership", function () {
    it("lets only the owner publish new versions, numbered on", async function () {
      const { factory, bob, carol } = await networkHelpers.loadFixture(fixture);
      await (await factory.connect(bob).registerModel(1n, "m", qloraSpec())).wait();
      const next = qloraSpec({ loraRank: 32, loraAlpha: 64 }, { trainingData: [{ datanetId: 1, version: 2 }], adapterHash: `0x${"a2".repeat(32)}` });
      await expect(factory.connect(carol).publishModelVersion(1n, next))
        .to.be.revertedWithCustomError(factory, "NotModelOwner")
        .withArgs(1n, carol.address);
      await expect(factory.connect(bob).publishModelVersion(2n, next)).to.be.revertedWithCustomError(factory, "UnknownModel").withArgs(2n);
      await expect(factory.connect(bob).publishModelVersion(1n, next))
        .to.emit(factory, "TrainingDataRecorded")
        .withArgs(1n, 2, 1n, 2, ethers.id("root-2"), 2n);
      expect((await factory.getModelVersion(1n, 2)).loraRank).to.equal(32n);
      expect((await factory.getModel(1n)).versionCount).to.equal(2n);
      await expect(factory.getModelVersion(1n, 3)).to.be.revertedWithCustomError(factory, "UnknownModelVersion").withArgs(1n, 3);
      await expect(factory.trainingDataOf(1n, 0)).to.be.revertedWithCustomError(factory, "UnknownModelVersion").withArgs(1n, 0);
      await expect(factory.getModel(7n)).to.be.revertedWithCustomError(factory, "UnknownModel").withArgs(7n);
    });

    it("transfers ownership in two steps, and a zero offer cancels", async function () {
      const { factory, bob, carol, outsider } = await networkHelpers.loadFixture(fixture);
      await (await factory.connect(bob).registerModel(1n, "m", qloraSpec())).wait();
      await expect(factory.connect(carol).transferModelOwnership(1n, carol.address))
        .to.be.revertedWithCustomError(factory, "NotModelOwner")
        .withArgs(1n, carol.address);
      await expect(factory.connect(bob).transferModelOwnership(1n, carol.address))
        .to.emit(factory, "ModelOwnershipTransferStarted")
        .withArgs(1n, bob.address, carol.address);
      await expect(factory.connect(outsider).acceptModelOwnership(1n))
        .to.be.revertedWithCustomError(factory, "NotPendingModelOwner")
        .withArgs(1n, outsider.address);
      await expect(factory.connect(carol).acceptModelOwnership(9n)).to.be.revertedWithCustomError(factory, "UnknownModel").withArgs(9n);
      await expect(factory.connect(carol).acceptModelOwnership(1n))
        .to.emit(factory, "ModelOwnershipTransferred")
        .withArgs(1n, bob.address, carol.address);
      expect(await factory.ownerOf(1n)).to.equal(carol.address);
      await (await factory.connect(carol).transferModelOwnership(1n, bob.address)).wait();
      await (await factory.connect(carol).transferModelOwnership(1n, ZeroAddress)).wait();
      await expect(factory.connect(bob).acceptModelOwnership(1n)).to.be.revertedWithCustomError(factory, "NotPendingModelOwner");
    });
  });
});
