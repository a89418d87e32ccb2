import { formatUnits, parseEventLogs, parseUnits, zeroAddress, type Address, type ContractFunctionReturnType, type Hex } from "viem";

import { modelFactoryAbi } from "../abis/index.ts";
import { modelFactoryContract, requireWallet, type ProtocolClient } from "../client.ts";
import { InvalidInputError, protocolError, type ProtocolErrorName } from "../errors.ts";
import { FINETUNING_TYPES, LLAMA_FACTORY_RANGES, SETTING_NAME, trainingMethod, type FineTuneSettings } from "../llama-factory.ts";
import type { HistoryGap } from "../history.ts";
import { readLogRanges } from "../indexer/ranges.ts";
import { only, readProtocol, sendContractTransaction, type TransactionHandle } from "../transaction.ts";
import { assertAddress, assertBytes32, assertPositiveId, isWhole } from "../validate.ts";

/** A published datanet version a model was trained on. */
export interface TrainingDataRef {
  datanetId: bigint;
  version: number;
}

/** The on-chain form of the settings (`IModelFactory.Hyperparameters`). */
export type Hyperparameters = {
  finetuningType: number;
  loraRank: number;
  loraAlpha: number;
  loraDropoutBps: number;
  quantizationBit: number;
  learningRateWad: bigint;
  numTrainEpochsMilli: number;
  perDeviceTrainBatchSize: number;
  gradientAccumulationSteps: number;
  cutoffLen: number;
  loraTarget: readonly string[];
  lrSchedulerType: string;
  template: string;
};

export type ModelInfo = ContractFunctionReturnType<typeof modelFactoryAbi, "view", "getModel">;
export type ModelVersionInfo = ContractFunctionReturnType<typeof modelFactoryAbi, "view", "getModelVersion">;

/**
 * Converts settings to the contract's units (dropout in basis points, learning rate ×1e18, epochs
 * ×1,000); a value that cannot be represented is an `InvalidInputError`. Ranges are the contract's
 * business, mirrored by `preflightFineTune`.
 */
export function toHyperparameters(settings: FineTuneSettings): Hyperparameters {
  const finetuningType = FINETUNING_TYPES.indexOf(settings.finetuningType);
  if (finetuningType === -1) {
    throw new InvalidInputError("finetuningType", `must be ${FINETUNING_TYPES.map((t) => `"${t}"`).join(", ")}, not ${String(settings.finetuningType)}`);
  }
  const fraction = (field: keyof FineTuneSettings, value: number | undefined, scale: number, max: number) => {
    const v = value ?? 0;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || Math.round(v * scale) > max) {
      throw new InvalidInputError(field, `${String(value)} is not a number from 0 to ${max / scale}`);
    }
    return Math.round(v * scale);
  };
  const whole = (field: keyof FineTuneSettings, value: number | null | undefined, max: number) => {
    const v = value ?? 0;
    if (!isWhole(v, 0, max)) throw new InvalidInputError(field, `${String(value)} is not a whole number from 0 to ${max}`);
    return v;
  };
  const rate = settings.learningRate;
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate < 0 || rate > 1e6) {
    throw new InvalidInputError("learningRate", `${String(rate)} is not a learning rate`);
  }
  const name = (field: "lrSchedulerType" | "template") => {
    if (typeof settings[field] !== "string") throw new InvalidInputError(field, `${String(settings[field])} is not a name`);
    return settings[field];
  };
  const targets = settings.loraTarget ?? [];
  if (!Array.isArray(targets) || !targets.every((t) => typeof t === "string")) throw new InvalidInputError("loraTarget", "must be a list of module names");
  return {
    finetuningType,
    loraRank: whole("loraRank", settings.loraRank, 65_535),
    loraAlpha: whole("loraAlpha", settings.loraAlpha, 65_535),
    loraDropoutBps: fraction("loraDropout", settings.loraDropout, 10_000, 65_535),
    quantizationBit: whole("quantizationBit", settings.quantizationBit, 255),
    learningRateWad: parseUnits(rate.toFixed(18), 18),
    numTrainEpochsMilli: fraction("numTrainEpochs", settings.numTrainEpochs, 1_000, 2 ** 24 - 1),
    perDeviceTrainBatchSize: whole("perDeviceTrainBatchSize", settings.perDeviceTrainBatchSize, 65_535),
    gradientAccumulationSteps: whole("gradientAccumulationSteps", settings.gradientAccumulationSteps, 65_535),
    cutoffLen: whole("cutoffLen", settings.cutoffLen, 2 ** 24 - 1),
    loraTarget: [...targets],
    lrSchedulerType: name("lrSchedulerType"),
    template: name("template"),
  };
}

