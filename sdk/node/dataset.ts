import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";

import type { Hex } from "viem";

import {
  DATASET_DATA_FILE,
  DATASET_INFO_FILE,
  DATASET_MANIFEST_FILE,
  exportDataset,
  type DatasetExport,
  type DatasetManifest,
} from "../actions/datasets.ts";
import { getVersion } from "../actions/versions.ts";
import { checkAdapterAgainstSettings } from "../adapter.ts";
import { registerModel, type TrainingDataRef } from "../actions/models.ts";
import type { ProtocolClient } from "../client.ts";
import { InvalidInputError, LineageMismatchError } from "../errors.ts";
import type { ContributionRecord } from "../history.ts";
import { formatTrainConfig, parseTrainConfig, settingsOfConfig, trainConfig, type FineTuneSettings, type TrainConfig } from "../llama-factory.ts";
import { readAdapterFolder, type AdapterFolder } from "./adapter.ts";

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Writes an export to `dir` (data.json, dataset_info.json, manifest.json) all at once: into a fresh
 * sibling folder first, renamed to `dir` only when every file is written, so `dir` either holds the
 * whole export or does not exist. `dir` must not exist yet (or be an empty folder).
 */
export async function writeDatasetExport(dir: string, exported: DatasetExport): Promise<string> {
  const target = path.resolve(dir);
  const existing = await assertFreeFolder(target);
  await mkdir(path.dirname(target), { recursive: true });
  const staging = `${target}.partial-${randomBytes(4).toString("hex")}`;
  await mkdir(staging);
  try {
    await writeFile(path.join(staging, DATASET_DATA_FILE), json(exported.rows));
    await writeFile(path.join(staging, DATASET_INFO_FILE), json(exported.datasetInfo));
    await writeFile(path.join(staging, DATASET_MANIFEST_FILE), json(exported.manifest));
    if (existing !== undefined) await rmdir(target);
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return target;
}

/** The entries of `dir` if it is an empty folder, undefined if it does not exist; an `InvalidInputError` otherwise. */
async function assertFreeFolder(dir: string): Promise<string[] | undefined> {
  const existing = await readdir(dir).catch(() => undefined);
  if (existing !== undefined && existing.length > 0) throw new InvalidInputError("out", `${dir} already exists and is not empty; an export never overwrites`);
  return existing;
}

/** Exports a datanet version (`exportDataset`) and writes it to `out` (`writeDatasetExport`); nothing is written when it stops. */
export async function exportDatasetTo(
  client: ProtocolClient,
  params: Parameters<typeof exportDataset>[1] & { out: string },
): Promise<DatasetExport & { dir: string }> {
  // Refused before fetching anything, and checked again when writing.
  await assertFreeFolder(path.resolve(params.out));
  const exported = await exportDataset(client, params);
  return { ...exported, dir: await writeDatasetExport(params.out, exported) };
}

/** Reads an export folder's manifest, rows and dataset_info. */
export async function readDatasetExport(dir: string): Promise<DatasetExport> {
  const read = async (file: string) => {
    try {
      return JSON.parse(await readFile(path.join(dir, file), "utf8")) as unknown;
    } catch (cause) {
      throw new InvalidInputError("dataset", `cannot read ${path.join(dir, file)} (${(cause as Error).message})`);
    }
  };
  const manifest = (await read(DATASET_MANIFEST_FILE)) as DatasetManifest;
  if (typeof manifest !== "object" || manifest === null || !Array.isArray(manifest.rows) || typeof manifest.root !== "string") {
    throw new InvalidInputError("dataset", `${path.join(dir, DATASET_MANIFEST_FILE)} is not an export manifest`);
  }
  return { manifest, rows: (await read(manifest.dataFile)) as DatasetExport["rows"], datasetInfo: (await read(DATASET_INFO_FILE)) as DatasetExport["datasetInfo"] };
}

/**
 * Checks an export folder against the chain and the content stores: exports the same version again
 * (every content hash and the root checked) and requires the folder's manifest, rows and
 * dataset_info to be exactly that. `LineageMismatchError` names the first file that differs.
 */
export async function verifyDatasetExport(
  client: ProtocolClient,
  params: { dir: string; fetchContent: (contribution: ContributionRecord) => Promise<Uint8Array> },
): Promise<DatasetExport> {
  const written = await readDatasetExport(params.dir);
  const { manifest } = written;
  const fresh = await exportDataset(client, {
    datanetId: BigInt(manifest.datanetId),
    version: manifest.version,
    format: manifest.format,
    datasetName: manifest.datasetName,
    fetchContent: params.fetchContent,
  });
  for (const [file, a, b] of [
    [DATASET_MANIFEST_FILE, written.manifest, fresh.manifest],
    [manifest.dataFile, written.rows, fresh.rows],
    [DATASET_INFO_FILE, written.datasetInfo, fresh.datasetInfo],
  ] as const) {
    if (!isDeepStrictEqual(a, b)) throw new LineageMismatchError(path.join(params.dir, file), "differs from the rows the version's contributions map to");
  }
  return fresh;
}

/**
 * Writes the `llamafactory-cli train` YAML for `modelNameOrPath` on the export in `datasetDir` with
 * `settings` (see `trainConfig`); `outputDir` is where LLaMA-Factory will save the adapter (default
 * `saves/<dataset name>`). Returns the config written.
 */
export async function writeTrainConfig(params: {
  file: string;
  modelNameOrPath: string;
  datasetDir: string;
  settings: FineTuneSettings;
  outputDir?: string;
}): Promise<TrainConfig> {
  const datasetDir = path.resolve(params.datasetDir);
  const { manifest } = await readDatasetExport(datasetDir);
  const config = trainConfig({
    modelNameOrPath: params.modelNameOrPath,
    datasetDir,
    datasetName: manifest.datasetName,
    stage: manifest.format === "text" ? "pt" : "sft",
    settings: params.settings,
    outputDir: params.outputDir ?? path.join("saves", manifest.datasetName),
  });
  const comment = `llamafactory-cli train ${path.basename(params.file)}\ndatanet ${manifest.datanetId} version ${manifest.version}, root ${manifest.root}, ${manifest.rows.length} rows (${manifest.format})`;
  await mkdir(path.dirname(path.resolve(params.file)), { recursive: true });
  await writeFile(params.file, formatTrainConfig(config, comment));
  return config;
}

/** What `checkAdapter` found consistent: the run to register. */
export interface CheckedAdapter {
  adapter: AdapterFolder;
  settings: FineTuneSettings;
  trainingData: TrainingDataRef[];
  manifest: DatasetManifest;
}

/**
 * Checks a trained PEFT adapter against the training config it was trained with and the dataset
 * export that config names, and that export against the chain: `base_model_name_or_path` is
 * `model_name_or_path`; `r`, `lora_alpha`, `lora_dropout` are lora_rank, lora_alpha, lora_dropout;
 * `target_modules` are lora_target (any modules for `all`); a quantization the adapter declares is
 * quantization_bit; the export's root is the published version's. `LineageMismatchError` names the
 * first field that differs. Hashes the weights (`readAdapterFolder`).
 */
export async function checkAdapter(client: ProtocolClient, params: { adapterFolder: string; configFile: string }): Promise<CheckedAdapter> {
  let text: string;
  try {
    text = await readFile(params.configFile, "utf8");
  } catch (cause) {
    throw new InvalidInputError("config", `cannot read ${params.configFile} (${(cause as Error).message})`);
  }
  const config = settingsOfConfig(parseTrainConfig(text));
  const { settings } = config;
  const adapter = await readAdapterFolder(params.adapterFolder);
  // As LLaMA-Factory reads it: a relative dataset_dir is from the working folder (train-config writes it absolute).
  const { manifest } = await readDatasetExport(path.resolve(config.datasetDir));
  checkAdapterAgainstSettings(adapter, config);
  if (manifest.datasetName !== config.datasetName) {
    throw new LineageMismatchError("dataset", `the export is ${JSON.stringify(manifest.datasetName)}, the config names ${JSON.stringify(config.datasetName)}`);
  }
  const datanetId = BigInt(manifest.datanetId);
  const published = await getVersion(client, { datanetId, version: manifest.version });
  if (published.root !== manifest.root) {
    throw new LineageMismatchError("manifest root", `the export's root is ${manifest.root}, datanet ${datanetId} version ${manifest.version}'s on chain ${published.root}`);
  }
  return { adapter, settings, trainingData: [{ datanetId, version: manifest.version }], manifest };
}

/**
 * Registers a fine-tuned model from its adapter folder and training config, once `checkAdapter` has
 * found them consistent with each other, the dataset export and the chain. The contract records the
 * datanet version's root from the registry with the model.
 */
export async function registerTrainedAdapter(
  client: ProtocolClient,
  params: { adapterFolder: string; configFile: string; baseModelId: bigint; name: string; adapterURI: string; evaluationHash?: Hex },
) {
  const checked = await checkAdapter(client, params);
  const handle = await registerModel(client, {
    baseModelId: params.baseModelId,
    name: params.name,
    settings: checked.settings,
    trainingData: checked.trainingData,
    adapterHash: checked.adapter.adapterHash,
    adapterURI: params.adapterURI,
    evaluationHash: params.evaluationHash,
  });
  return { ...checked, handle };
}
