import { readFile } from "node:fs/promises";
import type { Hex } from "viem";

import { hashContent } from "../actions/contributions.ts";
import { InvalidInputError } from "../errors.ts";

/** `hashContent` of a file's bytes. */
export async function hashFile(file: string): Promise<{ contentHash: Hex; sizeBytes: bigint }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new InvalidInputError("file", `cannot read ${file} (${(cause as Error).message})`);
  }
  return hashContent(bytes);
}