/** The settings a `Hyperparameters` record stands for (what LLaMA-Factory was given). */
export function fromHyperparameters(hp: Hyperparameters): FineTuneSettings {
  const finetuningType = FINETUNING_TYPES[hp.finetuningType] ?? "full";
  const lora = finetuningType === "lora" ? { loraRank: hp.loraRank, loraAlpha: hp.loraAlpha, loraDropout: hp.loraDropoutBps / 10_000, loraTarget: hp.loraTarget } : {};
  return {
    finetuningType,
    ...lora,
    quantizationBit: hp.quantizationBit === 4 || hp.quantizationBit === 8 ? hp.quantizationBit : null,
    learningRate: Number(formatUnits(hp.learningRateWad, 18)),
    numTrainEpochs: hp.numTrainEpochsMilli / 1_000,
    perDeviceTrainBatchSize: hp.perDeviceTrainBatchSize,
    gradientAccumulationSteps: hp.gradientAccumulationSteps,
    lrSchedulerType: hp.lrSchedulerType,
    cutoffLen: hp.cutoffLen,
    template: hp.template,
  };
}

const inRange = (value: number, [min, max]: readonly [number, number]) => value >= min && value <= max;

const fail = async (name: ProtocolErrorName, args: readonly unknown[]): Promise<never> => {
  throw await protocolError(name, args as never, { preflight: true });
};

/**
 * The contract's checks on a run's settings, in the same order, so a bad value fails here with the
 * same named error (`preflight: true`): what `model train-config` checks before writing a config.
 */
export async function preflightSettings(hp: Hyperparameters): Promise<void> {
  const R = LLAMA_FACTORY_RANGES;
  if (hp.finetuningType >= FINETUNING_TYPES.length) await fail("UnknownFinetuningType", [hp.finetuningType]);
  if (hp.finetuningType === 0) {
    if (!inRange(hp.loraRank, R.loraRank)) await fail("InvalidLoraRank", [hp.loraRank]);
    if (!inRange(hp.loraAlpha, R.loraAlpha)) await fail("InvalidLoraAlpha", [hp.loraAlpha]);
    if (hp.loraDropoutBps > R.loraDropout[1] * 10_000) await fail("InvalidLoraDropout", [hp.loraDropoutBps]);
    if (hp.loraTarget.length === 0) await fail("NoLoraTarget", []);
    if (hp.loraTarget.length > R.loraTarget[1]) await fail("TooManyLoraTargets", [BigInt(hp.loraTarget.length)]);
    const empty = hp.loraTarget.findIndex((m) => m.length === 0);
    if (empty !== -1) await fail("EmptyLoraTarget", [BigInt(empty)]);
  } else if (hp.loraRank !== 0 || hp.loraAlpha !== 0 || hp.loraDropoutBps !== 0 || hp.loraTarget.length !== 0) {
    await fail("LoraSettingsWithoutLora", []);
  }
  const bits = hp.quantizationBit;
  if ((bits !== 0 && bits !== 4 && bits !== 8) || (bits !== 0 && hp.finetuningType !== 0)) await fail("InvalidQuantizationBit", [hp.finetuningType, bits]);
  if (hp.learningRateWad === 0n || hp.learningRateWad > 10n ** 18n) await fail("InvalidLearningRate", [hp.learningRateWad]);
  if (!inRange(hp.numTrainEpochsMilli, [R.numTrainEpochs[0] * 1_000, R.numTrainEpochs[1] * 1_000])) await fail("InvalidTrainingEpochs", [hp.numTrainEpochsMilli]);
  if (!inRange(hp.perDeviceTrainBatchSize, R.perDeviceTrainBatchSize)) await fail("InvalidBatchSize", [hp.perDeviceTrainBatchSize]);
  if (!inRange(hp.gradientAccumulationSteps, R.gradientAccumulationSteps)) await fail("InvalidGradientAccumulationSteps", [hp.gradientAccumulationSteps]);
  if (!inRange(hp.cutoffLen, R.cutoffLen)) await fail("InvalidCutoffLength", [hp.cutoffLen]);
  // The contract counts bytes; [a-z0-9_.-] are one byte each, so characters are bytes here.
  if (!SETTING_NAME.test(hp.lrSchedulerType)) await fail("InvalidLrSchedulerType", [hp.lrSchedulerType]);
  if (!SETTING_NAME.test(hp.template)) await fail("InvalidTemplate", [hp.template]);
}

