import { InvalidInputError } from "./errors.ts";

/** The shape of a decoder-only transformer (Llama / Mistral / Qwen style), as in its config.json. */
export interface ModelShape {
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numAttentionHeads: number;
  /** Grouped-query attention: key/value heads (defaults to `numAttentionHeads`). */
  numKeyValueHeads?: number;
  vocabSize: number;
  /** The exact parameter count if known; otherwise estimated from the shape. */
  parameterCount?: number;
}

/** What one method needs, in bytes, for the frontend to show next to the controls. */
export interface ResourceEstimate {
  trainableParameters: number;
  /** Trainable share of all parameters, in percent. */
  trainablePercent: number;
  /** The frozen base weights in GPU memory. */
  baseWeightsBytes: number;
  /** Adapter weights, gradients and Adam's two moments, all fp32: 16 bytes per trainable parameter. */
  trainingStateBytes: number;
  totalBytes: number;
}

/** Bytes per base weight: bf16 for LoRA; bitsandbytes 8-bit with an fp32 scale per 64 weights;
 * NF4 with double quantization (about 0.127 bits of constants per weight). */
const BASE_BYTES = { lora: 2, qlora8: 1 + 4 / 64, qlora4: 0.5 + 0.127 / 8 } as const;

/** Input and output width of each module name a LoRA config can target. */
function moduleDims(shape: ModelShape): Record<string, [number, number]> {
  const h = shape.hiddenSize;
  const kv = (h / shape.numAttentionHeads) * (shape.numKeyValueHeads ?? shape.numAttentionHeads);
  const i = shape.intermediateSize;
  return {
    q_proj: [h, h],
    k_proj: [h, kv],
    v_proj: [h, kv],
    o_proj: [h, h],
    gate_proj: [h, i],
    up_proj: [h, i],
    down_proj: [i, h],
  };
}

/** Parameters of the shape: attention, MLP and norms per layer, plus input and output embeddings. */
export function estimateParameterCount(shape: ModelShape): number {
  const dims = Object.values(moduleDims(shape));
  const perLayer = dims.reduce((sum, [a, b]) => sum + a * b, 0) + 2 * shape.hiddenSize;
  return shape.numLayers * perLayer + 2 * shape.vocabSize * shape.hiddenSize + shape.hiddenSize;
}

/**
 * Trainable parameters and memory for LoRA and QLoRA (4- and 8-bit) at rank `rank` on
 * `targetModules`: each adapted module of shape (in, out) adds r·(in + out) parameters per layer.
 * Memory counts weights and optimizer state, not activations (which depend on batch size and
 * sequence length, and shrink with gradient checkpointing).
 */
export function estimateFineTune(
  shape: ModelShape,
  params: { rank: number; targetModules: readonly string[] },
): { lora: ResourceEstimate; qlora4: ResourceEstimate; qlora8: ResourceEstimate } {
  for (const key of ["hiddenSize", "intermediateSize", "numLayers", "numAttentionHeads", "vocabSize"] as const) {
    if (!Number.isInteger(shape[key]) || shape[key] <= 0) throw new InvalidInputError(`shape.${key}`, "must be a positive integer");
  }
  if (!Number.isInteger(params.rank) || params.rank <= 0) throw new InvalidInputError("rank", "must be a positive integer");
  if (params.targetModules.length === 0) throw new InvalidInputError("targetModules", "name at least one module");
  const dims = moduleDims(shape);
  let perLayer = 0;
  for (const name of params.targetModules) {
    const d = dims[name];
    if (d === undefined) throw new InvalidInputError("targetModules", `unknown module ${name}; known: ${Object.keys(dims).join(", ")}`);
    perLayer += params.rank * (d[0] + d[1]);
  }
  const trainable = perLayer * shape.numLayers;
  const total = shape.parameterCount ?? estimateParameterCount(shape);
  const estimate = (bytesPerWeight: number): ResourceEstimate => {
    const baseWeightsBytes = Math.round(total * bytesPerWeight);
    const trainingStateBytes = trainable * 16;
    return {
      trainableParameters: trainable,
      trainablePercent: (100 * trainable) / total,
      baseWeightsBytes,
      trainingStateBytes,
      totalBytes: baseWeightsBytes + trainingStateBytes,
    };
  };
  return { lora: estimate(BASE_BYTES.lora), qlora4: estimate(BASE_BYTES.qlora4), qlora8: estimate(BASE_BYTES.qlora8) };
}
