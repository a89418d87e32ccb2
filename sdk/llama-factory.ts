import { InvalidInputError } from "./errors.ts";

/**
 * LLaMA-Factory's training arguments that ModelFactory records, under LLaMA-Factory's own names,
 * ranges and defaults. Sources (hiyouga/LLaMA-Factory at ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30):
 * - src/llamafactory/hparams/finetuning_args.py: `finetuning_type` (Literal["lora", "oft", "freeze",
 *   "full"], default "lora"), `lora_rank` (8), `lora_alpha` (None, meaning `lora_rank * 2`),
 *   `lora_dropout` (0.0), `lora_target` ("all", comma-separated);
 * - src/llamafactory/hparams/model_args.py: `quantization_bit` (None); src/llamafactory/hparams/parser.py:
 *   "Quantization is only compatible with the LoRA or OFT method" (QLoRA is LoRA on a quantized base);
 * - src/llamafactory/hparams/data_args.py: `template` (None), `cutoff_len` (2048);
 * - `learning_rate`, `num_train_epochs`, `per_device_train_batch_size`, `gradient_accumulation_steps`,
 *   `lr_scheduler_type` are Hugging Face `Seq2SeqTrainingArguments` (transformers training_args.py:
 *   5e-5, 3.0, 8, 1, "linear"), which LLaMA-Factory's `TrainingArguments` extends;
 * - ranges: the sliders of src/llamafactory/webui/components/train.py (lora_rank 1-1024, lora_alpha
 *   1-2048, lora_dropout 0-1, batch size and gradient accumulation 1-1024, cutoff_len 4-131072).
 * OFT is left out: its settings (oft_rank, oft_block_size) are not LoRA's and ModelFactory has no
 * field for them.
 */
export const FINETUNING_TYPES = ["lora", "freeze", "full"] as const;
/** LLaMA-Factory's `finetuning_type` values that ModelFactory records (code = index). */
export type FinetuningType = (typeof FINETUNING_TYPES)[number];

/** A training run's settings, LLaMA-Factory's arguments in camelCase (`loraRank` is `lora_rank`). */
export interface FineTuneSettings {
  finetuningType: FinetuningType;
  /** lora_rank: 1 .. 1,024 (lora only). */
  loraRank?: number;
  /** lora_alpha: 1 .. 2,048 (lora only; defaults to 2 × rank). */
  loraAlpha?: number;
  /** lora_dropout: 0 .. 1, to four decimals (lora only). */
  loraDropout?: number;
  /** lora_target: module names, or ["all"] for every linear module (lora only). */
  loraTarget?: readonly string[];
  /** quantization_bit: 4 or 8 quantizes the base (QLoRA); absent or null for none. */
  quantizationBit?: 4 | 8 | null;
  learningRate: number;
  numTrainEpochs: number;
  perDeviceTrainBatchSize: number;
  gradientAccumulationSteps: number;
  lrSchedulerType: string;
  cutoffLen: number;
  /** The chat template ("llama3"); LLaMA-Factory has no default for it, so it is always given. */
  template: string;
}

/** Each setting's LLaMA-Factory argument name. */
export const LLAMA_FACTORY_ARGUMENT: Record<keyof FineTuneSettings, string> = {
  finetuningType: "finetuning_type",
  loraRank: "lora_rank",
  loraAlpha: "lora_alpha",
  loraDropout: "lora_dropout",
  loraTarget: "lora_target",
  quantizationBit: "quantization_bit",
  learningRate: "learning_rate",
  numTrainEpochs: "num_train_epochs",
  perDeviceTrainBatchSize: "per_device_train_batch_size",
  gradientAccumulationSteps: "gradient_accumulation_steps",
  lrSchedulerType: "lr_scheduler_type",
  cutoffLen: "cutoff_len",
  template: "template",
};

/** LLaMA-Factory's defaults (see the sources above); `loraAlpha` is 2 × rank, filled by `withDefaults`. */
export const LLAMA_FACTORY_DEFAULTS = {
  finetuningType: "lora",
  loraRank: 8,
  loraDropout: 0,
  loraTarget: ["all"],
  quantizationBit: null,
  learningRate: 5e-5,
  numTrainEpochs: 3,
  perDeviceTrainBatchSize: 8,
  gradientAccumulationSteps: 1,
  lrSchedulerType: "linear",
  cutoffLen: 2_048,
} as const satisfies Partial<FineTuneSettings>;