/**
 * The contract's checks on a training run (settings, then training data), in the same order, so a
 * bad value fails here with the same named error and nothing is sent (`preflight: true`). The tests
 * hold the two to parity.
 */
export async function preflightFineTune(hp: Hyperparameters, trainingData: readonly TrainingDataRef[]): Promise<void> {
  await preflightSettings(hp);
  if (trainingData.length === 0) await fail("NoTrainingData", []);
  if (trainingData.length > 16) await fail("TooManyTrainingDatasets", [BigInt(trainingData.length)]);
  for (const [i, ref] of trainingData.entries()) {
    // The contract keeps datanet ids in 32 bits (`DatanetVersionRef`); a larger id names no datanet.
    if (typeof ref.datanetId !== "bigint" || ref.datanetId <= 0n || ref.datanetId > 0xffff_ffffn) {
      throw new InvalidInputError(`trainingData[${i}].datanetId`, `${String(ref.datanetId)} is not a datanet id`);
    }
    if (trainingData.slice(0, i).some((r) => r.datanetId === ref.datanetId && r.version === ref.version)) {
      await fail("DuplicateTrainingData", [Number(ref.datanetId), ref.version]);
    }
  }
}

/** Registers a base model; `wait()` gives its id. */
export async function registerBaseModel(
  client: ProtocolClient,
  spec: { name: string; family: string; parameterCount: bigint; artifactHash: Hex; artifactURI: string; license: string },
): Promise<TransactionHandle<{ baseModelId: bigint }>> {
  if (spec.name === "") throw new InvalidInputError("name", "a base model needs a name");
  if (typeof spec.parameterCount !== "bigint" || spec.parameterCount <= 0n) {
    throw new InvalidInputError("parameterCount", "must be a positive bigint");
  }
  assertBytes32("artifactHash", spec.artifactHash);
  return sendContractTransaction(
    requireWallet(client, "registerBaseModel"),
    { ...modelFactoryContract(client), functionName: "registerBaseModel", args: [spec] },
    (logs) => ({ baseModelId: only(logs, "BaseModelRegistered").args.baseModelId }),
  );
}

/** A training run as the SDK takes it. */
export interface FineTuneRun {
  settings: FineTuneSettings;
  trainingData: readonly TrainingDataRef[];
  adapterHash: Hex;
  adapterURI: string;
  /** Hash of the evaluation results (zero if none). */
  evaluationHash?: Hex;
}

async function toSpec(run: FineTuneRun) {
  const hyperparameters = toHyperparameters(run.settings);
  await preflightFineTune(hyperparameters, run.trainingData);
  assertBytes32("adapterHash", run.adapterHash);
  const evaluationHash = run.evaluationHash ?? `0x${"00".repeat(32)}`;
  assertBytes32("evaluationHash", evaluationHash);
  return { hyperparameters, trainingData: run.trainingData.map(({ datanetId, version }) => ({ datanetId: Number(datanetId), version })), adapterHash: run.adapterHash, adapterURI: run.adapterURI, evaluationHash };
}

/**
 * Registers a fine-tuned model with its first training run (checked here first, then simulated).
 * `wait()` gives the model id.
 */
