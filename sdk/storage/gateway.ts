import { CarBlockIterator } from "@ipld/car/iterator";

import { InvalidInputError } from "../errors.ts";
import { blockKey, readDag } from "./blocks.ts";
import { parseCid } from "./cid.ts";
import { ContentMismatchError, ContentUnavailableError } from "./errors.ts";
import type { ContentSource } from "./store.ts";

/** Media types of the trustless gateway protocol (IPIP-402). */
export const CAR_MEDIA_TYPE = "application/vnd.ipld.car";
export const RAW_MEDIA_TYPE = "application/vnd.ipld.raw";

/**
 * A read-only store over any IPFS HTTP trustless gateway (`/ipfs/<cid>` answering
 * `application/vnd.ipld.car`): the public ones, a pinning service's, kubo's, or this project's
 * storage service. It trusts the gateway with nothing: the DAG is read from the root down, and every
 * block is hashed and compared with the CID it is reached by before it is used, so an altered byte
 * (or a missing block) is caught.
 */
export function gatewayFetcher(baseUrl: string, options: { timeoutMs?: number } = {}): ContentSource {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new InvalidInputError("gateway", `${baseUrl} is not a URL`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new InvalidInputError("gateway", `${baseUrl} is not an http(s) URL`);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const url = (cid: string, format: string) => new URL(`ipfs/${cid}?format=${format}`, base.href.endsWith("/") ? base : `${base.href}/`);

  const request = async (cid: string, format: "car" | "raw", method: "GET" | "HEAD") => {
    try {
      return await fetch(url(cid, format), {
        method,
        headers: { accept: format === "car" ? CAR_MEDIA_TYPE : RAW_MEDIA_TYPE },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new ContentUnavailableError(cid, `${base.origin} did not answer (${(cause as Error).message})`, { cause });
    }
  };

  return {
    async get(cidText) {
      const root = parseCid(cidText, "cid");
      const cid = root.toString();
      const response = await request(cid, "car", "GET");
      if (!response.ok || response.body === null) throw new ContentUnavailableError(cid, `${base.origin} answered HTTP ${response.status}`);
      const blocks = new Map<string, Uint8Array>();
      let iterator: CarBlockIterator;
      try {
        iterator = await CarBlockIterator.fromIterable(response.body);
        const roots = await iterator.getRoots();
        if (roots.length !== 1 || !roots[0]!.equals(root)) throw new ContentMismatchError(cid, `the gateway's CAR has roots ${roots.join(", ")}`);
        // Kept unverified: `readDag` verifies each block it uses, and a block it does not use is harmless.
        for await (const block of iterator) blocks.set(blockKey(block.cid), block.bytes);
      } catch (error) {
        if (error instanceof ContentMismatchError) throw error;
        throw new ContentMismatchError(cid, `the gateway's answer is not a valid CAR (${(error as Error).message})`);
      }
      return readDag(root, async (c) => {
        const bytes = blocks.get(blockKey(c));
        if (bytes === undefined) throw new ContentMismatchError(cid, `the gateway's CAR lacks block ${c}`);
        return bytes;
      });
    },
    async has(cidText) {
      const cid = parseCid(cidText, "cid").toString();
      return (await request(cid, "raw", "HEAD")).ok;
    },
  };
}
