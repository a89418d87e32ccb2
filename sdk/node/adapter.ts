import { readFile } from "node:fs/promises";
import path from "node:path";

import { keccak256, type Hex } from "viem";

import { InvalidInputError } from "../errors.ts";
import type { FineTuneSettings } from "../llama-factory.ts";
import { isWhole } from "../validate.ts";

/** What `readAdapterFolder` finds in a PEFT adapter folder. */
export interface AdapterFolder {
  /** `base_model_name_or_path`. */
  baseModel: string;
  /** LoRA settings from the config, under LLaMA-Factory's names; training settings (learning rate...) are not in it. */
  adapter: Required<Pick<FineTuneSettings, "loraRank" | "loraAlpha" | "loraDropout" | "loraTarget">> & {
    /** The base's quantization if the config declares one (QLoRA), else null. */
    quantizationBit: 4 | 8 | null;
  };
  /** keccak256 of the weights file. */
  adapterHash: Hex;
  adapterFile: string;
}

const WEIGHT_FILES = ["adapter_model.safetensors", "adapter_model.bin"];

/**
 * Reads a PEFT adapter folder: `adapter_config.json` (r, lora_alpha, lora_dropout, target_modules,
 * base_model_name_or_path, and the quantization: `quantization_bits`, or a bitsandbytes
 * `quantization_config` with `load_in_4bit` / `load_in_8bit`) and hashes the weights file. Every
 * unusable field is an `InvalidInputError` naming it.
 */
export async function readAdapterFolder(folder: string): Promise<AdapterFolder> {
  const configPath = path.join(folder, "adapter_config.json");
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(configPath, "utf8")) as Record<string, unknown>;
  } catch (cause) {
    throw new InvalidInputError("adapter_config.json", `cannot read ${configPath} as JSON (${(cause as Error).message})`);
  }
  const field = (name: string) => `adapter_config.json: ${name}`;
  const { r, lora_alpha: alpha, lora_dropout: dropout, base_model_name_or_path: baseModel } = config;
  if (!isWhole(r, 1, 65_535)) throw new InvalidInputError(field("r"), `${String(r)} is not a LoRA rank`);
  if (!isWhole(alpha, 1, 65_535)) throw new InvalidInputError(field("lora_alpha"), `${String(alpha)} is not a whole alpha`);
  if (typeof dropout !== "number") throw new InvalidInputError(field("lora_dropout"), `${String(dropout)} is not a number`);
  if (typeof baseModel !== "string" || baseModel === "") {
    throw new InvalidInputError(field("base_model_name_or_path"), "must name the base model");
  }
  const modules = typeof config.target_modules === "string" ? [config.target_modules] : config.target_modules;
  if (!Array.isArray(modules) || !modules.every((m): m is string => typeof m === "string")) {
    throw new InvalidInputError(field("target_modules"), "must be a list of module names");
  }
  const quantizationBit = readQuantization(config, field);
  let adapterFile: string | undefined;
  let bytes: Uint8Array | undefined;
  for (const name of WEIGHT_FILES) {
    try {
      bytes = await readFile(path.join(folder, name));
      adapterFile = path.join(folder, name);
      break;
    } catch {
      // try the next name
    }
  }
  if (bytes === undefined || adapterFile === undefined) {
    throw new InvalidInputError("adapter", `${folder} has no ${WEIGHT_FILES.join(" or ")}`);
  }
  return {
    baseModel,
    adapter: {
      loraRank: r,
      loraAlpha: alpha,
      loraDropout: dropout,
      loraTarget: modules,
      quantizationBit,
    },
    adapterHash: keccak256(bytes),
    adapterFile,
  };
}

function readQuantization(config: Record<string, unknown>, field: (name: string) => string): 4 | 8 | null {
  if (config.quantization_bits !== undefined) {
    const bits = config.quantization_bits;
    if (bits !== 4 && bits !== 8) throw new InvalidInputError(field("quantization_bits"), `${String(bits)} is not 4 or 8`);
    return bits;
  }
  const q = config.quantization_config as Record<string, unknown> | undefined;
  if (q === undefined || q === null) return null;
  if (q.load_in_4bit === true) return 4;
  if (q.load_in_8bit === true) return 8;
  if (q.bits === 4 || q.bits === 8) return q.bits;
  throw new InvalidInputError(field("quantization_config"), "names neither 4-bit nor 8-bit loading");
}