export async function registerModel(
  client: ProtocolClient,
  params: { baseModelId: bigint; name: string } & FineTuneRun,
): Promise<TransactionHandle<{ modelId: bigint; version: number }>> {
  assertPositiveId("baseModelId", params.baseModelId);
  if (params.name === "") throw new InvalidInputError("name", "a model needs a name");
  const spec = await toSpec(params);
  return sendContractTransaction(
    requireWallet(client, "registerModel"),
    { ...modelFactoryContract(client), functionName: "registerModel", args: [params.baseModelId, params.name, spec] },
    (logs) => {
      const { modelId, version } = only(logs, "ModelVersionPublished").args;
      return { modelId, version };
    },
  );
}

/** Publishes the next version of a model the wallet owns. `wait()` gives the version number. */
export async function publishModelVersion(
  client: ProtocolClient,
  params: { modelId: bigint } & FineTuneRun,
): Promise<TransactionHandle<{ version: number }>> {
  assertPositiveId("modelId", params.modelId);
  const spec = await toSpec(params);
  return sendContractTransaction(
    requireWallet(client, "publishModelVersion"),
    { ...modelFactoryContract(client), functionName: "publishModelVersion", args: [params.modelId, spec] },
    (logs) => ({ version: only(logs, "ModelVersionPublished").args.version }),
  );
}

/** Offers a model to `newOwner` (the zero address cancels). */
export async function transferModelOwnership(
  client: ProtocolClient,
  params: { modelId: bigint; newOwner: Address },
): Promise<TransactionHandle<Record<string, never>>> {
  assertPositiveId("modelId", params.modelId);
  assertAddress("newOwner", params.newOwner);
  return sendContractTransaction(
    requireWallet(client, "transferModelOwnership"),
    { ...modelFactoryContract(client), functionName: "transferModelOwnership", args: [params.modelId, params.newOwner] },
    () => ({}),
  );
}

/** Accepts a model offered to the wallet. */
export async function acceptModelOwnership(
  client: ProtocolClient,
  params: { modelId: bigint },
): Promise<TransactionHandle<Record<string, never>>> {
  assertPositiveId("modelId", params.modelId);
  return sendContractTransaction(
    requireWallet(client, "acceptModelOwnership"),
    { ...modelFactoryContract(client), functionName: "acceptModelOwnership", args: [params.modelId] },
    () => ({}),
  );
}

/** A model's owner, base model and version count. */
export async function getModel(client: ProtocolClient, params: { modelId: bigint }): Promise<ModelInfo> {
  assertPositiveId("modelId", params.modelId);
  return readProtocol(() => client.publicClient.readContract({ ...modelFactoryContract(client), functionName: "getModel", args: [params.modelId] }));
}

/** One version's stored settings and hashes. */
export async function getModelVersion(client: ProtocolClient, params: { modelId: bigint; version: number }): Promise<ModelVersionInfo> {
  assertPositiveId("modelId", params.modelId);
  return readProtocol(() =>
    client.publicClient.readContract({ ...modelFactoryContract(client), functionName: "getModelVersion", args: [params.modelId, params.version] }),
  );
}

/** A model's history as its events tell it. */
export interface ModelLineage {
  modelId: bigint;
  baseModelId: bigint;
  name: string;
  owner: Address;
  /** The account offered the model (the zero address: none). */
  pendingOwner: Address;
  versions: {
    version: number;
    /** "lora", "qlora" (LoRA on a quantized base), "freeze" or "full". */
    method: ReturnType<typeof trainingMethod>;
    /** The settings as LLaMA-Factory took them. */
    settings: FineTuneSettings;
    hyperparameters: Hyperparameters;
    adapterHash: Hex;
    adapterURI: string;
    evaluationHash: Hex;
    trainingData: { datanetId: bigint; version: number; versionRoot: Hex; contributionCount: bigint }[];
    blockNumber: bigint;
    /** Its block's second, when the logs carry it (`indexProtocolEvents` adds it). */
    publishedAt?: number;
  }[];
}

