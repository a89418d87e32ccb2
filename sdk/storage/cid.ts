import { importBytes } from "ipfs-unixfs-importer";
import { CID } from "multiformats/cid";
import { keccak256, type Hex } from "viem";

import { InvalidInputError } from "../errors.ts";
import { ContentMismatchError } from "./errors.ts";

/** One block of a DAG: its CID and its bytes. */
export interface Block {
  cid: CID;
  bytes: Uint8Array;
}

/**
 * How content is cut into blocks: the IPIP-499 `unixfs-v1-2025` profile (CIDv1, sha2-256, raw
 * leaves of 1 MiB, up to 1,024 links per dag-pb node). Content of one chunk or less is a single raw
 * block; anything larger is a UnixFS file. Any importer set to the same parameters gets the same
 * CID for the same bytes.
 */
export const CID_PROFILE = "unixfs-v1-2025" as const;

/**
 * The CID of some bytes and every block of its DAG, children before parents (so a store that
 * writes them in order never holds a root whose children are missing). The root is the last block.
 */
export async function contentBlocks(bytes: Uint8Array): Promise<{ cid: CID; blocks: Block[] }> {
  if (bytes.length === 0) throw new InvalidInputError("content", "is empty");
  const blocks: Block[] = [];
  const seen = new Set<string>();
  const collector = {
    put(cid: CID, block: Uint8Array) {
      // Repeated chunks are one block; keep its first (and only needed) position.
      const key = cid.toString();
      if (!seen.has(key)) {
        seen.add(key);
        blocks.push({ cid, bytes: block });
      }
      return cid;
    },
  };
  const { cid } = await importBytes(bytes, collector, { profile: CID_PROFILE });
  return { cid, blocks };
}

/** The CID of some bytes (see `contentBlocks`). */
export async function computeCid(bytes: Uint8Array): Promise<string> {
  return (await contentBlocks(bytes)).cid.toString();
}

/** The URI a contribution is registered with: `ipfs://<cid>`. */
export function ipfsUri(cid: string): string {
  return `ipfs://${parseCid(cid, "cid").toString()}`;
}

/** Parses a CID string, as an `InvalidInputError` naming `field` when it is not one. */
export function parseCid(value: string, field: string): CID {
  try {
    return CID.parse(value);
  } catch {
    throw new InvalidInputError(field, `${value} is not a CID`);
  }
}

/** The CID of an `ipfs://<cid>` URI, or undefined for any other URI. */
export function cidOfUri(uri: string): string | undefined {
  const match = /^ipfs:\/\/([^/?#]+)$/.exec(uri);
  return match === null ? undefined : parseCid(match[1]!, "uri").toString();
}

/**
 * Everything a contribution needs from its bytes: the keccak256 content hash the contracts key on,
 * the size, the CID the bytes are stored under and the `ipfs://` URI registered on chain.
 */
export async function contentAddress(bytes: Uint8Array): Promise<{ contentHash: Hex; sizeBytes: bigint; cid: string; uri: string }> {
  const cid = await computeCid(bytes);
  return { contentHash: keccak256(bytes), sizeBytes: BigInt(bytes.length), cid, uri: `ipfs://${cid}` };
}

/**
 * Checks that a content hash and a CID describe the same bytes: `bytes` must hash to `contentHash`
 * and import to `cid`. Throws `ContentMismatchError` otherwise.
 */
export async function assertSameContent(bytes: Uint8Array, expected: { contentHash: Hex; cid: string }): Promise<void> {
  const cid = parseCid(expected.cid, "cid").toString();
  const actual = await computeCid(bytes);
  if (actual !== cid) throw new ContentMismatchError(cid, `the bytes import to ${actual}`);
  const hash = keccak256(bytes);
  if (hash !== expected.contentHash.toLowerCase()) {
    throw new ContentMismatchError(cid, `the bytes hash to ${hash}, not to the content hash ${expected.contentHash}`);
  }
}
