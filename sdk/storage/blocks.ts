import * as dagPb from "@ipld/dag-pb";
import { exporter } from "ipfs-unixfs-exporter";
import type { CID } from "multiformats/cid";
import { base32 } from "multiformats/bases/base32";
import * as raw from "multiformats/codecs/raw";
import { equals } from "multiformats/bytes";
import { sha256 } from "multiformats/hashes/sha2";

import { ContentMismatchError } from "./errors.ts";

/** Reads one block's bytes by CID (unverified: callers verify with `verifyBlock`). */
export type BlockReader = (cid: CID) => Promise<Uint8Array>;

/**
 * Checks a block against its CID: its sha2-256 digest must be the CID's, and its codec one a
 * contribution's DAG can have (raw or dag-pb). Throws `ContentMismatchError` otherwise.
 */
export async function verifyBlock(cid: CID, bytes: Uint8Array): Promise<void> {
  if (cid.code !== raw.code && cid.code !== dagPb.code) {
    throw new ContentMismatchError(cid.toString(), `codec 0x${cid.code.toString(16)} is neither raw nor dag-pb`);
  }
  if (cid.multihash.code !== sha256.code) {
    throw new ContentMismatchError(cid.toString(), `hash function 0x${cid.multihash.code.toString(16)} is not sha2-256`);
  }
  const digest = await sha256.digest(bytes);
  if (!equals(digest.digest, cid.multihash.digest)) throw new ContentMismatchError(cid.toString(), "a block's bytes do not hash to its CID");
}

/** A block's key in a map or on disk: its multihash (so a raw and a dag-pb CID of the same bytes share it). */
export function blockKey(cid: CID): string {
  return base32.baseEncode(cid.multihash.bytes);
}

/** The CIDs a block links to (none for a raw leaf). */
export function blockLinks(cid: CID, bytes: Uint8Array): CID[] {
  return cid.code === dagPb.code ? dagPb.decode(bytes).Links.map((link) => link.Hash) : [];
}

/**
 * Every block of the DAG under `root`, depth first, root first (the order of a CAR file and of a
 * trustless gateway's answer), each verified against its CID as it is read.
 */
export async function* walkDag(root: CID, read: BlockReader): AsyncGenerator<{ cid: CID; bytes: Uint8Array }> {
  const stack: CID[] = [root];
  while (stack.length > 0) {
    const cid = stack.pop()!;
    const bytes = await read(cid);
    await verifyBlock(cid, bytes);
    yield { cid, bytes };
    stack.push(...blockLinks(cid, bytes).reverse());
  }
}

/** The file bytes of the DAG under `root`, every block verified against its CID before use. */
export async function readDag(root: CID, read: BlockReader): Promise<Uint8Array> {
  const blockstore = {
    async *get(cid: CID) {
      const bytes = await read(cid);
      await verifyBlock(cid, bytes);
      yield bytes;
    },
  };
  const entry = await exporter(root, blockstore);
  if (entry.type !== "file" && entry.type !== "raw") {
    throw new ContentMismatchError(root.toString(), `is a UnixFS ${entry.type}, not a file`);
  }
  const size = Number(entry.size);
  const out = new Uint8Array(size);
  let offset = 0;
  for await (const chunk of entry.content()) {
    if (offset + chunk.length > size) throw new ContentMismatchError(root.toString(), "holds more bytes than its size says");
    out.set(chunk, offset);
    offset += chunk.length;
  }
  if (offset !== size) throw new ContentMismatchError(root.toString(), `holds ${offset} bytes, its size says ${size}`);
  return out;
}