/** Every model factory event from the deployment's start block, in chain order. */
export async function fetchModelLogs(client: ProtocolClient) {
  const logs = await readProtocol(() =>
    readLogRanges(client, {}, (fromBlock, toBlock) =>
      client.publicClient.getContractEvents({ ...modelFactoryContract(client), fromBlock, toBlock, strict: true }),
    ),
  );
  return parseEventLogs({ abi: modelFactoryAbi, logs, strict: true });
}

/**
 * Rebuilds every model's lineage from the factory's events alone: owner changes, versions with their
 * settings and adapter, and the exact datanet version roots each was trained on.
 */
export function rebuildModelLineage(logs: readonly ModelLog[], gaps?: HistoryGap[]): Map<bigint, ModelLineage> {
  const rebuild = modelLineageRebuild(gaps);
  for (const log of logs) rebuild.apply(log);
  return rebuild.models;
}

type ModelLog = Awaited<ReturnType<typeof fetchModelLogs>>[number];

/** No lineage yet, and `apply`, which applies one factory event to it (events in chain order), as
 * `rebuildModelLineage` does: for a history streamed through, never held whole. */
export function modelLineageRebuild(gaps?: HistoryGap[]): { models: Map<bigint, ModelLineage>; apply: (log: ModelLog) => void } {
  const models = new Map<bigint, ModelLineage>();
  let log: ModelLog;
  // Without `gaps`, an event about a model never registered throws; with it, it is recorded there
  // and applied to a detached record that the result does not keep.
  const gap = (entity: string, missing: string) => {
    if (gaps === undefined) throw new Error(`${log.eventName} for ${entity} before its ${missing}`);
    gaps.push({ entity, event: log.eventName, blockNumber: log.blockNumber, missing });
  };
  const model = (id: bigint): ModelLineage => {
    const found = models.get(id);
    if (found !== undefined) return found;
    gap(`model ${id}`, "ModelRegistered");
    return { modelId: id, baseModelId: 0n, name: "", owner: zeroAddress, pendingOwner: zeroAddress, versions: [] };
  };
  const apply = (next: ModelLog) => {
    log = next;
    switch (log.eventName) {
      case "ModelRegistered":
        models.set(log.args.modelId, { ...log.args, pendingOwner: zeroAddress, versions: [] });
        break;
      case "ModelVersionPublished": {
        const { version, hyperparameters, adapterHash, adapterURI, evaluationHash } = log.args;
        model(log.args.modelId).versions.push({
          version,
          method: trainingMethod(fromHyperparameters(hyperparameters)),
          settings: fromHyperparameters(hyperparameters),
          hyperparameters,
          adapterHash,
          adapterURI,
          evaluationHash,
          trainingData: [],
          blockNumber: log.blockNumber,
          ...(log.blockTimestamp != null ? { publishedAt: Number(log.blockTimestamp) } : {}),
        });
        break;
      }
      case "TrainingDataRecorded": {
        const { modelId, version: published, datanetId, datanetVersion, versionRoot, contributionCount } = log.args;
        const version = model(modelId).versions.find((v) => v.version === published);
        if (version === undefined) gap(`model ${modelId} version ${published}`, "ModelVersionPublished");
        else version.trainingData.push({ datanetId, version: datanetVersion, versionRoot, contributionCount });
        break;
      }
      case "ModelOwnershipTransferStarted":
        model(log.args.modelId).pendingOwner = log.args.pendingOwner;
        break;
      case "ModelOwnershipTransferred":
        Object.assign(model(log.args.modelId), { owner: log.args.newOwner, pendingOwner: zeroAddress });
        break;
      default:
        break;
    }
  };
  return { models, apply };
}

/** One model's lineage, read from the chain's events (from the indexer API when the client has one). */
export async function modelLineage(client: ProtocolClient, params: { modelId: bigint }): Promise<ModelLineage> {
  assertPositiveId("modelId", params.modelId);
  const lineage =
    client.indexer !== undefined ? await client.indexer.lineage(params.modelId) : rebuildModelLineage(await fetchModelLogs(client)).get(params.modelId);
  if (lineage === undefined) throw await protocolError("UnknownModel", [params.modelId], { preflight: true });
  return lineage;
}
