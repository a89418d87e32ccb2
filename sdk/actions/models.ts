import { parseEventLogs, parseUnits, zeroAddress, type Address, type ContractFunctionReturnType, type Hex } from "viem";

import { modelFactoryAbi } from "../abis/index.ts";
import { modelFactoryContract, requireWallet, type ProtocolClient } from "../client.ts";
import { InvalidInputError, protocolError, type ProtocolErrorName } from "../errors.ts";
import type { HistoryGap } from "../history.ts";
import { readLogRanges } from "../indexer/ranges.ts";
import { only, readProtocol, sendContractTransaction, type TransactionHandle } from "../transaction.ts";
import { assertAddress, assertBytes32, assertPositiveId, isWhole } from "../validate.ts";

/** How a model was fine-tuned. */
export type TrainingMethod = "lora" | "qlora" | "full";

const METHOD_CODE: Record<TrainingMethod, number> = { lora: 0, qlora: 1, full: 2 };
const METHOD_NAME = ["lora", "qlora", "full"] as const;

/** A training run's settings, in the units people use (dropout 0.05, learning rate 2e-4). */
export interface FineTuneSettings {
  method: TrainingMethod;
  /** LoRA rank r: a power of two in [1, 256] (absent for a full fine-tune). */
  loraRank?: number;
  /** lora_alpha: 1 .. 65,535. */
  loraAlpha?: number;
  /** lora_dropout: 0 .. 0.5, to four decimals. */
  loraDropout?: number;
  /** 4 or 8 for QLoRA. */
  quantizationBits?: number;
  learningRate: number;
  epochs: number;
  batchSize: number;
  cutoffLength: number;
  targetModules?: readonly string[];
}

/** A published datanet version a model was trained on. */
export interface TrainingDataRef {
  datanetId: bigint;
  version: number;
}

/** The on-chain form of the settings (`IModelFactory.Hyperparameters`). */
export type Hyperparameters = {
  method: number;
  loraRank: number;
  loraAlpha: number;
  loraDropoutBps: number;
  quantizationBits: number;
  learningRateWad: bigint;
  epochs: number;
  batchSize: number;
  cutoffLength: number;
  targetModules: readonly string[];
};

export type ModelInfo = ContractFunctionReturnType<typeof modelFactoryAbi, "view", "getModel">;
export type ModelVersionInfo = ContractFunctionReturnType<typeof modelFactoryAbi, "view", "getModelVersion">;

/** Converts settings to the contract's units; a value that cannot be represented is an input error. */
export function toHyperparameters(settings: FineTuneSettings): Hyperparameters {
  const method = METHOD_CODE[settings.method];
  if (method === undefined) throw new InvalidInputError("method", `must be "lora", "qlora" or "full", not ${String(settings.method)}`);
  const dropout = settings.loraDropout ?? 0;
  if (typeof dropout !== "number" || !Number.isFinite(dropout) || dropout < 0) {
    throw new InvalidInputError("loraDropout", `${String(dropout)} is not a dropout probability`);
  }
  const rate = settings.learningRate;
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate < 0) {
    throw new InvalidInputError("learningRate", `${String(rate)} is not a learning rate`);
  }
  const whole = (field: string, value: number | undefined, max: number) => {
    const v = value ?? 0;
    if (!isWhole(v, 0, max)) throw new InvalidInputError(field, `${String(value)} is not a whole number from 0 to ${max}`);
    return v;
  };
  return {
    method,
    loraRank: whole("loraRank", settings.loraRank, 65_535),
    loraAlpha: whole("loraAlpha", settings.loraAlpha, 65_535),
    loraDropoutBps: Math.round(dropout * 10_000),
    quantizationBits: whole("quantizationBits", settings.quantizationBits, 255),
    learningRateWad: parseUnits(rate.toFixed(18), 18),
    epochs: whole("epochs", settings.epochs, 65_535),
    batchSize: whole("batchSize", settings.batchSize, 2 ** 32 - 1),
    cutoffLength: whole("cutoffLength", settings.cutoffLength, 2 ** 32 - 1),
    targetModules: [...(settings.targetModules ?? [])],
  };
}