/** LLaMA-Factory's ranges, as the contract checks them. */
export const LLAMA_FACTORY_RANGES = {
  loraRank: [1, 1_024],
  loraAlpha: [1, 2_048],
  loraDropout: [0, 1],
  loraTarget: [1, 32],
  numTrainEpochs: [0.001, 1_000],
  perDeviceTrainBatchSize: [1, 1_024],
  gradientAccumulationSteps: [1, 1_024],
  cutoffLen: [4, 131_072],
} as const;

/** A scheduler or template name as LLaMA-Factory spells them (and the contract accepts): 1 .. 64 of [a-z0-9_.-]. */
export const SETTING_NAME = /^[a-z0-9_.-]{1,64}$/;

/**
 * Settings with LLaMA-Factory's defaults filled in where LLaMA-Factory has one (and lora_alpha =
 * 2 × lora_rank); freeze and full fine-tunes get no LoRA fields. `template` has no default.
 */
export function withDefaults(settings: Partial<FineTuneSettings> & { template: string }): FineTuneSettings {
  const merged = { ...LLAMA_FACTORY_DEFAULTS, ...stripUndefined(settings) };
  if (merged.finetuningType !== "lora") {
    const { loraRank: _r, loraAlpha: _a, loraDropout: _d, loraTarget: _t, ...rest } = merged as FineTuneSettings;
    return rest;
  }
  const rank = merged.loraRank;
  return { ...merged, loraAlpha: merged.loraAlpha ?? (typeof rank === "number" ? rank * 2 : rank) } as FineTuneSettings;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** "qlora" for LoRA on a quantized base, else the finetuning type. */
export function trainingMethod(settings: Pick<FineTuneSettings, "finetuningType" | "quantizationBit">): FinetuningType | "qlora" {
  return settings.finetuningType === "lora" && settings.quantizationBit != null ? "qlora" : settings.finetuningType;
}

/** A value of a LLaMA-Factory YAML config: every argument ModelFactory needs is a scalar. */
export type TrainConfigValue = string | number | boolean;
/** A LLaMA-Factory training config: argument name → value, in the order they are written. */
export type TrainConfig = Record<string, TrainConfigValue>;

/**
 * The `llamafactory-cli train` config for a fine-tune of `modelNameOrPath` on an exported dataset
 * (`datasetDir` holds its dataset_info.json; `datasetName` is its entry) with `settings`, in the layout
 * of LLaMA-Factory's examples/train_lora/qwen3_lora_sft.yaml. `stage` is `pt` for a `text` export
 * (pre-training rows) and `sft` otherwise. Only LLaMA-Factory argument names are written.
 */
export function trainConfig(params: {
  modelNameOrPath: string;
  datasetDir: string;
  datasetName: string;
  stage: "sft" | "pt";
  settings: FineTuneSettings;
  outputDir: string;
}): TrainConfig {
  const { settings: s } = params;
  const lora: TrainConfig = s.finetuningType === "lora" ? { lora_rank: s.loraRank!, lora_alpha: s.loraAlpha!, lora_dropout: s.loraDropout ?? 0, lora_target: s.loraTarget!.join(",") } : {};
  return {
    model_name_or_path: params.modelNameOrPath,
    ...(s.quantizationBit == null ? {} : { quantization_bit: s.quantizationBit }),
    stage: params.stage,
    do_train: true,
    finetuning_type: s.finetuningType,
    ...lora,
    dataset: params.datasetName,
    dataset_dir: params.datasetDir,
    template: s.template,
    cutoff_len: s.cutoffLen,
    output_dir: params.outputDir,
    per_device_train_batch_size: s.perDeviceTrainBatchSize,
    gradient_accumulation_steps: s.gradientAccumulationSteps,
    learning_rate: s.learningRate,
    num_train_epochs: s.numTrainEpochs,
    lr_scheduler_type: s.lrSchedulerType,
  };
}

/** The arguments `trainConfig` writes that are LLaMA-Factory `float` fields. */
const FLOAT_ARGUMENTS = new Set(["lora_dropout", "learning_rate", "num_train_epochs"]);

/**
 * A YAML scalar PyYAML (under LLaMA-Factory's OmegaConf) reads back as the same value and type:
 * strings double-quoted with JSON escapes (JSON strings are YAML double-quoted scalars), floats
 * always with a decimal point and a signed exponent (`2.0e-4`: YAML 1.1 reads `2e-4` as a string).
 */
function yamlScalar(key: string, value: TrainConfigValue): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return String(value);
  if (!FLOAT_ARGUMENTS.has(key)) return String(value);
  // toExponential always signs the exponent ("2e-4", "3e+0"); only the mantissa may lack its point.
  const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}e${exponent}`;
}

/** The config as YAML, one `key: value` line per argument, headed by a comment. */
export function formatTrainConfig(config: TrainConfig, comment: string): string {
  const lines = Object.entries(config).map(([key, value]) => `${key}: ${yamlScalar(key, value)}`);
  return `${comment.split("\n").map((line) => `# ${line}`).join("\n")}\n${lines.join("\n")}\n`;
}

/**
 * Reads a config as `formatTrainConfig` writes it (flat `key: value` lines; comments and blank lines
 * skipped; JSON-quoted strings, numbers, booleans), or hand-written the same way. Anything else (nested
 * maps, lists, anchors) is an `InvalidInputError`: LLaMA-Factory's training arguments are all scalars.
 */
export function parseTrainConfig(text: string): TrainConfig {
  const config: TrainConfig = {};
  for (const [i, raw] of text.split("\n").entries()) {
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) continue;
    // key: value, where value is a JSON-quoted string or a bare scalar, then an optional # comment.
    const match = /^([a-z_][a-z0-9_]*):\s+("(?:[^"\\]|\\.)*"|[^\s#][^#]*?)\s*(?:\s#.*)?$/.exec(raw);
    if (match === null) throw new InvalidInputError(`config line ${i + 1}`, `"${raw}" is not a flat key: value line`);
    const [, key, value] = match as unknown as [string, string, string];
    if (key in config) throw new InvalidInputError(`config line ${i + 1}`, `${key} is given twice`);
    config[key] = parseScalar(value, `config line ${i + 1}`);
  }
  return config;
}

function parseScalar(value: string, field: string): TrainConfigValue {
  if (value === "true" || value === "false") return value === "true";
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value)) return Number(value);
  if (value.startsWith('"')) {
    try {
      return JSON.parse(value) as string;
    } catch {
      throw new InvalidInputError(field, `${value} is not a quoted string`);
    }
  }
  if (/^[A-Za-z0-9_./:,-]+$/.test(value)) return value;
  throw new InvalidInputError(field, `${value} is not a plain scalar`);
}

/**
 * The settings a config gives (what `trainConfig` wrote, or a hand-written config with LLaMA-Factory's
 * defaults for what it leaves out), and its model and dataset. A missing `template` or a value of the
 * wrong type is an `InvalidInputError` naming the argument.
 */
export function settingsOfConfig(config: TrainConfig): { modelNameOrPath: string; datasetDir: string; datasetName: string; settings: FineTuneSettings } {
  const get = <T extends TrainConfigValue>(key: string, type: "string" | "number", fallback?: T): T => {
    const value = config[key] ?? fallback;
    if (typeof value !== type) throw new InvalidInputError(key, `${value === undefined ? "is missing" : `${String(value)} is not a ${type}`} in the config`);
    return value as T;
  };
  const optional = (key: string, type: "string" | "number") => (config[key] === undefined ? undefined : get(key, type));
  const finetuningType = get<string>("finetuning_type", "string", LLAMA_FACTORY_DEFAULTS.finetuningType);
  if (!(FINETUNING_TYPES as readonly string[]).includes(finetuningType)) {
    throw new InvalidInputError("finetuning_type", `${finetuningType} is not one of ${FINETUNING_TYPES.join(", ")}`);
  }
  const quantizationBit = optional("quantization_bit", "number");
  const target = optional("lora_target", "string") as string | undefined;
  const settings = withDefaults({
    finetuningType: finetuningType as FinetuningType,
    loraRank: optional("lora_rank", "number") as number | undefined,
    loraAlpha: optional("lora_alpha", "number") as number | undefined,
    loraDropout: optional("lora_dropout", "number") as number | undefined,
    loraTarget: target?.split(",").map((t) => t.trim()),
    quantizationBit: quantizationBit as 4 | 8 | undefined,
    learningRate: optional("learning_rate", "number") as number | undefined,
    numTrainEpochs: optional("num_train_epochs", "number") as number | undefined,
    perDeviceTrainBatchSize: optional("per_device_train_batch_size", "number") as number | undefined,
    gradientAccumulationSteps: optional("gradient_accumulation_steps", "number") as number | undefined,
    lrSchedulerType: optional("lr_scheduler_type", "string") as string | undefined,
    cutoffLen: optional("cutoff_len", "number") as number | undefined,
    template: get<string>("template", "string"),
  });
  return {
    modelNameOrPath: get<string>("model_name_or_path", "string"),
    datasetDir: get<string>("dataset_dir", "string", "data"),
    datasetName: get<string>("dataset", "string"),
    settings,
  };
}
