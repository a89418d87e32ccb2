import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress, ZeroHash } from "ethers";

import { BASE_MODEL, FULL, LORA, QLORA, modelsFixture, qloraSpec } from "./helpers/models.ts";

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
      expect(event.args.hyperparameters.targetModules).to.deep.equal(["q_proj", "v_proj"]);
      expect(event.args.adapterURI).to.equal("ipfs://adapter");

      const model = await factory.getModel(1n);
      expect([model.owner, model.baseModelId, model.versionCount, model.pendingOwner]).to.deep.equal([bob.address, 1n, 1n, ZeroAddress]);
      const version = await factory.getModelVersion(1n, 1);
      expect([version.method, version.loraRank, version.loraAlpha, version.loraDropoutBps, version.quantizationBits]).to.deep.equal([
        BigInt(QLORA),
        16n,
        32n,
        500n,
        4n,
      ]);
      expect([version.learningRateWad, version.epochs, version.batchSize, version.cutoffLength]).to.deep.equal([2n * 10n ** 14n, 3n, 64n, 2_048n]);
      expect([version.adapterHash, version.evaluationHash]).to.deep.equal([spec.adapterHash, spec.evaluationHash]);
      expect((await factory.trainingDataOf(1n, 1)).map((r) => [r.datanetId, r.version])).to.deep.equal([
        [1n, 1n],
        [1n, 2n],
      ]);
      expect(await factory.ownerOf(1n)).to.equal(bob.address);
      expect(await factory.modelCount()).to.equal(1n);
    });

    it("accepts LoRA without quantization and a full fine-tune without LoRA settings", async function () {
      const { factory } = await networkHelpers.loadFixture(fixture);
      await expect(factory.registerModel(1n, "lora", qloraSpec({ method: LORA, quantizationBits: 0 }))).to.emit(factory, "ModelRegistered");
      const full = qloraSpec({ method: FULL, loraRank: 0, loraAlpha: 0, loraDropoutBps: 0, quantizationBits: 0, targetModules: [] });
      await expect(factory.registerModel(1n, "full", full)).to.emit(factory, "ModelRegistered");
      for (const bits of [4, 8]) await expect(factory.registerModel(1n, `q${bits}`, qloraSpec({ quantizationBits: bits }))).to.emit(factory, "ModelRegistered");
      for (const rank of [1, 2, 64, 256]) await expect(factory.registerModel(1n, `r${rank}`, qloraSpec({ loraRank: rank }))).to.emit(factory, "ModelRegistered");
    });

    it("refuses each out-of-range hyperparameter with its own error", async function () {
      const { factory } = await networkHelpers.loadFixture(fixture);
      const fullBase = { method: FULL, loraRank: 0, loraAlpha: 0, loraDropoutBps: 0, quantizationBits: 0, targetModules: [] };
      const cases: [Parameters<typeof qloraSpec>[0], string, unknown[]][] = [
        [{ method: 3 }, "UnknownTrainingMethod", [3]],
        [{ loraRank: 0 }, "InvalidLoraRank", [0]],
        [{ loraRank: 3 }, "InvalidLoraRank", [3]],
        [{ loraRank: 512 }, "InvalidLoraRank", [512]],
        [{ loraAlpha: 0 }, "InvalidLoraAlpha", [0]],
        [{ loraDropoutBps: 5_001 }, "InvalidLoraDropout", [5_001]],
        [{ quantizationBits: 0 }, "InvalidQuantizationBits", [QLORA, 0]],
        [{ quantizationBits: 16 }, "InvalidQuantizationBits", [QLORA, 16]],
        [{ method: LORA, quantizationBits: 4 }, "InvalidQuantizationBits", [LORA, 4]],
        [{ ...fullBase, quantizationBits: 8 }, "InvalidQuantizationBits", [FULL, 8]],
        [{ targetModules: [] }, "NoTargetModules", []],
        [{ targetModules: Array.from({ length: 33 }, (_, i) => `m${i}`) }, "TooManyTargetModules", [33]],
        [{ targetModules: ["q_proj", ""] }, "EmptyTargetModule", [1]],
        [{ ...fullBase, loraRank: 8 }, "LoraSettingsOnFullFineTune", []],
        [{ ...fullBase, targetModules: ["q_proj"] }, "LoraSettingsOnFullFineTune", []],
        [{ learningRateWad: 0n }, "InvalidLearningRate", [0n]],
        [{ learningRateWad: 10n ** 18n + 1n }, "InvalidLearningRate", [10n ** 18n + 1n]],
        [{ epochs: 0 }, "InvalidTrainingEpochs", [0]],
        [{ epochs: 1_001 }, "InvalidTrainingEpochs", [1_001]],
        [{ batchSize: 0 }, "InvalidBatchSize", [0]],
        [{ batchSize: 65_537 }, "InvalidBatchSize", [65_537]],
        [{ cutoffLength: 0 }, "InvalidCutoffLength", [0]],
        [{ cutoffLength: 1_048_577 }, "InvalidCutoffLength", [1_048_577]],
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
