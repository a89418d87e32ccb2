import { keccak256, type Hex } from "viem";

import { InvalidInputError, LineageMismatchError } from "./errors.ts";
import type { FineTuneSettings } from "./llama-factory.ts";
import { isWhole } from "./validate.ts";

/** What a PEFT `adapter_config.json` says, under LLaMA-Factory's names (browser-safe; `sdk/node` reads it from a folder). */
export interface AdapterConfig {
  /** `base_model_name_or_path`. */
  baseModel: string;
  /** LoRA settings from the config, under LLaMA-Factory's names; training settings (learning rate...) are not in it. */
  adapter: Required<Pick<FineTuneSettings, "loraRank" | "loraAlpha" | "loraDropout" | "loraTarget">> & {
    /** The base's quantization if the config declares one (QLoRA), else null. */
    quantizationBit: 4 | 8 | null;
  };
}

/** The names PEFT saves an adapter's weights under, in the order they are looked for. */
export const ADAPTER_WEIGHT_FILES = ["adapter_model.safetensors", "adapter_model.bin"] as const;

/** The adapter hash a model version records: keccak256 of the weights file's bytes. */
export function adapterHashOf(weights: Uint8Array): Hex {
  return keccak256(weights);
}

/**
 * Parses `adapter_config.json`: r, lora_alpha, lora_dropout, target_modules, base_model_name_or_path,
 * and the quantization (`quantization_bits`, or a bitsandbytes `quantization_config` with
 * `load_in_4bit` / `load_in_8bit`). Every unusable field is an `InvalidInputError` naming it.
 */
export function parseAdapterConfig(text: string): AdapterConfig {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new InvalidInputError("adapter_config.json", `is not JSON (${(cause as Error).message})`);
  }
  if (typeof config !== "object" || config === null) throw new InvalidInputError("adapter_config.json", "is not a JSON object");
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
  return {
    baseModel,
    adapter: { loraRank: r, loraAlpha: alpha, loraDropout: dropout, loraTarget: modules, quantizationBit: readQuantization(config, field) },
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

/**
 * Checks an adapter's config against the training settings it was trained with:
 * `base_model_name_or_path` is `model_name_or_path`; `r`, `lora_alpha`, `lora_dropout` are lora_rank,
 * lora_alpha, lora_dropout; `target_modules` are lora_target (any modules for `all`); a quantization
 * the adapter declares is quantization_bit. `LineageMismatchError` names the first field that differs.
 */
export function checkAdapterAgainstSettings(adapter: AdapterConfig, training: { modelNameOrPath: string; settings: FineTuneSettings }): void {
  const { settings } = training;
  const differ = (field: string, ours: unknown, theirs: unknown) => {
    throw new LineageMismatchError(field, `the adapter has ${JSON.stringify(theirs)}, the config ${JSON.stringify(ours)}`);
  };
  if (settings.finetuningType !== "lora") differ("finetuning_type", settings.finetuningType, "lora (a PEFT adapter)");
  if (adapter.baseModel !== training.modelNameOrPath) differ("base_model_name_or_path", training.modelNameOrPath, adapter.baseModel);
  const a = adapter.adapter;
  if (a.loraRank !== settings.loraRank) differ("r / lora_rank", settings.loraRank, a.loraRank);
  if (a.loraAlpha !== settings.loraAlpha) differ("lora_alpha", settings.loraAlpha, a.loraAlpha);
  if (Math.abs(a.loraDropout - (settings.loraDropout ?? 0)) > 1e-9) differ("lora_dropout", settings.loraDropout, a.loraDropout);
  const targets = settings.loraTarget ?? [];
  const all = targets.length === 1 && targets[0] === "all";
  const sameModules = JSON.stringify([...a.loraTarget].sort()) === JSON.stringify([...targets].sort());
  if (all ? a.loraTarget.length === 0 : !sameModules) differ("target_modules / lora_target", targets, a.loraTarget);
  if (a.quantizationBit !== null && a.quantizationBit !== (settings.quantizationBit ?? null)) differ("quantization_bit", settings.quantizationBit ?? null, a.quantizationBit);
}
