import type { CID } from "multiformats/cid";

import { ContentUnavailableError } from "./errors.ts";

/** Options of `ContentStore.put`. */
export interface PutOptions {
  /** The datanet the content is for (a storage service needs it to authorise the upload). */
  datanetId?: bigint;
}

/**
 * Where contributions' bytes live, addressed by CID. Every implementation returns from `get` only
 * bytes verified against the CID (block by block), so content moves between stores without trust.
 */
export interface ContentStore {
  /** Stores the bytes (durably, where the store has a disk) and returns their CID. */
  put(bytes: Uint8Array, options?: PutOptions): Promise<{ cid: string }>;
  /** The bytes of a CID, verified; `ContentUnavailableError` or `ContentMismatchError` otherwise. */
  get(cid: string): Promise<Uint8Array>;
  /** Whether the store holds the content of a CID (all of its blocks). */
  has(cid: string): Promise<boolean>;
}

/** A store that can also hand out single blocks, which is what a trustless gateway serves. */
export interface BlockStore extends ContentStore {
  /** One block's bytes (unverified; readers verify). Throws `ContentUnavailableError` when absent. */
  getBlock(cid: CID): Promise<Uint8Array>;
}

/** What can only be read: a gateway fetcher, or several stores tried in turn. */
export type ContentSource = Pick<ContentStore, "get" | "has">;

/** Reads a CID from the first source that returns bytes matching it; `ContentUnavailableError` with every reason otherwise. */
export function firstOf(sources: readonly ContentSource[]): ContentSource {
  if (sources.length === 1) return sources[0]!;
  return {
    async get(cid) {
      const errors: unknown[] = [];
      for (const source of sources) {
        try {
          return await source.get(cid);
        } catch (error) {
          errors.push(error);
        }
      }
      const reasons = errors.map((e) => (e as Error).message).join("; ");
      throw new ContentUnavailableError(cid, sources.length === 0 ? "no store or gateway is configured" : reasons, { cause: errors });
    },
    async has(cid) {
      for (const source of sources) if (await source.has(cid).catch(() => false)) return true;
      return false;
    },
  };
}
