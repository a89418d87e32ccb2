import type { NetworkConnection } from "hardhat/types/network";

import type { IModelFactory } from "../../types/ethers-contracts/ModelFactory.ts";
import { item, registryFixture, submitMany, testPolicy } from "./registry.ts";

export const LORA = 0;
export const FREEZE = 1;
export const FULL = 2;

/** A valid QLoRA run (LoRA on a 4-bit base) on datanet 1 version 1; `overrides` replace hyperparameters or spec fields. */
export function qloraSpec(
  overrides: Partial<IModelFactory.HyperparametersStruct> = {},
  spec: Partial<Omit<IModelFactory.FineTuneSpecStruct, "hyperparameters">> = {},
): IModelFactory.FineTuneSpecStruct {
  return {
    hyperparameters: {
      finetuningType: LORA,
      loraRank: 16,
      loraAlpha: 32,
      loraDropoutBps: 500,
      quantizationBit: 4,
      learningRateWad: 2n * 10n ** 14n,
      numTrainEpochsMilli: 3_000,
      perDeviceTrainBatchSize: 4,
      gradientAccumulationSteps: 16,
      cutoffLen: 2_048,
      loraTarget: ["q_proj", "v_proj"],
      lrSchedulerType: "cosine",
      template: "llama3",
      ...overrides,
    },
    trainingData: [{ datanetId: 1, version: 1 }],
    adapterHash: `0x${"ad".repeat(32)}`,
    adapterURI: "ipfs://adapter",
    evaluationHash: `0x${"e0".repeat(32)}`,
    ...spec,
  };
}

export const BASE_MODEL: IModelFactory.BaseModelSpecStruct = {
  name: "Llama-3.1-8B",
  family: "llama",
  parameterCount: 8_030_261_248n,
  artifactHash: `0x${"ba".repeat(32)}`,
  artifactURI: "hf://meta-llama/Llama-3.1-8B",
  license: "llama3.1",
};

/**
 * The registry fixture plus two published datanet versions (datanet 1 versions 1 and 2), the model
 * factory, and base model 1 registered by `owner`.
 */
export async function modelsFixture(connection: NetworkConnection) {
  const { ethers } = connection;
  const f = await registryFixture(connection);
  const { registry, owner, alice, finalizer, datanetId } = f;
  const items = [item(), item()];
  await (await submitMany(registry, alice, datanetId, items)).wait();
  await (await registry.connect(finalizer).finalize(items[0]!.contentHash, 2)).wait();
  await (await registry.connect(owner).publishVersion(datanetId, ethers.id("root-1"), 1n, "ipfs://v1")).wait();
  await (await registry.connect(finalizer).finalize(items[1]!.contentHash, 2)).wait();
  await (await registry.connect(owner).publishVersion(datanetId, ethers.id("root-2"), 2n, "ipfs://v2")).wait();
  await (await registry.connect(owner).createDatanet(0, "ipfs://second", testPolicy())).wait();
  const factory = await ethers.getContractAt("ModelFactory", f.deployment.contracts.modelFactory);
  await (await factory.connect(owner).registerBaseModel(BASE_MODEL)).wait();
  return { ...f, factory };
}

/** Model 1 owned by `bob` (the developer); `carol` is an inference provider holding 100,000 OPEN, approved to pay fees. */
export async function attributionFixture(connection: NetworkConnection) {
  const { ethers } = connection;
  const f = await modelsFixture(connection);
  const { factory, token, admin, bob, carol } = f;
  await (await factory.connect(bob).registerModel(1n, "support-bot", qloraSpec())).wait();
  const attribution = await ethers.getContractAt("ProofOfAttribution", f.deployment.contracts.proofOfAttribution);
  const distributor = await ethers.getContractAt("MerkleEpochDistributor", f.deployment.contracts.merkleEpochDistributor);
  await (await token.connect(admin).transfer(carol.address, 100_000n * 10n ** 18n)).wait();
  await (await token.connect(carol).approve(await attribution.getAddress(), 2n ** 255n)).wait();
  return { ...f, attribution, distributor };
}