/**
 * The contract's checks on a training run, in the same order, so a bad value fails here with the
 * same named error and nothing is sent (`preflight: true`). The tests hold the two to parity.
 */
export async function preflightFineTune(hp: Hyperparameters, trainingData: readonly TrainingDataRef[]): Promise<void> {
  const fail = async (name: ProtocolErrorName, args: readonly unknown[]): Promise<never> => {
    throw await protocolError(name, args as never, { preflight: true });
  };
  if (hp.method > 2) await fail("UnknownTrainingMethod", [hp.method]);
  if (hp.method === 2) {
    if (hp.loraRank !== 0 || hp.loraAlpha !== 0 || hp.loraDropoutBps !== 0 || hp.targetModules.length !== 0) {
      await fail("LoraSettingsOnFullFineTune", []);
    }
  } else {
    const rank = hp.loraRank;
    if (rank === 0 || rank > 256 || (rank & (rank - 1)) !== 0) await fail("InvalidLoraRank", [rank]);
    if (hp.loraAlpha === 0) await fail("InvalidLoraAlpha", [hp.loraAlpha]);
    if (hp.loraDropoutBps > 5_000) await fail("InvalidLoraDropout", [hp.loraDropoutBps]);
    if (hp.targetModules.length === 0) await fail("NoTargetModules", []);
    if (hp.targetModules.length > 32) await fail("TooManyTargetModules", [BigInt(hp.targetModules.length)]);
    const empty = hp.targetModules.findIndex((m) => m.length === 0);
    if (empty !== -1) await fail("EmptyTargetModule", [BigInt(empty)]);
  }
  const bits = hp.quantizationBits;
  if (hp.method === 1 ? bits !== 4 && bits !== 8 : bits !== 0) await fail("InvalidQuantizationBits", [hp.method, bits]);
  if (hp.learningRateWad === 0n || hp.learningRateWad > 10n ** 18n) await fail("InvalidLearningRate", [hp.learningRateWad]);
  if (hp.epochs === 0 || hp.epochs > 1_000) await fail("InvalidTrainingEpochs", [hp.epochs]);
  if (hp.batchSize === 0 || hp.batchSize > 65_536) await fail("InvalidBatchSize", [hp.batchSize]);
  if (hp.cutoffLength === 0 || hp.cutoffLength > 1_048_576) await fail("InvalidCutoffLength", [hp.cutoffLength]);
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
    method: TrainingMethod;
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
export function rebuildModelLineage(logs: Awaited<ReturnType<typeof fetchModelLogs>>, gaps?: HistoryGap[]): Map<bigint, ModelLineage> {
  const models = new Map<bigint, ModelLineage>();
  let log: (typeof logs)[number];
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
  for (log of logs) {
    switch (log.eventName) {
      case "ModelRegistered":
        models.set(log.args.modelId, { ...log.args, pendingOwner: zeroAddress, versions: [] });
        break;
      case "ModelVersionPublished": {
        const { version, hyperparameters, adapterHash, adapterURI, evaluationHash } = log.args;
        model(log.args.modelId).versions.push({
          version,
          method: METHOD_NAME[hyperparameters.method] ?? "full",
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
  }
  return models;
}

/** One model's lineage, read from the chain's events. */
export async function modelLineage(client: ProtocolClient, params: { modelId: bigint }): Promise<ModelLineage> {
  assertPositiveId("modelId", params.modelId);
  const lineage = rebuildModelLineage(await fetchModelLogs(client)).get(params.modelId);
  if (lineage === undefined) throw await protocolError("UnknownModel", [params.modelId], { preflight: true });
  return lineage;
}
