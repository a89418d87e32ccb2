import { readFile } from "node:fs/promises";
import path from "node:path";

import type { Hex } from "viem";

import { ADAPTER_WEIGHT_FILES, adapterHashOf, parseAdapterConfig, type AdapterConfig } from "../adapter.ts";
import { InvalidInputError } from "../errors.ts";

/** What `readAdapterFolder` finds in a PEFT adapter folder. */
export interface AdapterFolder extends AdapterConfig {
  /** keccak256 of the weights file. */
  adapterHash: Hex;
  adapterFile: string;
}

/**
 * Reads a PEFT adapter folder: `adapter_config.json` (`parseAdapterConfig`) and hashes the weights
 * file (`adapterHashOf`). Every unusable field is an `InvalidInputError` naming it.
 */
export async function readAdapterFolder(folder: string): Promise<AdapterFolder> {
  const configPath = path.join(folder, "adapter_config.json");
  let text: string;
  try {
    text = await readFile(configPath, "utf8");
  } catch (cause) {
    throw new InvalidInputError("adapter_config.json", `cannot read ${configPath} (${(cause as Error).message})`);
  }
  const config = parseAdapterConfig(text);
  for (const name of ADAPTER_WEIGHT_FILES) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path.join(folder, name));
    } catch {
      continue; // try the next name
    }
    return { ...config, adapterHash: adapterHashOf(bytes), adapterFile: path.join(folder, name) };
  }
  throw new InvalidInputError("adapter", `${folder} has no ${ADAPTER_WEIGHT_FILES.join(" or ")}`);
}
